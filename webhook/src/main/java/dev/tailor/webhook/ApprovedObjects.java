package dev.tailor.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.contract.Names;
import dev.tailor.policy.PolicyEngine;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * What was approved: the objects Tailor generated ({@code app.kubernetes.io/managed-by: tailor}) once the user's
 * GitOps tooling applied them, watched by informers and turned into the policies' {@code data.approved}:
 * <pre>{"workloads": {"shop": {"deployment.api": {"serviceAccount": "api", "seccompProfiles": {"server": "operator/shop/api-server.json"}}}},
 *  "networkPolicies": {"shop": {"tailor-deployment-api": {"spec": {…}}}},
 *  "accounts": {"shop/api": {"bindings": ["shop/tailor-api"]}}}</pre>
 * A workload's approved service account is the one its generated NetworkPolicy or SeccompProfile names
 * ({@code tailor.dev/service-account}); each container's seccomp profile, the SeccompProfile generated for it (named
 * by {@code tailor.dev/container}; the path is where the Security Profiles Operator installs it), or, for a workload
 * whose one SeccompProfile names no container (an older Tailor's), that one for every container; an account is
 * approved when a generated binding names it. The approved
 * file of the configuration (tailor.approved-file) is the base the cluster's objects are laid over.
 */
@ApplicationScoped
public class ApprovedObjects {

    private static final Logger LOG = Logger.getLogger(ApprovedObjects.class);
    static final ResourceDefinitionContext SECCOMP_PROFILES = new ResourceDefinitionContext.Builder()
            .withGroup("security-profiles-operator.x-k8s.io")
            .withVersion("v1beta1")
            .withKind("SeccompProfile")
            .withPlural("seccompprofiles")
            .withNamespaced(true)
            .build();

    private final KubernetesClient client;
    private final PolicyEngine engine;
    private final TailorConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, HasMetadata> objects = new ConcurrentHashMap<>();
    /**
     * Rebuilding data.approved reads every object, so changes are gathered for {@value #SETTLE_MILLIS} ms and
     * published once: an informer's first list (or a resync) of a thousand objects is one rebuild, not a thousand.
     */
    static final long SETTLE_MILLIS = 200;
    /** How often a webhook whose API server did not serve SeccompProfiles asks again. */
    static final long SECCOMP_RECHECK_SECONDS = 10;

    private final java.util.concurrent.atomic.AtomicBoolean publishPending =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ScheduledExecutorService publisher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tailor-approved-objects");
                t.setDaemon(true);
                return t;
            });
    private final List<SharedIndexInformer<?>> informers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean synced;

    public ApprovedObjects(KubernetesClient client, PolicyEngine engine, TailorConfig config) {
        this.client = client;
        this.engine = engine;
        this.config = config;
    }

    /**
     * Starts the informers without waiting for them ({@link StartupWork} says when). The webhook is ready only once
     * they have all listed and their objects are published ({@link #synced()}): until then {@code data.approved}
     * would say nothing is approved. The stage completes once the first lists are published (exceptionally when
     * one failed, each failure said in the log).
     */
    CompletableFuture<Void> start() {
        List<CompletableFuture<Void>> lists = new ArrayList<>();
        lists.add(watch(client.network()
                .v1()
                .networkPolicies()
                .inAnyNamespace()
                .withLabel(Names.MANAGED_BY, Names.MANAGER)
                .runnableInformer(0)));
        lists.add(watch(client.rbac()
                .roleBindings()
                .inAnyNamespace()
                .withLabel(Names.MANAGED_BY, Names.MANAGER)
                .runnableInformer(0)));
        lists.add(watch(client.rbac()
                .clusterRoleBindings()
                .withLabel(Names.MANAGED_BY, Names.MANAGER)
                .runnableInformer(0)));
        lists.add(CompletableFuture.supplyAsync(this::seccompProfilesListed, publisher)
                .thenCompose(status -> {
                    if (status == 200) {
                        return watch(seccompProfiles());
                    }
                    LOG.infof(
                            "SeccompProfiles cannot be read (%d: is the Security Profiles Operator installed?): approved "
                                    + "seccomp profiles come from tailor.approved-file only, until they can be "
                                    + "(asked again every %d s)",
                            status, SECCOMP_RECHECK_SECONDS);
                    watchSeccompProfilesOnceServed();
                    return CompletableFuture.completedFuture(null);
                }));
        // Every first list answered (or failed, which each says): publish now, not after the settling delay.
        return CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new))
                .whenCompleteAsync((ok, error) -> publishFirst(), publisher);
    }

    /**
     * Asks again, every {@value #SECCOMP_RECHECK_SECONDS} s, whether SeccompProfiles are served, and watches them from
     * then on: the Security Profiles Operator installed after Tailor, its approved profiles count without a restart.
     */
    private void watchSeccompProfilesOnceServed() {
        publisher.schedule(
                () -> {
                    if (seccompProfilesListed() != 200) {
                        watchSeccompProfilesOnceServed();
                        return;
                    }
                    LOG.info("SeccompProfiles can be read now: the approved ones count from their first list");
                    watch(seccompProfiles());
                },
                SECCOMP_RECHECK_SECONDS,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    private SharedIndexInformer<GenericKubernetesResource> seccompProfiles() {
        return client.genericKubernetesResources(SECCOMP_PROFILES)
                .inAnyNamespace()
                .withLabel(Names.MANAGED_BY, Names.MANAGER)
                .runnableInformer(0);
    }

    /**
     * 200 when the API serves SeccompProfiles (the Security Profiles Operator is installed) and Tailor may list them,
     * else the API server's answer.
     */
    private int seccompProfilesListed() {
        try {
            client.genericKubernetesResources(SECCOMP_PROFILES)
                    .inAnyNamespace()
                    .withLabel(Names.MANAGED_BY, Names.MANAGER)
                    .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                            .withLimit(1L)
                            .build());
            return 200;
        } catch (KubernetesClientException e) {
            return e.getCode();
        }
    }

    private void publishFirst() {
        publishOrSay();
        synced = true;
    }

    /** {@link #publish}, a failure said in the log (the objects known stay as they were). */
    private void publishOrSay() {
        try {
            publish();
        } catch (RuntimeException e) {
            LOG.warnf("approved objects could not be published: %s", e.getMessage());
        }
    }

    /** True once every informer's first list has been published to the policies. */
    public boolean synced() {
        return synced;
    }

    /** Starts the informer; the stage completes with its first list (exceptionally when that failed, as logged). */
    private <T extends HasMetadata> CompletableFuture<Void> watch(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T o) {
                objects.put(key(o), o);
                changed();
            }

            @Override
            public void onUpdate(T before, T after) {
                objects.remove(key(before));
                objects.put(key(after), after);
                changed();
            }

            @Override
            public void onDelete(T o, boolean unknown) {
                objects.remove(key(o));
                changed();
            }
        });
        informers.add(informer);
        return informer.start().toCompletableFuture().whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warnf("an informer of approved objects could not start: %s", error.getMessage());
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        informers.forEach(SharedIndexInformer::stop);
        publisher.shutdownNow();
    }

    /** Publishes within {@value #SETTLE_MILLIS} ms, once for all the changes made meanwhile. */
    private void changed() {
        if (publishPending.compareAndSet(false, true)) {
            publisher.schedule(
                    () -> {
                        publishPending.set(false); // a change from now on schedules another publish
                        publishOrSay();
                    },
                    SETTLE_MILLIS,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private static String key(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/"
                + o.getMetadata().getName();
    }

    /** Rebuilds data.approved from the objects known now and hands it to the policies. */
    synchronized void publish() {
        ObjectNode data = PolicyData.from(config);
        ObjectNode approved = (ObjectNode) data.get("approved");
        ObjectNode workloads = approved.withObjectProperty("workloads");
        ObjectNode policies = approved.putObject("networkPolicies");
        ObjectNode accounts = approved.putObject("accounts");
        Map<String, Map<String, Set<String>>> profiles = new TreeMap<>(); // ns\0workload -> container -> paths
        Map<String, Map<String, String>> serviceAccounts = new TreeMap<>(); // ns\0workload -> account -> object
        for (HasMetadata o : new TreeMap<>(objects).values()) {
            String ns = o.getMetadata().getNamespace();
            String workload = orEmpty(o.getMetadata().getLabels()).getOrDefault(Names.WORKLOAD, "");
            if (o instanceof NetworkPolicy np) {
                policies.withObjectProperty(ns)
                        .putObject(np.getMetadata().getName())
                        .set("spec", json.valueToTree(np.getSpec()));
            } else if (o instanceof RoleBinding rb) {
                bindings(accounts, ns, rb.getMetadata().getName(), rb.getSubjects());
            } else if (o instanceof ClusterRoleBinding crb) {
                bindings(accounts, ns, crb.getMetadata().getName(), crb.getSubjects());
            } else if (o instanceof GenericKubernetesResource && !workload.isEmpty()) {
                String container = orEmpty(o.getMetadata().getAnnotations()).getOrDefault(Names.CONTAINER, "");
                profiles.computeIfAbsent(ns + "\u0000" + workload, k -> new TreeMap<>())
                        .computeIfAbsent(container, k -> new TreeSet<>())
                        .add("operator/" + ns + "/" + o.getMetadata().getName() + ".json");
            }
            String account = orEmpty(o.getMetadata().getAnnotations()).get(Names.SERVICE_ACCOUNT);
            if (account != null && !workload.isEmpty() && ns != null) {
                serviceAccounts
                        .computeIfAbsent(ns + "\u0000" + workload, k -> new TreeMap<>())
                        .putIfAbsent(account, key(o));
            }
        }
        serviceAccounts(workloads, serviceAccounts);
        seccompProfiles(workloads, profiles);
        engine.setData(data);
        LOG.debugf("approved objects: %d", objects.size());
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }

    /** The service accounts a binding approves, each with the binding's {@code namespace/name}. */
    private static void bindings(ObjectNode accounts, String ns, String name, List<Subject> subjects) {
        for (Subject s : subjects == null ? List.<Subject>of() : subjects) {
            if ("ServiceAccount".equals(s.getKind())) {
                String account =
                        (s.getNamespace() != null ? s.getNamespace() : ns == null ? "" : ns) + "/" + s.getName();
                accounts.withObjectProperty(account).withArray("bindings").add((ns == null ? "" : ns + "/") + name);
            }
        }
    }

    /**
     * One profile per container ({@code seccompProfiles}), or one SeccompProfile that names no container, for every
     * container ({@code seccompProfile}). Two for one container, or one naming no container beside others, cannot
     * say which a container must run: none of the workload's is believed, and it is said loudly.
     */
    private static void seccompProfiles(ObjectNode workloads, Map<String, Map<String, Set<String>>> profiles) {
        profiles.forEach((key, byContainer) -> {
            String[] parts = key.split("\u0000");
            Set<String> unnamed = byContainer.getOrDefault("", Set.of());
            if (byContainer.size() == 1 && unnamed.size() == 1) {
                workload(workloads, parts)
                        .put("seccompProfile", unnamed.iterator().next());
            } else if (unnamed.isEmpty() && byContainer.values().stream().allMatch(paths -> paths.size() == 1)) {
                ObjectNode named = workload(workloads, parts).putObject("seccompProfiles");
                byContainer.forEach((container, paths) ->
                        named.put(container, paths.iterator().next()));
            } else {
                LOG.errorf(
                        "conflicting seccomp approvals for %s/%s: %s; none is used until each container has one",
                        parts[0],
                        parts[1],
                        byContainer.entrySet().stream()
                                .filter(e ->
                                        e.getKey().isEmpty() || e.getValue().size() > 1)
                                .map(e -> (e.getKey().isEmpty()
                                                ? "no " + Names.CONTAINER + " on "
                                                : "container " + e.getKey() + " in ")
                                        + e.getValue())
                                .toList());
            }
        });
    }

    /** The approvals of a workload ({@code namespace, kind.name}), made when first asked for. */
    private static ObjectNode workload(ObjectNode workloads, String[] namespaceAndWorkload) {
        return workloads.withObjectProperty(namespaceAndWorkload[0]).withObjectProperty(namespaceAndWorkload[1]);
    }

    /**
     * One approval per workload. Two that name different accounts are a conflict (an approval applied twice in
     * different versions, or one forged while the webhook was down): neither is believed, and it is said loudly,
     * rather than letting map order pick a winner.
     */
    private static void serviceAccounts(ObjectNode workloads, Map<String, Map<String, String>> serviceAccounts) {
        serviceAccounts.forEach((key, approving) -> {
            String[] parts = key.split("\u0000");
            if (approving.size() == 1) {
                workload(workloads, parts)
                        .put("serviceAccount", approving.keySet().iterator().next());
            } else {
                LOG.errorf(
                        "conflicting approvals for %s/%s: %s; none is used until one remains",
                        parts[0],
                        parts[1],
                        approving.entrySet().stream()
                                .map(e -> e.getValue() + " approves " + e.getKey())
                                .toList());
            }
        });
    }
}
