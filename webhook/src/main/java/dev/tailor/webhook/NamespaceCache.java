package dev.tailor.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.contract.Mode;
import dev.tailor.contract.Names;
import dev.tailor.webhook.admission.AdmissionHandler;
import dev.tailor.webhook.admission.NamespaceLookup;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Namespaces as an informer sees them, so a request's mode and Pod Security level come from memory — from an API call
 * only for a namespace the informer has not brought yet, within bounds ({@link #namespaceAsking}). A {@code kubectl
 * annotate} reaches the cache as a watch event, typically within a second. Each entry is kept already in the shape
 * the policies read:
 * {@code {"metadata": {"name", "labels", "annotations"}}}.
 */
@ApplicationScoped
public class NamespaceCache implements NamespaceLookup {

    private static final Logger LOG = Logger.getLogger(NamespaceCache.class);

    private final KubernetesClient client;
    private final Map<String, JsonNode> namespaces = new ConcurrentHashMap<>();
    /** The UID of each namespace that exists and is not being deleted. */
    private final Map<String, String> active = new ConcurrentHashMap<>();

    private volatile SharedIndexInformer<Namespace> informer;

    /** Namespaces whose mode is enforce while their label is not (see {@link #checkStep}). */
    private final java.util.Set<String> outOfStep = ConcurrentHashMap.newKeySet();

    private final io.micrometer.core.instrument.MeterRegistry registry;
    private final io.micrometer.core.instrument.Gauge outOfStepGauge;

    /** The mode of a namespace whose annotation names none. */
    private final Mode defaultMode;

    public NamespaceCache(
            KubernetesClient client, io.micrometer.core.instrument.MeterRegistry registry, TailorConfig config) {
        this.client = client;
        this.defaultMode = config.defaultMode();
        this.registry = registry;
        this.outOfStepGauge = io.micrometer.core.instrument.Gauge.builder(
                        "tailor.namespaces.out.of.step", outOfStep, java.util.Set::size)
                .description("Namespaces in enforce mode whose " + Names.MODE
                        + " label is not enforce: their requests go " + "to the fail-open webhook entries")
                .register(registry);
    }

    /** Starts the informer; the stage completes with its first list (exceptionally when that failed, as logged). */
    CompletableFuture<Void> start() {
        informer = client.namespaces().runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                put(ns);
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
                String from = modeOf(before);
                String to = modeOf(after);
                put(after);
                if (!Objects.equals(from, to)) {
                    LOG.infof("namespace %s: mode %s -> %s", after.getMetadata().getName(), from, to);
                    recordModeChange(after, from, to);
                }
            }

            @Override
            public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {
                namespaces.remove(ns.getMetadata().getName());
                active.remove(ns.getMetadata().getName());
                requestedBy.remove(ns.getMetadata().getName());
                outOfStep.remove(ns.getMetadata().getName());
            }
        });
        return informer.start().toCompletableFuture().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.errorf(error, "the namespace informer could not start; the webhook stays unready");
            } else {
                LOG.infof("namespace informer synced: %d namespaces", namespaces.size());
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        // A registry that outlives this bean (a restart in one JVM) would otherwise keep reading this one's set.
        registry.remove(outOfStepGauge);
        if (informer != null) {
            informer.stop();
        }
        askers.shutdownNow();
    }

    /** True once the informer has listed every namespace. */
    public boolean synced() {
        return informer != null && informer.hasSynced();
    }

    /** The namespace from the cache: never a call out. */
    @Override
    public JsonNode namespace(String name) {
        return namespaces.get(name);
    }

    /**
     * The namespace from the cache. A namespace created an instant before a pod in it may not have reached the
     * cache yet; rather than judge that pod by the default mode, a miss asks the API server, waiting at most
     * {@value #MISS_TIMEOUT_MILLIS} ms (the webhook's own deadline is 5 s), and caches the answer. A review names any
     * namespace its sender likes, so the asking is bounded: a name no namespace can have is never asked, one name is
     * asked once at a time however many reviews wait for it, at most {@value #ASKS_PER_SECOND} names a second
     * (bursts of {@value #ASK_BURST}) are asked, by two threads with as many asks queued, and at most {@value #WAITING}
     * reviews wait for answers at once (each holds a worker thread) — beyond that a miss is judged by the default mode
     * at once, as when the API server does not answer in time.
     */
    @Override
    public JsonNode namespaceAsking(String name) {
        JsonNode cached = namespaces.get(name);
        if (cached != null || !mayAsk(name)) {
            return cached;
        }
        CompletableFuture<Namespace> answer = asking.get(name);
        if (answer == null) {
            if (!askBudget.take()) {
                return refused();
            }
            CompletableFuture<Namespace> mine = new CompletableFuture<>();
            answer = asking.putIfAbsent(name, mine);
            if (answer == null) {
                answer = mine;
                try {
                    askers.execute(() -> ask(name, mine));
                } catch (java.util.concurrent.RejectedExecutionException e) { // as many asks queued already
                    asking.remove(name, mine);
                    return refused();
                }
            }
        }
        if (!waiting.tryAcquire()) {
            return refused();
        }
        try {
            Namespace fresh = answer.get(MISS_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return fresh == null ? null : namespaces.get(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf(
                    "namespace %s is not in the cache and could not be read (%s); using the default mode",
                    name, e.getClass().getSimpleName());
            return null;
        } finally {
            waiting.release();
        }
    }

    /** Asks the API server for one namespace, on an asker's thread; its answer is cached when it comes. */
    private void ask(String name, CompletableFuture<Namespace> answer) {
        try {
            Namespace ns = client.namespaces().withName(name).get();
            lookups(ns == null ? "absent" : "found").increment();
            if (ns != null && !namespaces.containsKey(name)) { // the informer's copy is as new or newer
                put(ns);
            }
            answer.complete(ns);
        } catch (RuntimeException e) {
            lookups("failed").increment();
            answer.completeExceptionally(e);
        } finally {
            asking.remove(name, answer);
        }
    }

    /**
     * The threads that ask, and the asks that may wait for one: while the API server is slow, asks beyond these are
     * not queued for later (when no review waits for them any more) but refused.
     */
    private final java.util.concurrent.ThreadPoolExecutor askers = new java.util.concurrent.ThreadPoolExecutor(
            2, 2, 30, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(ASK_BURST), run -> {
                Thread t = new Thread(run, "tailor-namespace-ask");
                t.setDaemon(true);
                return t;
            });

    {
        askers.allowCoreThreadTimeOut(true);
    }

    /**
     * Whether {@link #namespaceAsking} may ask the API server for this name: one not in the cache once the informer
     * has listed every namespace, and that a namespace can have (a DNS label).
     */
    @Override
    public boolean mayAsk(String name) {
        return !namespaces.containsKey(name)
                && synced()
                && DNS_LABEL.matcher(name).matches();
    }

    private static final java.util.regex.Pattern DNS_LABEL =
            java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** Names asked of the API server (refilled over a second) and in bursts of at most these. */
    static final int ASKS_PER_SECOND = 10;

    static final int ASK_BURST = 20;

    /** Reviews that may wait for the API server's answers at once: a slow API server holds a worker thread each. */
    static final int WAITING = 8;

    private final java.util.concurrent.Semaphore waiting = new java.util.concurrent.Semaphore(WAITING);

    /** The answer each name being asked now will get: every review waiting for the name waits for the one call. */
    private final Map<String, CompletableFuture<Namespace>> asking = new ConcurrentHashMap<>();

    private final TokenBucket askBudget = new TokenBucket(ASKS_PER_SECOND, ASK_BURST);

    /** Misses by what became of them: found, absent, failed (asked), refused (over the bound, not asked). */
    private final Map<String, io.micrometer.core.instrument.Counter> lookups = new ConcurrentHashMap<>();

    private io.micrometer.core.instrument.Counter lookups(String result) {
        return lookups.computeIfAbsent(
                result,
                r -> io.micrometer.core.instrument.Counter.builder("tailor.namespaces.lookups")
                        .description("Namespaces not in the cache asked of the API server, by result (refused: over the"
                                + " bound, judged by the default mode)")
                        .tag("result", r)
                        .register(registry));
    }

    private final SaidEvery refusals = new SaidEvery(java.time.Duration.ofSeconds(10));

    /**
     * A miss not asked, over the bounds: counted, and said at most every 10 s (the names are the senders', and stay out
     * of the log). Returns null, what the miss is answered with.
     */
    private JsonNode refused() {
        lookups("refused").increment();
        long say = refusals.count();
        if (say > 0) {
            LOG.warnf(
                    "%d reviews named namespaces not in the cache beyond what may be asked of the API server (%d a"
                            + " second, %d queued, %d waiting); judged by the default mode",
                    say, ASKS_PER_SECOND, ASK_BURST, WAITING);
        }
        return null;
    }

    static final long MISS_TIMEOUT_MILLIS = 1000;

    /**
     * The UID of the namespace if it exists and is not being deleted, as this replica last saw it; null otherwise —
     * also for a name no namespace has, which a review may carry (anyone who reaches the port can send one).
     */
    public String activeUid(String name) {
        return active.get(name);
    }

    /** Who was last allowed to set each namespace's mode, and to what: for the Event when the change arrives. */
    private final Map<String, String[]> requestedBy = new ConcurrentHashMap<>();

    /**
     * Remembered only for namespaces the informer knows, one entry each (the last request wins, and the Event takes
     * it): a review names any namespace its sender likes, and an entry per made-up name would fill the heap.
     */
    @Override
    public void modeChangeAllowed(String namespace, String user, String to) {
        if (namespaces.containsKey(namespace)) {
            requestedBy.put(namespace, new String[] {user, to});
        }
    }

    /** How many namespaces have a mode change remembered, waiting for the informer (for tests). */
    int pendingModeChanges() {
        return requestedBy.size();
    }

    /** Reason of the Event recorded on a Namespace when this replica starts applying a new mode. */
    public static final String MODE_CHANGED = Names.MODE_CHANGED;

    /**
     * Records a Kubernetes Event on the namespace: who changed its mode, from what, to what — when this replica
     * applies it (so {@code tailor enforce} can wait for it). Never fails the informer: an Event that cannot be
     * written is logged.
     */
    private void recordModeChange(Namespace ns, String from, String to) {
        String name = ns.getMetadata().getName();
        String[] who = requestedBy.remove(name);
        String by = who != null && Objects.equals(who[1], to) ? who[0] : "unknown (not seen by this replica)";
        String replica = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "tailor-webhook");
        String now = java.time.Instant.now()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        try {
            client.v1()
                    .events()
                    .inNamespace(name)
                    .resource(new io.fabric8.kubernetes.api.model.EventBuilder()
                            .withNewMetadata()
                            .withGenerateName(name + ".tailor-mode-")
                            .withNamespace(name)
                            .endMetadata()
                            // The API server requires involvedObject.namespace to equal the Event's namespace (422
                            // otherwise),
                            // also for an Event about a Namespace, which itself belongs to no namespace.
                            .withNewInvolvedObject()
                            .withApiVersion("v1")
                            .withKind("Namespace")
                            .withName(name)
                            .withNamespace(name)
                            .withUid(ns.getMetadata().getUid())
                            .endInvolvedObject()
                            .withReason(MODE_CHANGED)
                            .withType("Normal")
                            .withMessage(Names.MODE + " " + (from == null ? "(unset)" : from) + " -> "
                                    + (to == null ? "(unset)" : to) + ", set by " + by + "; " + replica
                                    + " applies it now")
                            .withNewSource()
                            .withComponent("tailor-webhook")
                            .withHost(replica)
                            .endSource()
                            .withFirstTimestamp(now)
                            .withLastTimestamp(now)
                            .withCount(1)
                            .build())
                    .create();
        } catch (RuntimeException e) {
            LOG.warnf("the mode change of namespace %s could not be recorded as an Event: %s", name, e.getMessage());
        }
    }

    /**
     * The webhook configurations route by the label, the webhook judges by the annotation. A namespace annotated
     * enforce whose label says otherwise (made before the fail-closed switch entry existed, or with the webhooks
     * removed) has its requests sent to the fail-open entries: enforced only while Tailor is up. Said loudly, once,
     * with the fix; counted in {@code tailor_namespaces_out_of_step}. (Patching the label would need a write
     * permission the webhook does not have.)
     */
    private void checkStep(Namespace ns) {
        String name = ns.getMetadata().getName();
        String label = ns.getMetadata().getLabels() == null
                ? null
                : ns.getMetadata().getLabels().get(AdmissionHandler.MODE_ANNOTATION);
        Mode mode = Mode.selectedBy(ns.getMetadata().getAnnotations(), defaultMode);
        if (mode == Mode.ENFORCE && !Mode.ENFORCE.value().equals(label)) {
            if (outOfStep.add(name)) {
                LOG.errorf(
                        "namespace %s is in enforce mode but labelled " + Names.MODE
                                + "=%s: the API server sends its "
                                + "requests to the fail-open entries. Mirror the label: kubectl annotate namespace %s "
                                + Names.MODE + "=enforce --overwrite",
                        name,
                        label == null ? "(no label)" : label,
                        name);
            }
        } else {
            outOfStep.remove(name);
        }
    }

    private void put(Namespace ns) {
        checkStep(ns);
        ObjectNode metadata = JsonNodeFactory.instance.objectNode();
        metadata.put("name", ns.getMetadata().getName());
        ObjectNode labels = metadata.putObject("labels");
        Objects.requireNonNullElse(ns.getMetadata().getLabels(), Map.<String, String>of())
                .forEach(labels::put);
        ObjectNode annotations = metadata.putObject("annotations");
        Objects.requireNonNullElse(ns.getMetadata().getAnnotations(), Map.<String, String>of())
                .forEach(annotations::put);
        ObjectNode entry = JsonNodeFactory.instance.objectNode();
        entry.set("metadata", metadata);
        namespaces.put(ns.getMetadata().getName(), entry);
        if (ns.getMetadata().getDeletionTimestamp() == null && ns.getMetadata().getUid() != null) {
            active.put(ns.getMetadata().getName(), ns.getMetadata().getUid());
        } else {
            active.remove(ns.getMetadata().getName());
        }
    }

    private static String modeOf(Namespace ns) {
        Map<String, String> annotations = ns.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(AdmissionHandler.MODE_ANNOTATION);
    }
}
