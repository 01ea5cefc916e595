package dev.tailor.webhook;

import dev.tailor.policy.PolicyEngine;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.ObserverMethod;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The webhook's start, run beside itself. Tailor's code first runs when the TLS registry asks {@code ClientTrust} for
 * the trust store, which waits for the API server's front-proxy settings: the client's first request, a few hundred
 * milliseconds on a cold JVM. The policies' build and the informers' first lists {@link #begin} there, on threads of
 * their own, so that they run beside that call instead of after it ({@link StartupEvent} begins them when no trust
 * store was asked for).
 *
 * <p>Quarkus's start then waits for those lists, and for the approved objects they found to be published, at most
 * {@link #FIRST_LISTS_WAIT}, before it opens the port: no decision is made before the approvals are known, and the
 * lists' first decoding, which loads some thousand model classes, falls within the boot (a class loaded after it costs
 * more: Quarkus's class loader then keeps only four jars open, and reads a jar's directory again each time it opens
 * one). A list that takes longer does not hold the start: the webhook opens its port and becomes ready once every list
 * is in. What readiness does not need waits: a first list of pods, {@link #POD_LIST_AFTER} after those lists.
 */
@ApplicationScoped
public class StartupWork {

    private static final Logger LOG = Logger.getLogger(StartupWork.class);

    /** How long the start waits for the informers' first lists before it opens the port without them. */
    static final Duration FIRST_LISTS_WAIT = Duration.ofSeconds(5);

    /**
     * When the first list of pods is made, after the informers' first lists: off the start, whose CPU it took (the
     * pod model's decoder is the largest the client builds), and long before an admin's first switch to enforce.
     */
    static final Duration POD_LIST_AFTER = Duration.ofSeconds(5);

    private final TailorConfig config;
    private final NamespaceCache namespaces;
    private final ApprovedObjects approved;
    private final KubernetesClient client;
    private CompletableFuture<PolicyEngine> engine;
    private CompletableFuture<Void> firstLists;
    private volatile boolean stopping;

    public StartupWork(
            TailorConfig config, NamespaceCache namespaces, ApprovedObjects approved, KubernetesClient client) {
        this.config = config;
        this.namespaces = namespaces;
        this.approved = approved;
        this.client = client;
    }

    /** Begins the policies' build, once. */
    public synchronized void buildPolicies() {
        if (engine == null) {
            engine = CompletableFuture.supplyAsync(this::buildEngine, ownThread("tailor-start-policies"));
        }
    }

    /** Begins the policies' build and the informers' first lists, once. */
    public synchronized void begin() {
        buildPolicies();
        if (firstLists == null) {
            firstLists = CompletableFuture.allOf(namespaces.start(), approved.start());
            firstLists.whenComplete((listed, failed) -> CompletableFuture.delayedExecutor(
                            POD_LIST_AFTER.toMillis(), TimeUnit.MILLISECONDS, ownThread("tailor-first-pod-list"))
                    .execute(this::listPodsOnce));
        }
    }

    void begin(@Observes StartupEvent event) {
        begin();
    }

    /** The policies, once built (the start fails with the reason they could not be). */
    PolicyEngine engine() {
        buildPolicies();
        try {
            return engine.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    void awaitFirstLists(@Observes @Priority(ObserverMethod.DEFAULT_PRIORITY + 1000) StartupEvent event) {
        CompletableFuture<Void> lists;
        synchronized (this) {
            lists = firstLists;
        }
        try {
            lists.get(FIRST_LISTS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.infof(
                    "the informers' first lists took more than %d s: the webhook opens its port and is ready once "
                            + "they are in",
                    FIRST_LISTS_WAIT.toSeconds());
        } catch (ExecutionException e) {
            // each informer says in the log why it could not list; readiness waits for it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop(@Observes io.quarkus.runtime.ShutdownEvent event) {
        stopping = true;
    }

    private PolicyEngine buildEngine() {
        long start = System.nanoTime();
        PolicyEngine built = PolicyEngine.bundled(
                config.engine().instanceCount(), config.engine().borrowTimeout());
        built.setData(PolicyData.from(config));
        LOG.infof(
                "policies loaded: %d WASM instances in %d ms; %s",
                config.engine().instanceCount(), (System.nanoTime() - start) / 1_000_000, PolicyEngine.jitGuard());
        return built;
    }

    /**
     * One small pod list: the first list of pods pays for their model's classes (hundreds), which would otherwise
     * fall on the first admin's switch to enforce. A failure is said.
     */
    private void listPodsOnce() {
        if (stopping) {
            return; // the client is closing, or closed
        }
        try {
            client.pods()
                    .inNamespace("default")
                    .list(new ListOptionsBuilder().withLimit(1L).build());
        } catch (RuntimeException e) {
            LOG.warnf(
                    "pods cannot be listed (%s): a switch to enforce will not check the pods a namespace runs",
                    e.getMessage());
        }
    }

    private static Executor ownThread(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            t.start();
        };
    }
}
