package dev.tailor.rbac;

import dev.tailor.kube.LabelSelector;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.AggregationRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' RBAC authorizer over a set of Roles, ClusterRoles, RoleBindings and ClusterRoleBindings, following
 * its semantics: a ClusterRoleBinding grants its ClusterRole's rules everywhere (non-resource URLs only this way); a
 * RoleBinding grants its Role's — or a ClusterRole's — rules in the binding's namespace only; subjects are users,
 * groups (a service account is in {@code system:serviceaccounts}, {@code system:serviceaccounts:NS} and
 * {@code system:authenticated}) or service accounts by namespace and name; an aggregated ClusterRole
 * ({@code aggregationRule}) has the rules of every ClusterRole its selectors match, as the controller manager
 * fills them in. RBAC only allows: nothing here denies.
 */
public final class RbacAuthorizer {

    /** Who asks: user name and groups. */
    public record Subject(String user, List<String> groups) {

        /** A service account as the API server authenticates it. */
        public static Subject serviceAccount(String namespace, String name) {
            return new Subject(
                    "system:serviceaccount:" + namespace + ":" + name,
                    List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"));
        }
    }

    /** A binding's grant: the rules, and the namespace they hold in ("" = everywhere). */
    public record Grant(String binding, String role, String namespace, List<PolicyRule> rules) {}

    /** How much a set of grants covers: distinct {@code group/resource} pairs, API groups, and whether a wildcard is among them. */
    public record Reach(int resources, int groups, boolean wildcard) {

        public static Reach of(List<Grant> grants) {
            java.util.Set<String> resources = new java.util.TreeSet<>();
            java.util.Set<String> groups = new java.util.TreeSet<>();
            boolean wildcard = false;
            for (Grant g : grants) {
                for (PolicyRule r : g.rules()) {
                    for (String group : r.apiGroups()) {
                        for (String resource : r.resources()) {
                            wildcard |= group.equals("*") || resource.equals("*");
                            resources.add(group + "/" + resource);
                            groups.add(group);
                        }
                    }
                }
            }
            return new Reach(resources.size(), groups.size(), wildcard);
        }

        @Override
        public String toString() {
            return (wildcard ? "every resource (wildcards); " : "") + resources + " resources in " + groups
                    + " API groups";
        }
    }

    private final Map<String, ClusterRole> clusterRoles = new LinkedHashMap<>();
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final List<RoleBinding> roleBindings = new ArrayList<>();
    private final List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>();

    /** Adds an RBAC object; other kinds are ignored. */
    public RbacAuthorizer add(HasMetadata object) {
        if (object instanceof ClusterRole r) {
            clusterRoles.put(r.getMetadata().getName(), r);
        } else if (object instanceof Role r) {
            roles.put(r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r);
        } else if (object instanceof RoleBinding b) {
            roleBindings.add(b);
        } else if (object instanceof ClusterRoleBinding b) {
            clusterRoleBindings.add(b);
        }
        return this;
    }

    /** The grants that apply to a subject. */
    public List<Grant> grants(Subject subject) {
        List<Grant> out = new ArrayList<>();
        for (ClusterRoleBinding b : clusterRoleBindings) {
            RoleRef ref = b.getRoleRef();
            if (ref != null && "ClusterRole".equals(ref.getKind()) && bound(b.getSubjects(), subject, "")) {
                out.add(new Grant(
                        b.getMetadata().getName(),
                        "ClusterRole/" + ref.getName(),
                        "",
                        clusterRoleRules(ref.getName())));
            }
        }
        for (RoleBinding b : roleBindings) {
            String ns = b.getMetadata().getNamespace();
            RoleRef ref = b.getRoleRef();
            if (ref == null || !bound(b.getSubjects(), subject, ns)) {
                continue;
            }
            Role role = roles.get(ns + "/" + ref.getName());
            List<PolicyRule> rules = "ClusterRole".equals(ref.getKind())
                    ? clusterRoleRules(ref.getName())
                    : role != null ? PolicyRule.of(role.getRules()) : List.of();
            // Non-resource URLs are cluster-wide: a RoleBinding cannot grant them.
            List<PolicyRule> namespaced =
                    rules.stream().filter(r -> !r.resources().isEmpty()).toList();
            out.add(new Grant(
                    ns + "/" + b.getMetadata().getName(), ref.getKind() + "/" + ref.getName(), ns, namespaced));
        }
        return out;
    }

    /** May the subject make this resource request ({@code namespace} "" for cluster scope or all namespaces)? */
    public boolean allows(
            Subject subject,
            String verb,
            String apiGroup,
            String resource,
            String subresource,
            String namespace,
            String name) {
        for (Grant g : grants(subject)) {
            if (g.namespace().isEmpty() || g.namespace().equals(namespace)) {
                for (PolicyRule r : g.rules()) {
                    if (r.allows(verb, apiGroup, resource, subresource, name)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** May the subject make this non-resource request? */
    public boolean allowsUrl(Subject subject, String verb, String url) {
        for (Grant g : grants(subject)) {
            if (g.namespace().isEmpty()) {
                for (PolicyRule r : g.rules()) {
                    if (r.allowsUrl(verb, url)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean bound(
            List<io.fabric8.kubernetes.api.model.rbac.Subject> subjects, Subject subject, String bindingNamespace) {
        for (var s : subjects == null ? List.<io.fabric8.kubernetes.api.model.rbac.Subject>of() : subjects) {
            String name = String.valueOf(s.getName());
            switch (String.valueOf(s.getKind())) {
                case "User" -> {
                    if (name.equals(subject.user())) {
                        return true;
                    }
                }
                case "Group" -> {
                    if (subject.groups().contains(name)) {
                        return true;
                    }
                }
                case "ServiceAccount" -> {
                    String ns = s.getNamespace() == null || s.getNamespace().isEmpty()
                            ? bindingNamespace
                            : s.getNamespace();
                    if (subject.user().equals("system:serviceaccount:" + ns + ":" + name)) {
                        return true;
                    }
                }
                default -> {}
            }
        }
        return false;
    }

    /** A ClusterRole's rules, with aggregation resolved (one level deep is how the controller fills them too). */
    public List<PolicyRule> clusterRoleRules(String name) {
        ClusterRole role = clusterRoles.get(name);
        if (role == null) {
            return List.of();
        }
        List<PolicyRule> rules = new ArrayList<>(PolicyRule.of(role.getRules()));
        AggregationRule aggregation = role.getAggregationRule();
        if (aggregation != null && aggregation.getClusterRoleSelectors() != null && rules.isEmpty()) {
            for (ClusterRole other : clusterRoles.values()) {
                if (other != role
                        && selectorsMatch(aggregation.getClusterRoleSelectors(), LabelSelector.labels(other))) {
                    rules.addAll(PolicyRule.of(other.getRules()));
                }
            }
        }
        return rules;
    }

    /** Any selector matching: an aggregation rule's selectors are ORed. */
    private static boolean selectorsMatch(
            List<io.fabric8.kubernetes.api.model.LabelSelector> selectors, Map<String, String> labels) {
        for (var selector : selectors) {
            if (LabelSelector.matches(selector, labels)) {
                return true;
            }
        }
        return false;
    }
}
