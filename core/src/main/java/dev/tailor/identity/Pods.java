package dev.tailor.identity;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The pods Tailor has seen admitted, by namespace and name, and the workloads that run as each service account.
 * Attribution asks here first — an owner reference says for certain what a name only suggests — and falls back to
 * the name and label shapes of {@link WorkloadIdentity#ofPod} for pods that were created before the webhook saw
 * them.
 */
public final class Pods {

    // Concurrent: the reading threads of one input attribute flows at the same time.
    private final Map<String, Map<String, Workload>> byPod = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Set<Workload>> byServiceAccount = new TreeMap<>();
    /**
     * What the name and labels said for pods not seen admitted (forgotten all at once beyond {@value #GUESSES_KEPT}):
     * a pod sends and receives thousands of flows, and matching its name against the controllers' name shapes costs
     * more than reading a flow.
     */
    private final Map<Guess, Workload> guessed = new java.util.concurrent.ConcurrentHashMap<>();

    private static final int GUESSES_KEPT = 10_000;
    private final Map<Workload, String> keys = new java.util.concurrent.ConcurrentHashMap<>();
    /** Pods named only by flows here, with their earliest flow: see {@link #flowOnlySince}. */
    private final Map<String, Instant> flowOnly = new java.util.concurrent.ConcurrentHashMap<>();

    /** The guess made last for a pod name, and with which labels map (compared by identity) in which namespace. */
    private record LastGuess(String namespace, Map<String, String> labels, Workload workload) {}

    private final Map<String, LastGuess> lastGuess = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Pods, as {@code namespace/pod}, whose latest creation seen vouched for none of Kubernetes' controllers' owners
     * ({@link OwnerClaims}): each is its own workload, whatever any sighting of it, or a flow, says.
     */
    private final Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** What a guess depends on: the pod's name and the only labels that decide between the name shapes. */
    private record Guess(
            String namespace,
            String pod,
            String batchJobName,
            String jobName,
            boolean statefulSetPod,
            boolean controllerRevision) {}

    /**
     * What the store says of pods' latest creations ({@code namespace/pod} → whether it vouched for no controller's
     * owner): another replica's, or names created again by their controller.
     */
    public void refusals(Map<String, Boolean> latest) {
        latest.forEach((pod, refusedNow) -> {
            if (refusedNow) {
                refused.add(pod);
            } else {
                refused.remove(pod);
            }
        });
    }

    /**
     * A sighting as Tailor takes it: of a pod whose latest creation vouched for no controller's owner (this sighting or
     * an earlier one), the pod itself as its workload — an update of such a pod, its listing, its adoption by a
     * ReplicaSet name the owner again; else as it is. A creation decides anew: a StatefulSet's pod's name comes back.
     */
    public PodRecord decided(PodRecord pod) {
        if (pod.pod().isEmpty()) {
            return pod; // a creation before its name was generated (a mutating webhook's review): its own already
        }
        String key = pod.namespace() + "/" + pod.pod();
        if (pod.ownerRefused()) {
            refused.add(key);
        } else if (pod.created()) {
            refused.remove(key);
        }
        return refused.contains(key) ? pod.withWorkload(own(pod.namespace(), pod.pod())) : pod;
    }

    /** Whether the pod's latest creation seen vouched for none of Kubernetes' controllers' owners ({@link #decided}). */
    public boolean refused(String namespace, String pod) {
        return refused.contains(namespace + "/" + pod);
    }

    private static Workload own(String namespace, String pod) {
        return new Workload(namespace, "Pod", pod);
    }

    public synchronized void add(PodRecord sighting) {
        PodRecord pod = decided(sighting);
        if (!pod.pod().isEmpty()) {
            String key = pod.namespace() + "/" + pod.pod();
            if (!pod.key().startsWith("flow:")) {
                flowOnly.remove(key);
            } else if (!knows(pod.namespace(), pod.pod()) || flowOnly.containsKey(key)) {
                flowOnly.merge(key, pod.time(), (a, b) -> a.isBefore(b) ? a : b);
            }
            byPod.computeIfAbsent(pod.namespace(), k -> new java.util.concurrent.ConcurrentHashMap<>())
                    .put(pod.pod(), pod.workload());
        }
        if (!pod.serviceAccount().isEmpty()) {
            byServiceAccount
                    .computeIfAbsent(serviceAccountUser(pod.namespace(), pod.serviceAccount()), k -> new TreeSet<>())
                    .add(pod.workload());
        }
    }

    /** Whether the pod is known from a sighting (the admission stream, or a flow that named its labels). */
    /**
     * For a pod known in this process only from flows (no admission review named it), its earliest flow sighting so
     * far; null for any other pod. A forwarder's batches arrive out of order: an earlier flow is still news.
     */
    public Instant flowOnlySince(String namespace, String pod) {
        return flowOnly.get(namespace + "/" + pod);
    }

    public boolean knows(String namespace, String pod) {
        Map<String, Workload> inNamespace = byPod.get(namespace);
        return inNamespace != null && inNamespace.containsKey(pod);
    }

    /**
     * The workload of a pod: the admitted pod's owner (the pod itself when its creation's owner was not believed),
     * else what Hubble names, else the pod's name and labels.
     */
    public Workload workload(String namespace, String pod, Map<String, String> labels, Workload named) {
        if (!refused.isEmpty() && refused.contains(namespace + "/" + pod)) {
            // whatever was added before the refusal was known (another replica saw the creation), or Hubble names
            return own(namespace, pod);
        }
        Map<String, Workload> inNamespace = byPod.get(namespace);
        Workload known = inNamespace == null ? null : inNamespace.get(pod);
        if (known != null) {
            return known;
        }
        if (named != null) {
            return named;
        }
        // The flows of a pod come with the very same labels map each time (the readers share one per distinct
        // labels array): for the same map, namespace and pod, the guess is the one made last time.
        LastGuess last = lastGuess.get(pod);
        if (last != null && last.labels() == labels && last.namespace().equals(namespace)) {
            return last.workload();
        }
        Guess key = new Guess(
                namespace,
                pod,
                labels.get("batch.kubernetes.io/job-name"),
                labels.get("job-name"),
                labels.containsKey("statefulset.kubernetes.io/pod-name"),
                labels.containsKey("controller-revision-hash"));
        Workload guess = guessed.get(key);
        if (guess == null) {
            if (guessed.size() >= GUESSES_KEPT) {
                guessed.clear();
            }
            guess = WorkloadIdentity.ofPod(namespace, pod, labels);
            guessed.put(key, guess);
        }
        if (lastGuess.size() >= GUESSES_KEPT) {
            lastGuess.clear();
        }
        lastGuess.put(pod, new LastGuess(namespace, labels, guess));
        return guess;
    }

    /**
     * The key ({@link Workload#key}) of a pod's workload, as {@link #workload} finds it: the same String for the
     * same workload each time, so that what is counted by it hashes it once (forgotten all at once beyond
     * {@value #GUESSES_KEPT} workloads).
     */
    public String workloadKey(String namespace, String pod, Map<String, String> labels, Workload named) {
        Workload workload = workload(namespace, pod, labels, named);
        String key = keys.get(workload);
        if (key == null) {
            if (keys.size() >= GUESSES_KEPT) {
                keys.clear();
            }
            key = workload.key();
            keys.put(workload, key);
        }
        return key;
    }

    /**
     * The workloads whose pods run as a subject, for {@code system:serviceaccount:NS:NAME}; empty for other
     * users and for accounts no admitted pod runs as (controllers' own accounts, tokens used from outside).
     */
    public synchronized Set<Workload> runningAs(String subject) {
        return Set.copyOf(byServiceAccount.getOrDefault(subject, Set.of()));
    }

    public int size() {
        return byPod.values().stream().mapToInt(Map::size).sum();
    }

    public static String serviceAccountUser(String namespace, String name) {
        return "system:serviceaccount:" + namespace + ":" + name;
    }

    /** Pods by namespace/name → workload, sorted (for summaries and tests). */
    public synchronized Map<String, Workload> all() {
        Map<String, Workload> all = new TreeMap<>();
        byPod.forEach((namespace, pods) -> pods.forEach((pod, workload) -> all.put(namespace + "/" + pod, workload)));
        return all;
    }
}
