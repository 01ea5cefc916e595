package dev.tailor.webhook.reports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.contract.Names;
import dev.tailor.policy.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What audit mode would have denied, as one report per namespace in the format policy engines' users read with
 * {@code kubectl get}: OpenReports' {@code Report} ({@code openreports.io/v1alpha1}) or, on clusters that still have
 * only Kyverno's older CRD, {@code PolicyReport} ({@code wgpolicyk8s.io/v1alpha2}) — the same shape.
 *
 * <p>One result per check and workload (the nightly job's seven pods are one result, counted seven times, naming its
 * latest pods), at most {@link #MAX_RESULTS} per namespace — the least recently seen goes first — so a namespace
 * that admits thousands of pods a day still has one small object, rewritten at most once per flush. Thread-safe: the
 * admission threads add, one flusher builds.
 */
public final class PolicyReports {

    /** Results kept per namespace. */
    public static final int MAX_RESULTS = 100;
    /** Resources named per result: its latest. */
    static final int RESOURCES_PER_RESULT = 3;
    /** The report's name in every namespace. */
    public static final String NAME = "tailor-audit";

    /** The report kinds, preferred first. */
    public enum Format {
        OPENREPORTS("openreports.io/v1alpha1", "Report"),
        WGPOLICY("wgpolicyk8s.io/v1alpha2", "PolicyReport");

        public final String apiVersion;
        public final String kind;

        Format(String apiVersion, String kind) {
            this.apiVersion = apiVersion;
            this.kind = kind;
        }
    }

    /** One object a check found: what kubectl would show as the result's resource. */
    public record Resource(String apiVersion, String kind, String namespace, String name) {}

    private record Key(String check, String workload) {}

    private static final class Result {
        final String check;
        final String category;
        final String workload;
        String message;
        long count;
        Instant last;
        final List<Resource> resources = new ArrayList<>();

        Result(String check, String category, String workload) {
            this.check = check;
            this.category = category;
            this.workload = workload;
        }
    }

    /** A namespace's results, for the namespace of that UID: one deleted and made again under its name is another. */
    private record Namespace(String uid, Map<Key, Result> results) {}

    private final Map<String, Namespace> byNamespace = new HashMap<>();
    private final java.util.Set<String> changed = new java.util.TreeSet<>();

    /** Audit mode let these through: enforce mode would have denied the object for each. */
    public synchronized void wouldDeny(
            Instant time,
            String namespace,
            String uid,
            String workload,
            Resource resource,
            List<Violation> violations) {
        if (namespace.isEmpty() || violations.isEmpty()) {
            return;
        }
        Namespace known = byNamespace.get(namespace);
        if (known == null || !known.uid().equals(uid)) {
            known = new Namespace(uid, new LinkedHashMap<>());
            byNamespace.put(namespace, known);
        }
        Map<Key, Result> results = known.results();
        for (Violation v : violations) {
            Result r = results.computeIfAbsent(
                    new Key(v.check(), workload), k -> new Result(v.check(), v.category(), workload));
            r.count++;
            r.message = v.message();
            r.last = time;
            r.resources.remove(resource);
            r.resources.add(0, resource);
            if (r.resources.size() > RESOURCES_PER_RESULT) {
                r.resources.remove(RESOURCES_PER_RESULT);
            }
        }
        if (results.size() > MAX_RESULTS) {
            results.values().stream()
                    .sorted(Comparator.comparing((Result r) -> r.last))
                    .limit(results.size() - MAX_RESULTS)
                    .map(r -> new Key(r.check, r.workload))
                    .toList()
                    .forEach(results::remove);
        }
        changed.add(namespace);
    }

    /** The reports of the namespaces that changed since the last call, in {@code format}; the changes are taken. */
    public synchronized Map<String, ObjectNode> takeChanged(Format format) {
        Map<String, ObjectNode> out = new TreeMap<>();
        for (String namespace : changed) {
            out.put(
                    namespace,
                    report(
                            format,
                            namespace,
                            byNamespace.get(namespace).results().values()));
        }
        changed.clear();
        return out;
    }

    /** Forgets which reports changed, building none (there is nowhere to write them); the latest state is kept. */
    public synchronized void discardChanged() {
        changed.clear();
    }

    /**
     * Forgets the namespaces that are gone, being deleted, or deleted and made again since their results were taken
     * ({@code activeUid}: a namespace's UID while it exists and is not being deleted, else null): their reports
     * cannot be written, or would carry another namespace's results.
     */
    public synchronized void retain(java.util.function.Function<String, String> activeUid) {
        byNamespace.entrySet().removeIf(e -> !e.getValue().uid().equals(activeUid.apply(e.getKey())));
        changed.retainAll(byNamespace.keySet());
    }

    /** Forgets a namespace's results: it is gone. */
    public synchronized void forget(String namespace) {
        byNamespace.remove(namespace);
        changed.remove(namespace);
    }

    /** How many namespaces have results. */
    public synchronized int namespaces() {
        return byNamespace.size();
    }

    /** Marks a namespace's report as still to be written (its write failed). */
    public synchronized void retry(String namespace) {
        changed.add(namespace);
    }

    static ObjectNode report(Format format, String namespace, java.util.Collection<Result> results) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode report = f.objectNode().put("apiVersion", format.apiVersion).put("kind", format.kind);
        ObjectNode meta = report.putObject("metadata").put("name", NAME).put("namespace", namespace);
        meta.putObject("labels").put(Names.MANAGED_BY, Names.MANAGER);
        meta.putObject("annotations")
                .put(
                        Names.DESCRIPTION,
                        "what enforce mode would deny of what Tailor's audit mode admitted here (one result per check and workload)");
        if (format == Format.OPENREPORTS) {
            report.put("source", "tailor");
        }
        report.putObject("summary")
                .put("pass", 0)
                .put("fail", results.size())
                .put("warn", 0)
                .put("error", 0)
                .put("skip", 0);
        ArrayNode out = report.putArray("results");
        results.stream()
                .sorted(Comparator.comparing((Result r) -> r.check).thenComparing(r -> r.workload))
                .forEach(r -> {
                    ObjectNode result = out.addObject();
                    result.put("source", "tailor");
                    result.put("policy", policy(r.category));
                    result.put("rule", r.check);
                    result.put("category", category(r.category));
                    result.put("severity", r.category.equals("podSecurity") ? "high" : "medium");
                    result.put("result", "fail");
                    result.put("scored", true);
                    result.put(
                            "message",
                            r.message + " — admitted in audit mode; enforce mode would deny it (" + r.count
                                    + (r.count == 1 ? " request" : " requests") + ", the last at " + r.last + ")");
                    ArrayNode resources = result.putArray("resources");
                    for (Resource res : r.resources) {
                        resources
                                .addObject()
                                .put("apiVersion", res.apiVersion())
                                .put("kind", res.kind())
                                .put("namespace", res.namespace())
                                .put("name", res.name());
                    }
                    result.putObject("timestamp")
                            .put("seconds", r.last.getEpochSecond())
                            .put("nanos", 0);
                    ObjectNode properties = result.putObject("properties");
                    properties.put("workload", r.workload);
                    properties.put("requests", String.valueOf(r.count));
                    properties.put("mode", "audit");
                });
        return report;
    }

    /** The policy a check belongs to: Pod Security Standards checks carry PSA's own ids as their rule. */
    private static String policy(String category) {
        return switch (category) {
            case "podSecurity" -> "tailor-pod-security";
            case "rbac" -> "tailor-rbac";
            case "approved" -> "tailor-approved-behavior";
            default -> "tailor-" + category;
        };
    }

    private static String category(String category) {
        return switch (category) {
            case "podSecurity" -> "Pod Security Standards";
            case "rbac" -> "RBAC";
            case "approved" -> "Approved behavior";
            default -> category;
        };
    }
}
