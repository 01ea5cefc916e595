package dev.tailor.generate;

import dev.tailor.identity.Workload;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.rbac.RbacAuthorizer;
import dev.tailor.store.ObservationStore.StoredAccess;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Roles from observed API calls, per service account: a Role (and RoleBinding) in each namespace it used, a
 * ClusterRole (and ClusterRoleBinding) only for what needs one — cluster-scoped resources, non-resource URLs and
 * requests across all namespaces (a list or watch with no namespace) — or, as the named option
 * {@code clusterRoleAtNamespaces}, a rule used in at least that many namespaces.
 * <ul>
 *   <li>Verbs as observed, with the pair clients need together: an informer that watches also lists.</li>
 *   <li>Subresources kept ({@code pods/log}); {@code resourceNames} when at most {@code maxResourceNames} names were
 *       used and every verb allows names: never {@code create} or {@code deletecollection}; {@code list} and
 *       {@code watch} only when each carried the name (a {@code metadata.name} field selector, which RBAC
 *       checks against {@code resourceNames}).</li>
 *   <li>Rules compacted — resources of one API group with the same verbs and names in one rule — and sorted.</li>
 *   <li>Denied requests (403) are not granted; they are listed. Requests every account may already make — the
 *       roles Kubernetes binds to {@code system:authenticated} ({@code system:discovery}, {@code system:basic-user},
 *       {@code system:public-info-viewer}) and roles the user keeps — are not granted again.</li>
 * </ul>
 */
final class RbacGenerator {

    /**
     * Verbs that {@code resourceNames} can restrict. A list or watch carries a name when its field selector is
     * {@code metadata.name=NAME} (the API server then authorizes it, and audits it, with that name); create and
     * deletecollection never do.
     */
    private static final Set<String> NAMEABLE = Set.of("get", "update", "patch", "delete", "list", "watch");

    private static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    /** @param current the cluster's RBAC as it is, for "granted vs used" (null when not given) */
    record Options(
            int maxResourceNames,
            int clusterRoleAtNamespaces,
            List<dev.tailor.rbac.PolicyRule> kept,
            RbacAuthorizer current) {}

    private final Options options;

    RbacGenerator(Options options) {
        this.options = options;
    }

    /** One observed access kind within a scope: group, resource (with subresource) → verb → names. */
    private record Target(String apiGroup, String resource) implements Comparable<Target> {
        @Override
        public int compareTo(Target o) {
            int c = apiGroup.compareTo(o.apiGroup);
            return c != 0 ? c : resource.compareTo(o.resource);
        }
    }

    void generate(Observations obs, Map<Workload, LearningState> states, Generated out) {
        obs.serviceAccounts().forEach((namespace, accounts) -> {
            for (String account : accounts) {
                generate(obs, states, namespace, account, out);
            }
        });
    }

    private void generate(
            Observations obs, Map<Workload, LearningState> states, String namespace, String account, Generated out) {
        String user = LearningState.user(namespace, account);
        Set<Workload> workloads = obs.runningAs(namespace, account);
        List<String> learning = workloads.stream()
                .filter(w -> !states.get(w).proposed())
                .map(Workload::toString)
                .toList();
        Map<ApiAccess, StoredAccess> used = new TreeMap<>(obs.apiAccessesBy(user));
        String section = "RBAC: " + user;
        if (options.current() != null) {
            out.note(
                    section,
                    grantedVsUsed(
                            options.current().grants(RbacAuthorizer.Subject.serviceAccount(namespace, account)), used));
        }
        if (!learning.isEmpty()) {
            out.note(section, "not proposed: still learning " + String.join(", ", learning));
            return;
        }
        used.forEach((a, s) -> {
            if (a.denied()) {
                out.note(section, "denied, not granted: " + Reports.describe(a) + " (" + s.count() + " times)");
            }
        });
        Usage usage = usage(used);
        if (usage.alreadyAllowed > 0) {
            out.note(
                    section,
                    usage.alreadyAllowed
                            + " accesses already allowed to every account (discovery, basic-user or kept roles): not granted again");
        }
        if (usage.byScope.isEmpty() && usage.urls.isEmpty()) {
            out.note(section, "makes no API calls that need a grant: no Role proposed");
            return;
        }
        Map<String, List<PolicyRule>> rulesByScope = new TreeMap<>();
        usage.byScope.forEach((scope, targets) -> rulesByScope.put(scope, rules(targets)));
        if (options.clusterRoleAtNamespaces() > 0) {
            widen(rulesByScope, section, out);
        }
        String evidence = usage.requests + " requests by " + user + " (run by "
                + String.join(", ", workloads.stream().map(Workload::toString).toList()) + ")";
        List<HasMetadata> objects = roles(namespace, account, rulesByScope, usage, evidence);
        out.yaml(namespace + "/serviceaccount." + account + "/rbac.yaml", objects);
        out.note(
                section,
                used.size() + " distinct accesses used; " + objects.size() / 2 + " role(s) proposed with "
                        + (rulesByScope.values().stream().mapToInt(List::size).sum() + usage.urls.size()) + " rules");
    }

    /** What an account's granted-worthy accesses come to, by scope, with the window and count of their requests. */
    private static final class Usage {
        /** Scope ("" = cluster) → target → verb → names used with it ("" when none). */
        final Map<String, Map<Target, Map<String, Set<String>>>> byScope = new TreeMap<>();
        /** Non-resource URLs by verb. */
        final Map<String, Set<String>> urls = new TreeMap<>();

        Instant from;
        Instant until;
        long requests;
        int alreadyAllowed;
    }

    /** The accesses to grant: not denied, not already allowed to every account (or by a role kept). */
    private Usage usage(Map<ApiAccess, StoredAccess> used) {
        Usage usage = new Usage();
        for (var e : used.entrySet()) {
            ApiAccess a = e.getKey();
            if (a.denied()) {
                continue;
            }
            if (allowedByKept(a)) {
                usage.alreadyAllowed++;
                continue;
            }
            usage.from = usage.from == null || e.getValue().firstSeen().isBefore(usage.from)
                    ? e.getValue().firstSeen()
                    : usage.from;
            usage.until = usage.until == null || e.getValue().lastSeen().isAfter(usage.until)
                    ? e.getValue().lastSeen()
                    : usage.until;
            usage.requests += e.getValue().count();
            if (!a.nonResourceUrl().isEmpty()) {
                usage.urls.computeIfAbsent(a.verb(), k -> new TreeSet<>()).add(a.nonResourceUrl());
                continue;
            }
            String resource = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
            Map<String, Set<String>> verbs = usage.byScope
                    .computeIfAbsent(a.namespace(), k -> new TreeMap<>())
                    .computeIfAbsent(new Target(a.apiGroup(), resource), k -> new TreeMap<>());
            verbs.computeIfAbsent(a.verb(), k -> new TreeSet<>()).add(a.name());
            if (a.verb().equals("watch")) {
                // The informer's list goes with its watch, with the same field selector: a watch of one name
                // (metadata.name=NAME) lists that name too.
                verbs.computeIfAbsent("list", k -> new TreeSet<>()).add(a.name());
            }
        }
        return usage;
    }

    /** --cluster-role-at-namespaces: a rule used in at least that many namespaces moves to the cluster scope. */
    private void widen(Map<String, List<PolicyRule>> rulesByScope, String section, Generated out) {
        Map<PolicyRule, Integer> seenIn = new HashMap<>();
        rulesByScope.forEach((scope, rules) -> {
            if (!scope.isEmpty()) {
                rules.forEach(r -> seenIn.merge(r, 1, Integer::sum));
            }
        });
        List<PolicyRule> widened = new ArrayList<>();
        rulesByScope.forEach((scope, rules) -> {
            if (!scope.isEmpty()) {
                rules.removeIf(r -> {
                    boolean wide = seenIn.get(r) >= options.clusterRoleAtNamespaces();
                    if (wide && !widened.contains(r)) {
                        widened.add(r);
                    }
                    return wide;
                });
            }
        });
        if (!widened.isEmpty()) {
            rulesByScope.computeIfAbsent("", k -> new ArrayList<>()).addAll(widened);
            out.note(
                    section,
                    widened.size() + " rules used in at least " + options.clusterRoleAtNamespaces()
                            + " namespaces moved to the ClusterRole (--cluster-role-at-namespaces)");
        }
        rulesByScope.values().removeIf(List::isEmpty);
    }

    /** A Role and RoleBinding per namespace scope, a ClusterRole and ClusterRoleBinding for the cluster's rules. */
    private static List<HasMetadata> roles(
            String namespace,
            String account,
            Map<String, List<PolicyRule>> rulesByScope,
            Usage usage,
            String evidence) {
        List<PolicyRule> clusterRules = new ArrayList<>(rulesByScope.getOrDefault("", List.of()));
        usage.urls.forEach((verb, paths) -> clusterRules.add(new PolicyRuleBuilder()
                .withNonResourceURLs(List.copyOf(paths))
                .withVerbs(verb)
                .build()));
        String workloadLabel = "serviceaccount." + account;
        Subject subject = new SubjectBuilder()
                .withKind("ServiceAccount")
                .withName(account)
                .withNamespace(namespace)
                .build();
        List<HasMetadata> objects = new ArrayList<>();
        String name = "tailor-" + account;
        for (var e : rulesByScope.entrySet()) {
            if (e.getKey().isEmpty()) {
                continue;
            }
            ObjectMeta meta = Manifests.metadata(name, e.getKey(), workloadLabel, usage.from, usage.until, evidence);
            objects.add(
                    new RoleBuilder().withMetadata(meta).withRules(e.getValue()).build());
            objects.add(new RoleBindingBuilder()
                    .withMetadata(meta)
                    .withRoleRef(new RoleRef(RBAC_GROUP, "Role", name))
                    .withSubjects(subject)
                    .build());
        }
        if (!clusterRules.isEmpty()) {
            String clusterName = "tailor:" + namespace + ":" + account;
            ObjectMeta meta = Manifests.metadata(clusterName, null, workloadLabel, usage.from, usage.until, evidence);
            objects.add(new ClusterRoleBuilder()
                    .withMetadata(meta)
                    .withRules(clusterRules)
                    .build());
            objects.add(new ClusterRoleBindingBuilder()
                    .withMetadata(meta)
                    .withRoleRef(new RoleRef(RBAC_GROUP, "ClusterRole", clusterName))
                    .withSubjects(subject)
                    .build());
        }
        return objects;
    }

    /** "granted now: … resources in … API groups (bindings …); used: …" — what tightening would take away. */
    static String grantedVsUsed(List<RbacAuthorizer.Grant> grants, Map<ApiAccess, StoredAccess> used) {
        RbacAuthorizer.Reach reach = RbacAuthorizer.Reach.of(grants);
        Set<String> usedResources = new TreeSet<>();
        Set<String> usedGroups = new TreeSet<>();
        used.keySet().stream()
                .filter(a -> !a.denied() && a.nonResourceUrl().isEmpty())
                .forEach(a -> {
                    usedResources.add(a.apiGroup() + "/" + a.resource()
                            + (a.subresource().isEmpty() ? "" : "/" + a.subresource()));
                    usedGroups.add(a.apiGroup());
                });
        String granted = grants.isEmpty()
                ? "granted now: nothing bound to it"
                : "granted now: " + reach + " through "
                        + String.join(
                                ", ",
                                grants.stream()
                                        .map(g -> g.role() + (g.namespace().isEmpty() ? "" : " in " + g.namespace()))
                                        .toList());
        return granted + "; used: " + usedResources.size() + " resources in " + usedGroups.size() + " API groups";
    }

    private boolean allowedByKept(ApiAccess a) {
        for (dev.tailor.rbac.PolicyRule r : options.kept()) {
            boolean allowed = a.nonResourceUrl().isEmpty()
                    ? r.allows(a.verb(), a.apiGroup(), a.resource(), a.subresource(), a.name())
                    : r.allowsUrl(a.verb(), a.nonResourceUrl());
            if (allowed) {
                return true;
            }
        }
        return false;
    }

    /** The compacted, sorted rules of one scope (a list widening may take rules from). */
    private List<PolicyRule> rules(Map<Target, Map<String, Set<String>>> targets) {
        // (group, verbs, names) → resources: what can share a rule.
        record Shape(String apiGroup, Set<String> verbs, Set<String> names) {}
        Map<String, Shape> shapes = new TreeMap<>();
        Map<String, Set<String>> resources = new TreeMap<>();
        targets.forEach((target, verbs) -> {
            Set<String> unnamed = new TreeSet<>();
            Set<String> named = new TreeSet<>();
            Set<String> names = new TreeSet<>();
            verbs.forEach((verb, used) -> {
                if (NAMEABLE.contains(verb) && !used.contains("")) {
                    named.add(verb);
                    names.addAll(used);
                } else {
                    unnamed.add(verb);
                }
            });
            if (!named.isEmpty() && names.size() > options.maxResourceNames()) {
                unnamed.addAll(named);
                named.clear();
            }
            for (Shape shape : List.of(
                    new Shape(target.apiGroup(), unnamed, Set.of()), new Shape(target.apiGroup(), named, names))) {
                if (!shape.verbs().isEmpty()) {
                    String key = shape.apiGroup() + "|" + shape.verbs() + "|" + shape.names();
                    shapes.put(key, shape);
                    resources.computeIfAbsent(key, k -> new TreeSet<>()).add(target.resource());
                }
            }
        });
        // Sorted as a reader scans them: by API group, then by (first) resource.
        List<String> order = new ArrayList<>(shapes.keySet());
        order.sort(Comparator.comparing((String k) -> shapes.get(k).apiGroup())
                .thenComparing(k -> resources.get(k).iterator().next())
                .thenComparing(k -> k));
        return order.stream()
                .map(key -> new PolicyRuleBuilder()
                        .withApiGroups(shapes.get(key).apiGroup())
                        .withResources(List.copyOf(resources.get(key)))
                        .withResourceNames(List.copyOf(shapes.get(key).names()))
                        .withVerbs(List.copyOf(shapes.get(key).verbs()))
                        .build())
                .collect(Collectors.toCollection(ArrayList::new));
    }
}
