// Command psa-webhook is the native reference for `tailor bench`: a validating admission webhook that answers with
// Kubernetes' own Pod Security Admission library (k8s.io/pod-security-admission/policy), level restricted, version
// latest — the cost of a Pod Security decision in Go, with no Rego and no JVM. It decodes the AdmissionReview,
// takes the pod spec out of a Pod or of a workload's pod template the way the API server's PSA plugin does
// (admission.DefaultPodSpecExtractor), evaluates every check and answers allowed or denied with PSA's message.
//
// It is a benchmark peer, not a product: HTTPS only, no namespace labels (the level is fixed by a flag), no
// exemptions. Usage: psa-webhook --listen 127.0.0.1:0 --cert tls.crt --key tls.key --ready FILE
// It writes the address it listens on to FILE once it accepts connections.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	psaadmission "k8s.io/pod-security-admission/admission"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// maxBody bounds a request the way the API server bounds a webhook's (3 MiB objects, with room for the review).
const maxBody = 4 << 20

type server struct {
	evaluator policy.Evaluator
	level     psaapi.LevelVersion
	extractor psaadmission.PodSpecExtractor
}

func newObject(kind string) runtime.Object {
	switch kind {
	case "Pod":
		return &corev1.Pod{}
	case "PodTemplate":
		return &corev1.PodTemplate{}
	case "ReplicationController":
		return &corev1.ReplicationController{}
	case "ReplicaSet":
		return &appsv1.ReplicaSet{}
	case "Deployment":
		return &appsv1.Deployment{}
	case "StatefulSet":
		return &appsv1.StatefulSet{}
	case "DaemonSet":
		return &appsv1.DaemonSet{}
	case "Job":
		return &batchv1.Job{}
	case "CronJob":
		return &batchv1.CronJob{}
	}
	return nil
}

func (s *server) review(req *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse {
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	obj := newObject(req.Kind.Kind)
	if obj == nil || req.Object.Raw == nil {
		return resp
	}
	if err := json.Unmarshal(req.Object.Raw, obj); err != nil {
		resp.Allowed = false
		resp.Result = &metav1.Status{Code: http.StatusBadRequest, Message: "decoding the object: " + err.Error()}
		return resp
	}
	meta, spec, err := s.extractor.ExtractPodSpec(obj)
	if err != nil || spec == nil {
		return resp
	}
	var failed []string
	for _, r := range s.evaluator.EvaluatePod(s.level, meta, spec) {
		if !r.Allowed {
			failed = append(failed, r.ForbiddenReason+" ("+r.ForbiddenDetail+")")
		}
	}
	if len(failed) > 0 {
		resp.Allowed = false
		resp.Result = &metav1.Status{Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden,
			Message: "violates PodSecurity \"" + s.level.String() + "\": " + strings.Join(failed, ", ")}
	}
	return resp
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/validate" {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "request body unreadable or over 4 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil || review.Request == nil {
		http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	out := admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: s.review(review.Request)}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&out)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	cert := flag.String("cert", "", "PEM certificate")
	key := flag.String("key", "", "PEM private key")
	ready := flag.String("ready", "", "file to write the listening address to")
	level := flag.String("level", "restricted", "Pod Security level: baseline or restricted")
	flag.Parse()

	lv, err := psaapi.ParseLevel(*level)
	if err != nil {
		log.Fatal(err)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		log.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler:   &server{evaluator: evaluator, level: psaapi.LevelVersion{Level: lv, Version: psaapi.LatestVersion()}, extractor: psaadmission.DefaultPodSpecExtractor{}},
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
	}
	if *ready != "" {
		if err := os.WriteFile(*ready, []byte(ln.Addr().String()+"\n"), 0o600); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Fprintln(os.Stderr, "psa-webhook: listening on", ln.Addr())
	log.Fatal(srv.ServeTLS(ln, "", ""))
}
