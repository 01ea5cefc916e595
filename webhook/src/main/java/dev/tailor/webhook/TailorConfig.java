package dev.tailor.webhook;

import dev.tailor.contract.Mode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the webhook, under {@code tailor.*}; each default is here, nowhere else. */
@ConfigMapping(prefix = "tailor")
public interface TailorConfig {

    /** Mode of a namespace without a valid {@code tailor.dev/mode} annotation. */
    @WithDefault("audit")
    Mode defaultMode();

    /** Mode for cluster-scoped objects (ClusterRoles, ClusterRoleBindings), which belong to no namespace. */
    @WithDefault("audit")
    Mode clusterScopedMode();

    /** What to answer when the policy cannot be evaluated. */
    @WithDefault("follow-mode")
    OnError onEvaluationError();

    /** Largest AdmissionReview accepted; larger ones get 413. */
    @WithDefault("3145728")
    int maxReviewBytes();

    /**
     * How long an admission request may take from its headers to its answer; a request still open then has its HTTP/2
     * stream reset (its HTTP/1.1 connection closed), and the memory its body held is given back. The API server waits
     * at most the webhook configuration's {@code timeoutSeconds} (5 in Tailor's manifests, at most 30), so nobody waits
     * for such a request any more — only a client that sends its body slowly, or never finishes it, is cut off.
     */
    @WithDefault("10s")
    Duration reviewDeadline();

    /**
     * How many admission requests from callers the API server does not vouch for ({@code admission-callers}) may be
     * open at once, each from its headers until it is answered and its body read, or it is cut off at {@link
     * #reviewDeadline}. One more is refused at once: its HTTP/2 stream reset as refused (which the API server's client
     * retries), over HTTP/1.1 a 503 and the connection closed. Each open request holds about 4 KB of heap outside
     * the request memory; the API server, once it proves who it is, is not counted.
     */
    @WithDefault("256")
    int reviewsInFlight();

    /**
     * Heap, in bytes, that the admission reviews and ingest batches in flight may take together ({@link
     * RequestMemory}); default: half of the JVM's largest heap. A request that could never fit in it is refused (413):
     * for a review, the API server then applies the webhook's failurePolicy.
     */
    Optional<Long> requestMemory();

    PodSecurity podSecurity();

    Admins admins();

    Approvers approvers();

    Rbac rbac();

    Engine engine();

    DecisionLogConfig decisionLog();

    Tls tls();

    Ingest ingest();

    AdmissionCallers admissionCallers();

    Store store();

    Reports reports();

    /**
     * Approved behavior per workload until it comes from generated objects: a JSON file
     * {@code {"workloads": {"<ns>": {"<kind>.<name>": {"serviceAccount": …, "seccompProfile": …}}}}}.
     */
    Optional<Path> approvedFile();

    interface PodSecurity {
        /** Level of a namespace without a valid {@code tailor.dev/pod-security} annotation. */
        @WithDefault("baseline")
        String defaultLevel();
    }

    /** Who may change the {@code tailor.dev/mode} and {@code tailor.dev/pod-security*} annotations. */
    interface Admins {
        Optional<List<String>> users();

        @WithDefault("system:masters,tailor-admins")
        List<String> groups();
    }

    /**
     * Who, besides the admins, may write Tailor's objects (the approvals): the GitOps identity that applies merged
     * proposals, e.g. {@code system:serviceaccount:flux-system:kustomize-controller}. It may not switch namespaces.
     */
    interface Approvers {
        Optional<List<String>> users();

        Optional<List<String>> groups();
    }

    interface Rbac {
        /**
         * Subjects exempt from the RBAC hygiene checks, as {@code User:NAME}, {@code Group:NAME} or
         * {@code ServiceAccount:NAMESPACE:NAME}. By default the API server (which reconciles its bootstrap roles,
         * cluster-admin among them) and the controller manager (which fills aggregated ClusterRoles).
         */
        @WithDefault("User:system:apiserver,User:system:kube-controller-manager")
        List<String> exemptSubjects();
    }

    interface Engine {
        /**
         * Policy instances, each used by one request at a time; default: the number of processors (at least 2).
         * Evaluation is CPU-bound, so more instances than cores only add memory and JIT warm-up.
         */
        Optional<Integer> instances();

        default int instanceCount() {
            return instances().orElse(Math.max(2, Runtime.getRuntime().availableProcessors()));
        }

        /** How long a request waits for a free instance before it counts as an evaluation error. */
        @WithDefault("2s")
        Duration borrowTimeout();
    }

    interface Ingest {
        /**
         * A file of bearer tokens, one per line (mounted from a Secret), that may POST to /ingest/*: kube-apiserver's
         * audit webhook backend presents one in its kubeconfig. Without it every ingest request is refused (401).
         */
        Optional<Path> tokenFile();

        /**
         * CA certificates (PEM) whose client certificates may POST to /ingest/*: the CA of the client-certificate in
         * the audit webhook backend's kubeconfig. Without it, no client certificate is accepted.
         */
        Optional<Path> clientCa();

        /**
         * The names (subject CN or DNS name) a client certificate from {@link #clientCa} must carry to be let in;
         * a certificate the CA issued to anyone else gets 401.
         */
        @WithDefault("kube-apiserver-audit")
        List<String> clientNames();

        /**
         * Largest ingest body accepted; larger ones get 413. An audit batch is read as it arrives, so it may be this
         * long whatever the webhook's memory; flows and syscall lines are read whole, and so at most as long as the
         * memory holds ({@link RequestMemory}).
         */
        @WithDefault("33554432")
        int maxBytes();
    }

    /**
     * Who the API server is, when it authenticates to webhooks with a client certificate (AdmissionConfiguration
     * {@code kubeConfigFile}): then only its calls leave a trace — decisions, pods seen, who switched a namespace —
     * and a review posted by anyone else is answered but believed in nothing. Unset, every caller is believed.
     */
    interface AdmissionCallers {
        /** The CA (PEM) that issued the API server's client certificate for webhooks. */
        Optional<Path> clientCa();

        /** The names (subject CN or DNS name) that certificate carries. */
        @WithDefault("kube-apiserver-admission")
        List<String> clientNames();
    }

    /** What audit mode would have denied, as one OpenReports Report (or wgpolicyk8s.io PolicyReport) per namespace. */
    interface Reports {
        /** Off: no report is written (and no RBAC for reports is needed). */
        @WithDefault("true")
        boolean enabled();

        /** How often changed reports are written; a report is written at most once per interval. */
        @WithDefault("10s")
        java.time.Duration interval();
    }

    interface Store {
        /**
         * Where observations go: jdbc:h2:file:… (the default, an H2 file in /var/lib/tailor/) or
         * jdbc:postgresql://host:5432/db?user=…&password=… for several replicas.
         */
        Optional<String> url();

        /**
         * How long observations are kept ({@link StoreRetention}): what was seen longer ago is forgotten, except the
         * identities of pods that still exist. Longer than the longest window proposals are made from ({@code tailor
         * generate --since}, 7 days by default); {@code 0} keeps everything.
         */
        @WithDefault("35d")
        Duration retention();

        /** How often the store forgets what is older than its retention; the first time this long after the start, at most 10 minutes. */
        @WithDefault("6h")
        Duration pruneInterval();

        /**
         * The disk an embedded (H2) store may take, in bytes ({@link StoreRetention#keepWithinBudget}): when what it
         * holds passes half of it, the store forgets the older half of what it keeps, whatever its retention — its
         * volume (the Deployment's emptyDir) is never filled, which would have the pod evicted. Unset: no bound;
         * ignored for PostgreSQL.
         */
        java.util.OptionalLong maxBytes();

        /** How often the embedded store's size is held to {@link #maxBytes}. */
        @WithDefault("1m")
        Duration budgetCheckInterval();
    }

    interface Tls {
        /** The serving certificate (PEM, the chain), as cert-manager writes it into a Secret. */
        @WithDefault("/etc/tailor/tls/tls.crt")
        Path cert();

        /** Its private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC). */
        @WithDefault("/etc/tailor/tls/tls.key")
        Path key();

        /** How often the two files are checked for a rotation. */
        @WithDefault("10s")
        Duration watchPeriod();

        /**
         * How long a new connection may take to finish its TLS handshake before it is closed. Each one still shaking
         * hands holds one of the places {@code quarkus.http.limits.max-connections} allows (counted from accept, {@link
         * dev.tailor.webhook.tls.ConnectionBound}) and about 16 KB: Netty's 10 s let a client that sends nothing keep
         * them for longer than it needs. The API server's handshake takes milliseconds.
         */
        @WithDefault("3s")
        Duration handshakeTimeout();
    }

    interface DecisionLogConfig {
        /** The current decision log file; rotated files get {@code .1}, {@code .2}, … */
        Path path();

        /** Size at which the file is rotated. */
        @WithDefault("67108864")
        long maxBytes();

        /** Rotated files kept besides the current one. */
        @WithDefault("3")
        int maxFiles();
    }

    enum OnError {
        /** Audit-mode namespaces are allowed with a warning, enforce-mode ones denied. */
        FOLLOW_MODE,
        ALLOW,
        DENY
    }
}
