# Tailor's end-to-end suite: the pieces e2e/run puts together — a PKI made for the run, etcd and kube-apiserver
# on loopback, Tailor installed through an overlay of manifests/base, the webhook run as a process beside them, and
# the checks' bookkeeping. Sourced by e2e/run; everything lives under $run (e2e/target/run), nothing elsewhere.

passed=0
failed=0
failures=()

# check NAME COMMAND...: runs the command (a function of e2e/run); it passes when it exits 0 and no expect in it
# failed — an expect before the last counts too, though its status goes nowhere — and fails with what it printed
# otherwise. The command's output is shown only when it fails.
check() {
  local name=$1 out unmet
  shift
  unmet=$(expects_unmet)
  if out=$("$@" 2>&1) && [ "$(expects_unmet)" = "$unmet" ]; then
    passed=$((passed + 1))
    echo "ok    $name"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAIL  $name"
    printf '%s\n' "$out" | tail -n 25 | sed 's/^/      /'
  fi
}

# expect WHAT CONDITION...: inside a check, fails the check with WHAT when the condition is false (the check runs in
# a subshell: the file carries the failure out of it).
expect() {
  local what=$1
  shift
  "$@" || { echo "expected: $what"; echo "$what" >>"$run/expects-unmet"; return 1; }
}
expects_unmet() { if [ -f "$run/expects-unmet" ]; then wc -l <"$run/expects-unmet"; else echo 0; fi; }

# contains / lacks TEXT PATTERN: whether grep -E finds the pattern in a string, or not.
contains() { grep -qE -- "$2" <<<"$1"; }
lacks() { ! grep -qE -- "$2" <<<"$1"; }

log() { echo "e2e: $*" >&2; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# ---- PKI: one CA for the cluster (API server serving, client certificates), one for the webhook's serving
# certificate (cert-manager's tailor-ca in a cluster), one for the audit backend's client certificate.

ca() { # name
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/$1.key" -out "$pki/$1.crt" -subj "/CN=e2e-$1" -days 2 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# issue CA NAME SUBJECT EXTENDED_KEY_USAGE [SAN] [KEY_ALGORITHM]: a certificate and key signed by CA.
issue() {
  local ca=$1 name=$2 subject=$3 usage=$4 san=${5:-} algorithm=${6:-rsa}
  local ext="$pki/$name.ext"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"; [ -z "$san" ] || echo "subjectAltName=$san"; } >"$ext"
  if [ "$algorithm" = ec ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$name.key" 2>/dev/null
  else
    # PKCS#1 ("BEGIN RSA PRIVATE KEY"), as kubeadm writes its keys.
    openssl genrsa -traditional -out "$pki/$name.key" 2048 2>/dev/null
  fi
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" -CAcreateserial -days 2 \
    -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
}

make_pki() {
  mkdir -p "$pki"
  ca cluster
  ca webhook-ca
  ca ingest-ca
  ca front-proxy-ca
  issue cluster apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc,IP:10.96.0.1"
  issue cluster admin "/O=system:masters/CN=e2e-admin" clientAuth
  issue cluster tailor-admin "/O=tailor-admins/CN=e2e-tailor-admin" clientAuth
  issue cluster editor "/O=e2e-editors/CN=e2e-editor" clientAuth
  issue cluster gitops "/CN=e2e-gitops" clientAuth # applies merged proposals: an approver, not an admin
  issue cluster controller-manager "/CN=system:kube-controller-manager" clientAuth
  # What the API server presents to every webhook it calls (AdmissionConfiguration kubeConfigFile, a hardening).
  issue cluster apiserver-admission "/CN=kube-apiserver-admission" clientAuth
  # A client key as openssl writes it by default (PKCS#8 "BEGIN PRIVATE KEY", EC): kubectl reads it, so must Tailor.
  issue cluster admin-ec "/O=system:masters/CN=e2e-admin-ec" clientAuth "" ec
  issue webhook-ca webhook "/CN=tailor-webhook.tailor-system.svc" serverAuth \
    "IP:127.0.0.1,DNS:tailor-webhook.tailor-system.svc"
  issue ingest-ca audit-client "/CN=kube-apiserver-audit" clientAuth
  # The API server's front proxy: how it forwards requests to aggregated APIs (Tailor's tailor.dev/v1alpha1).
  issue front-proxy-ca front-proxy-client "/CN=front-proxy-client" clientAuth
  openssl genrsa -out "$pki/service-accounts.key" 2048 2>/dev/null
}

# kubeconfig FILE USER [TOKEN]: a kubeconfig for the run's API server as a client certificate (or a token).
kubeconfig() {
  local file=$1 user=$2 token=${3:-}
  KUBECONFIG=$file "$KUBECTL" config set-cluster e2e --server="https://127.0.0.1:$api_port" \
    --certificate-authority="$pki/cluster.crt" --embed-certs >/dev/null
  if [ -n "$token" ]; then
    KUBECONFIG=$file "$KUBECTL" config set-credentials "$user" --token="$token" >/dev/null
  else
    KUBECONFIG=$file "$KUBECTL" config set-credentials "$user" --client-certificate="$pki/$user.crt" \
      --client-key="$pki/$user.key" --embed-certs >/dev/null
  fi
  KUBECONFIG=$file "$KUBECTL" config set-context e2e --cluster=e2e --user="$user" >/dev/null
  KUBECONFIG=$file "$KUBECTL" config use-context e2e >/dev/null
  chmod 600 "$file"
}

as_admin() { "$KUBECTL" --kubeconfig "$run/admin.kubeconfig" "$@"; }
as_editor() { "$KUBECTL" --kubeconfig "$run/editor.kubeconfig" "$@"; }
as_tailor_admin() { "$KUBECTL" --kubeconfig "$run/tailor-admin.kubeconfig" "$@"; }
as_gitops() { "$KUBECTL" --kubeconfig "$run/gitops.kubeconfig" "$@"; }

# ---- the control plane

# await_ready WHAT PID LOG PROBE...: until the probe succeeds (90 s at most); fails early when the process died,
# with the end of its log.
await_ready() {
  local what=$1 pid=$2 logfile=$3 deadline=$((SECONDS + 90))
  shift 3
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -gt $deadline ] || ! kill -0 "$pid" 2>/dev/null; then
      log "$what did not become ready; its log:"
      tail -n 30 "$logfile" >&2
      return 1
    fi
    sleep 0.2
  done
}

start_control_plane() {
  etcd_port=$(free_port)
  etcd_peer_port=$(free_port)
  api_port=$(free_port)
  webhook_port=$(free_port)
  management_port=$(free_port) # the webhook's health and metrics (quarkus.management.port)
  "$ETCD" --name e2e --data-dir "$run/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "e2e=http://127.0.0.1:$etcd_peer_port" >"$run/etcd.log" 2>&1 &
  etcd_pid=$!

  cat >"$run/audit-policy.yaml" <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  # ConfigMaps in audit-large with their bodies: batches larger than the webhook could hold whole (e2e/run).
  - level: RequestResponse
    namespaces: ["audit-large"]
    resources: [{group: "", resources: ["configmaps"]}]
  - level: Metadata
EOF
  # kube-apiserver's audit webhook backend, pointed at Tailor's /ingest/audit with a client certificate issued to
  # kube-apiserver-audit (README: "The webhook takes API audit events as they happen").
  cat >"$run/audit-webhook.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: tailor
    cluster:
      server: https://127.0.0.1:$webhook_port/ingest/audit
      certificate-authority: $pki/webhook-ca.crt
users:
  - name: kube-apiserver
    user:
      client-certificate: $pki/audit-client.crt
      client-key: $pki/audit-client.key
contexts:
  - name: default
    context: {cluster: tailor, user: kube-apiserver}
current-context: default
EOF
  # The API server authenticates to webhooks with a client certificate of the cluster's CA, which Tailor does not
  # know: Tailor must still answer (an API server hardened this way must not turn every call into a failed one).
  cat >"$run/admission-kubeconfig.yaml" <<EOF
apiVersion: v1
kind: Config
users:
  - name: "*"
    user:
      client-certificate: $pki/apiserver-admission.crt
      client-key: $pki/apiserver-admission.key
EOF
  cat >"$run/admission-configuration.yaml" <<EOF
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: ValidatingAdmissionWebhook
    configuration:
      apiVersion: apiserver.config.k8s.io/v1
      kind: WebhookAdmissionConfiguration
      kubeConfigFile: $run/admission-kubeconfig.yaml
  - name: MutatingAdmissionWebhook
    configuration:
      apiVersion: apiserver.config.k8s.io/v1
      kind: WebhookAdmissionConfiguration
      kubeConfigFile: $run/admission-kubeconfig.yaml
EOF
  "$KUBE_APISERVER" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --admission-control-config-file "$run/admission-configuration.yaml" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/cluster.crt" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$pki/service-accounts.key" \
    --service-account-signing-key-file "$pki/service-accounts.key" \
    --service-cluster-ip-range 10.96.0.0/16 \
    --authorization-mode RBAC --allow-privileged=true \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
    --audit-policy-file "$run/audit-policy.yaml" \
    --audit-log-path "$run/audit.log" --audit-log-format json \
    --audit-webhook-config-file "$run/audit-webhook.kubeconfig" --audit-webhook-mode batch \
    --audit-webhook-batch-max-wait 1s --audit-webhook-initial-backoff 1s \
    >"$run/kube-apiserver.log" 2>&1 &
  apiserver_pid=$!

  kubeconfig "$run/admin.kubeconfig" admin
  await_ready kube-apiserver "$apiserver_pid" "$run/kube-apiserver.log" as_admin get --raw /readyz || return 1
  # The controller manager: namespaces get their default service account, Deployments their ReplicaSets and Pods,
  # StatefulSets their Pods and claims (which stay Pending: there is no scheduler, kubelet or provisioner), each controller with its own service account's
  # credentials, as in a cluster — so the pods a ReplicaSet makes reach the webhook as the replicaset-controller's.
  kubeconfig "$run/controller-manager.kubeconfig" controller-manager
  "$KUBE_CONTROLLER_MANAGER" --kubeconfig "$run/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$run/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$run/controller-manager.kubeconfig" \
    --use-service-account-credentials --service-account-private-key-file "$pki/service-accounts.key" \
    --root-ca-file "$pki/cluster.crt" --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 \
    --controllers 'serviceaccount-controller,serviceaccount-token-controller,deployment-controller,replicaset-controller,statefulset-controller,job-controller,cronjob-controller,namespace-controller,garbage-collector-controller,clusterrole-aggregation-controller' \
    >"$run/kube-controller-manager.log" 2>&1 &
  controller_manager_pid=$!
  kubeconfig "$run/editor.kubeconfig" editor
  kubeconfig "$run/tailor-admin.kubeconfig" tailor-admin
  kubeconfig "$run/gitops.kubeconfig" gitops
  kubeconfig "$run/admin-ec.kubeconfig" admin-ec
}

# ---- Tailor: manifests/base through an overlay that changes only where the webhook is reached and the Deployment.
# The webhook configurations get a URL on loopback and this run's CA (as cert-manager's CA injector would set
# caBundle); the Service becomes an ExternalName for localhost on the webhook's port, which is how the API server's
# aggregator reaches Tailor's APIService without kube-proxy; the Deployment has no replicas (no kubelet here: the
# webhook runs beside the API server as a process, with the Deployment's settings and its service account's token).

write_overlay() {
  local overlay="$run/overlay" base ca_bundle
  mkdir -p "$overlay"
  base=$(python3 -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$repo/manifests/base" "$overlay")
  ca_bundle=$(base64 -w0 <"$pki/webhook-ca.crt")
  webhooks() { # file path
    awk '/^  - name: /{ print $3 }' "$repo/manifests/base/$1" | while read -r name; do
      printf '  - name: %s\n    clientConfig:\n      service: null\n      url: https://127.0.0.1:%s%s\n      caBundle: %s\n' \
        "$name" "$webhook_port" "$2" "$ca_bundle"
    done
  }
  { echo "apiVersion: admissionregistration.k8s.io/v1"; echo "kind: ValidatingWebhookConfiguration"
    echo "metadata: {name: tailor}"; echo "webhooks:"; webhooks validatingwebhookconfiguration.yaml /validate; } \
    >"$overlay/validating.yaml"
  { echo "apiVersion: admissionregistration.k8s.io/v1"; echo "kind: MutatingWebhookConfiguration"
    echo "metadata: {name: tailor}"; echo "webhooks:"; webhooks mutatingwebhookconfiguration.yaml /mutate; } \
    >"$overlay/mutating.yaml"
  cat >"$overlay/deployment.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: tailor-webhook, namespace: tailor-system}
spec: {replicas: 0}
EOF
  cat >"$overlay/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $base
patches:
  - path: validating.yaml
  - path: mutating.yaml
  - path: deployment.yaml
  - target: {kind: Service, name: tailor-webhook}
    patch: |-
      - op: replace
        path: /spec
        value: {type: ExternalName, externalName: localhost, ports: [{name: https, port: $webhook_port, protocol: TCP}]}
  - target: {kind: APIService, name: v1alpha1.tailor.dev}
    patch: |-
      - op: replace
        path: /spec/service/port
        value: $webhook_port
      - op: add
        path: /spec/caBundle
        value: $ca_bundle
EOF
}

# deployment_env NAME: the value manifests/base's Deployment gives the webhook's environment variable NAME.
deployment_env() {
  grep -A1 "name: $1\$" "$repo/manifests/base/deployment.yaml" | sed -n 's/.*value: "\(.*\)"/\1/p'
}

# deployment_memory_limit: the webhook container's memory limit in manifests/base's Deployment, in MiB.
deployment_memory_limit() {
  sed -n 's/^ *memory: \([0-9]*\)Mi$/\1/p' "$repo/manifests/base/deployment.yaml" | tail -1
}

# deployment_probe_period PROBE: the periodSeconds of the webhook container's PROBE (readinessProbe, livenessProbe)
# in manifests/base's Deployment.
deployment_probe_period() {
  sed -n "/$1:/,/periodSeconds:/s/^ *periodSeconds: *//p" "$repo/manifests/base/deployment.yaml"
}

# The webhook as the Deployment runs it (its env, its JVM options, its memory limit in place of the cgroup's), pointed
# at this run's files and API server.
start_webhook() {
  local token jvm limit
  jvm=$(deployment_env JAVA_TOOL_OPTIONS)
  limit=$(deployment_memory_limit)
  [ -n "$jvm" ] && [ -n "$limit" ] || { log "the Deployment's JVM options or memory limit could not be read"; return 1; }
  token=$(as_admin -n tailor-system create token tailor-webhook --duration 2h)
  kubeconfig "$run/webhook.kubeconfig" tailor-webhook "$token"
  mkdir -p "$run/webhook"
  # One webhook at a time: another one answering on the port would pass for this one.
  if curl -fsS --cacert "$pki/webhook-ca.crt" "https://127.0.0.1:$management_port/q/health/ready" >/dev/null 2>&1; then
    log "a webhook already answers on port $management_port (pid $(cat "$run/webhook.pid" 2>/dev/null))"
    return 1
  fi
  env TAILOR_TLS_CERT="$pki/webhook.crt" TAILOR_TLS_KEY="$pki/webhook.key" \
    TAILOR_DECISION_LOG_PATH="$run/webhook/decisions.jsonl" \
    TAILOR_STORE_URL="jdbc:h2:file:$run/webhook/store/observations" \
    TAILOR_INGEST_CLIENT_CA="$pki/ingest-ca.crt" TAILOR_ADMISSION_CALLERS_CLIENT_CA="$pki/cluster.crt" \
    TAILOR_APPROVERS_USERS=e2e-gitops TAILOR_REPORTS_INTERVAL=1s \
    QUARKUS_HTTP_SSL_PORT="$webhook_port" QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_PORT="$management_port" QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    KUBECONFIG="$run/webhook.kubeconfig" HOSTNAME=tailor-webhook-e2e MALLOC_ARENA_MAX=2 \
    java $jvm -XX:MaxRAM="${limit}m" -jar "$repo/webhook/target/quarkus-app/quarkus-run.jar" \
    >>"$run/webhook.log" 2>&1 &
  local pid=$!
  # In a file, not a variable: a check runs in a subshell, and one that restarts the webhook (with other settings)
  # leaves it to the suite to stop — a variable would name the one it stopped, and the new one would outlive the run.
  echo "$pid" >"$run/webhook.pid"
  await_ready "the webhook" "$pid" "$run/webhook.log" \
    curl -fsS --cacert "$pki/webhook-ca.crt" "https://127.0.0.1:$management_port/q/health/ready"
}

# run_image ROOT PORT MANAGEMENT_PORT JAVA_TOOL_OPTIONS VARLIB [NAME=VALUE...] -- ENTRYPOINT...: the unpacked image's
# entrypoint as a runtime starts it, replacing the shell (start it with &: its pid is then unshare's): as uid 185 on a
# read-only root with /tmp a tmpfs and /var/lib/tailor the Deployment's emptyDir (VARLIB bound there, or a tmpfs of
# 128 MiB when empty), the Deployment's env and the NAME=VALUEs given, serving admission on 127.0.0.1:PORT and health
# and metrics on 127.0.0.1:MANAGEMENT_PORT. unshare ignores SIGTERM itself: stop the JVM, its child, with pkill -TERM -P.
run_image() {
  local root=$1 port=$2 management=$3 jvm=$4 varlib=$5
  shift 5
  exec unshare --mount --fork --kill-child=KILL bash -c '
    set -e
    root=$1 port=$2 management=$3 jvm=$4 varlib=$5; shift 5
    settings=()
    while [ "$1" != -- ]; do settings+=("$1"); shift; done
    shift
    chroot=$(command -v chroot)
    mount --bind "$root" "$root"; mount -o remount,bind,ro "$root"
    mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"
    if [ -n "$varlib" ]; then
      mount --bind "$varlib" "$root/var/lib/tailor"
    else
      mount -t tmpfs -o uid=185,gid=185,mode=755,size=128m tmpfs "$root/var/lib/tailor"
    fi
    mount --bind /proc "$root/proc"; mount --bind /dev "$root/dev"
    exec env -i PATH=/opt/java/bin:/usr/bin:/bin JAVA_HOME=/opt/java \
        TAILOR_DECISION_LOG_PATH=/var/lib/tailor/decisions.jsonl KUBECONFIG=/etc/tailor/kubeconfig \
        QUARKUS_HTTP_SSL_PORT="$port" QUARKUS_HTTP_HOST=127.0.0.1 HOSTNAME=tailor-image-e2e \
        QUARKUS_MANAGEMENT_PORT="$management" QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
        JAVA_TOOL_OPTIONS="$jvm" "${settings[@]}" "$chroot" --userspec=185:185 "$root" "$@"' \
    image "$root" "$port" "$management" "$jvm" "$varlib" "$@"
}

# SIGTERM, as the kubelet stops a container; waits for the process to end (30 s, then SIGKILL).
stop_webhook() {
  local pid
  pid=$(cat "$run/webhook.pid" 2>/dev/null) && [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true # this shell's child, unless a check's subshell started it: then polled
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null && log "the webhook (pid $pid) did not stop within 30 s of SIGTERM: killed"
  rm -f "$run/webhook.pid"
}

stop_all() {
  stop_webhook
  for pid in ${controller_manager_pid:-} ${apiserver_pid:-} ${etcd_pid:-}; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
