package dev.tailor.generate;

import dev.tailor.identity.Pods;
import dev.tailor.identity.Workload;
import dev.tailor.store.ObservationStore.StoredAccess;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How far Tailor has learned a workload: the span of its observed behavior, the days with data, when it last did
 * something new — and whether that is enough to propose policies for it. Judged by evidence, not only the clock:
 * <ul>
 *   <li>a workload needs data on every day of the window and a quiet period (no new behavior) before its end;</li>
 *   <li>a workload whose pods all started before observation began is <em>partial</em> until a restart is seen —
 *       what it does when it starts (reading its Secret, its start-up syscalls) was never observed;</li>
 *   <li>a Job or CronJob is judged by its runs: at least one in a full window, and the last run brought nothing
 *       new (a weekly job needs its run; it is not "quiet" for not running);</li>
 *   <li>replicas are one workload: their behavior is merged.</li>
 * </ul>
 */
public record LearningState(
        Workload workload,
        Instant firstSeen,
        Instant lastSeen,
        int daysWithData,
        Instant lastNewBehavior,
        String newestBehavior,
        int runs,
        boolean partial,
        List<String> learningBecause) {

    public boolean proposed() {
        return learningBecause.isEmpty();
    }

    /** One piece of a workload's observed behavior, with what it was in words. */
    private record Evidence(StoredAccess seen, String what) {}

    /**
     * The state of every workload the window shows. With {@code worldIngress}, connections from outside the
     * cluster count as one behavior per destination port (a new client address is not new behavior: the policy will
     * allow any); otherwise each client address is its own.
     */
    public static Map<Workload, LearningState> assess(
            Observations obs, Duration window, Duration quiet, boolean worldIngress) {
        Map<Workload, List<Evidence>> rows = new TreeMap<>();
        // Each row's workload is looked up by equality first: a million rows each walking the sorted map cost a
        // seventh of a large cluster's generation. The sorted map still decides which workloads are one.
        Map<Workload, List<Evidence>> known = new java.util.HashMap<>();
        java.util.function.Function<Workload, List<Evidence>> rowsOf =
                w -> known.computeIfAbsent(w, k -> rows.computeIfAbsent(k, x -> new ArrayList<>()));
        obs.api.forEach((a, s) -> {
            if (a.subject().startsWith("system:serviceaccount:")) {
                String[] parts = a.subject().split(":");
                if (parts.length == 4) {
                    obs.runningAs(parts[2], parts[3])
                            .forEach(w -> rowsOf.apply(w).add(new Evidence(s, Reports.describe(a))));
                }
            }
        });
        Map<String, StoredAccess> fromOutside = new TreeMap<>();
        obs.edges.forEach((e, s) -> {
            String what = Reports.describe(e);
            if (!e.srcNamespace().isEmpty()) {
                rowsOf.apply(Workload.parse(e.srcNamespace(), e.srcWorkload())).add(new Evidence(s, what));
            }
            if (!e.dstNamespace().isEmpty()) {
                if (worldIngress
                        && e.srcNamespace().isEmpty()
                        && e.srcWorkload().isEmpty()) {
                    // Merge every outside client of one destination port into one behavior, first seen at the earliest.
                    String key = e.dstNamespace() + "/" + e.dstWorkload() + " " + e.protocol() + "/" + e.port();
                    fromOutside.merge(
                            key, s, (x, y) -> x.firstSeen().isBefore(y.firstSeen()) ? merged(x, y) : merged(y, x));
                } else {
                    rowsOf.apply(Workload.parse(e.dstNamespace(), e.dstWorkload()))
                            .add(new Evidence(s, what));
                }
            }
        });
        fromOutside.forEach((key, s) -> {
            String dst = key.substring(0, key.indexOf(' '));
            int slash = dst.indexOf('/');
            rowsOf.apply(Workload.parse(dst.substring(0, slash), dst.substring(slash + 1)))
                    .add(new Evidence(s, "clients outside the cluster -> " + key));
        });
        obs.syscalls.forEach((u, s) -> {
            // kubectl debug's containers are not the workload's: nothing of theirs is proposed, nor learned from (a
            // debugging session in the window's last day would hold the workload's proposal back).
            if (!u.workload().isEmpty() && !obs.debugContainer(u)) {
                rowsOf.apply(Workload.parse(u.namespace(), u.workload()))
                        .add(new Evidence(s, "syscall " + u.syscall() + " in container " + u.container()));
            }
        });
        obs.pods.keySet().forEach(p -> rowsOf.apply(Observations.workload(p)));

        Set<LocalDate> windowDays = new TreeSet<>();
        rows.values()
                .forEach(list ->
                        list.forEach(e -> windowDays.addAll(e.seen().days().keySet())));
        int needDays = (int) window.toDays();
        Map<Workload, LearningState> out = new TreeMap<>();
        rows.forEach((w, list) -> out.put(w, assess(obs, w, list, windowDays.size() >= needDays, needDays, quiet)));
        return out;
    }

    /** Two sightings as one: the first's first sighting, the later last, counts and days added. */
    private static StoredAccess merged(StoredAccess earlier, StoredAccess other) {
        Map<LocalDate, Long> days = new TreeMap<>(earlier.days());
        other.days().forEach((d, n) -> days.merge(d, n, Long::sum));
        return new StoredAccess(
                earlier.firstSeen(),
                earlier.lastSeen().isAfter(other.lastSeen()) ? earlier.lastSeen() : other.lastSeen(),
                earlier.count() + other.count(),
                days);
    }

    private static LearningState assess(
            Observations obs, Workload w, List<Evidence> evidence, boolean windowFull, int needDays, Duration quiet) {
        List<String> because = new ArrayList<>();
        Map<String, Instant> pods = obs.podsOf(w);
        if (evidence.isEmpty()) {
            because.add("nothing it did was observed");
            return new LearningState(w, null, null, 0, null, "", 0, false, because);
        }
        List<StoredAccess> rows = evidence.stream().map(Evidence::seen).toList();
        Instant first = rows.stream()
                .map(StoredAccess::firstSeen)
                .min(Instant::compareTo)
                .orElseThrow();
        Instant last = rows.stream()
                .map(StoredAccess::lastSeen)
                .max(Instant::compareTo)
                .orElseThrow();
        Evidence newest = evidence.stream()
                .max(java.util.Comparator.comparing((Evidence e) -> e.seen().firstSeen())
                        .thenComparing(Evidence::what))
                .orElseThrow();
        Instant lastNew = newest.seen().firstSeen();
        Set<LocalDate> days = new TreeSet<>();
        rows.forEach(s -> days.addAll(s.days().keySet()));
        boolean partial = !pods.isEmpty() && !obs.startSeen(w);
        int runs = (int) pods.values().stream()
                .filter(t -> !t.isBefore(obs.from) && !t.isAfter(obs.until))
                .count();
        boolean job = w.kind().equals("Job") || w.kind().equals("CronJob");
        if (pods.isEmpty()) {
            because.add("no pod of it was seen admitted (its owner and labels are unknown: give the admission stream)");
        } else if (job) {
            because.addAll(jobStillLearning(pods, runs, lastNew, windowFull, needDays));
        } else {
            because.addAll(stillLearning(obs, pods, days.size(), newest, partial, needDays, quiet));
        }
        return new LearningState(
                w, first, last, days.size(), lastNew, newest.what(), runs, partial, List.copyOf(because));
    }

    /** Why a Job or CronJob is still learning: a full window, and a last run that did nothing new. */
    private static List<String> jobStillLearning(
            Map<String, Instant> pods, int runs, Instant lastNew, boolean windowFull, int needDays) {
        List<String> because = new ArrayList<>();
        Instant lastRun = pods.values().stream().max(Instant::compareTo).orElseThrow();
        if (!windowFull) {
            because.add("the window is not full yet: observed on fewer than " + needDays + " days");
        }
        if (runs == 0) {
            because.add("no run seen in the window");
        } else if (runs == 1 && !lastNew.isBefore(lastRun)) {
            // Nothing to compare its run with: a weekly CronJob has one run in a week's window.
            because.add("one run in the window (" + lastRun + "): a Job is proposed when a later run does nothing "
                    + "an earlier one did not (for a weekly schedule, observe two weeks: --since 14d)");
        } else if (!lastNew.isBefore(lastRun)) {
            because.add("its last run (" + lastRun + ") did something new");
        }
        return because;
    }

    /** Why a long-running workload is still learning: days observed, quiet time since new behaviour, a start seen. */
    private static List<String> stillLearning(
            Observations obs,
            Map<String, Instant> pods,
            int days,
            Evidence newest,
            boolean partial,
            int needDays,
            Duration quiet) {
        List<String> because = new ArrayList<>();
        if (days < needDays) {
            because.add("observed on " + days + " of " + needDays + " days");
        }
        Duration sinceNew = Duration.between(newest.seen().firstSeen(), obs.until);
        if (sinceNew.compareTo(quiet) < 0) {
            because.add("new behavior " + sinceNew.toHours() + " h before the window's end (" + newest.what()
                    + "; needs " + quiet.toHours() + " h without)"
                    + (newest.what().startsWith("clients outside")
                                    || newest.what().matches("^[0-9a-f.:]+ -> .*")
                            ? "; new client addresses from outside count as new behavior unless --allow-world-ingress"
                            : ""));
        }
        if (partial) {
            // A pod's earliest sighting: its creationTimestamp when it was listed or admitted, its first flow when
            // only flows named it (kube-system's).
            because.add("no pod of it seen created (earliest pod sighting "
                    + pods.values().stream().min(Instant::compareTo).orElseThrow() + ") and no restart seen: "
                    + "what it does when it starts was never observed");
        }
        return because;
    }

    /** The service-account user of a namespace and name. */
    static String user(String namespace, String serviceAccount) {
        return Pods.serviceAccountUser(namespace, serviceAccount);
    }
}
