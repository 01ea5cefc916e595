package dev.tailor.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.kube.LabelSelector;
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

    private final Map<String, JsonNode> clusterRoles = new LinkedHashMap<>();
    private final Map<String, JsonNode> roles = new LinkedHashMap<>();
    private final List<JsonNode> roleBindings = new ArrayList<>();
    private final List<JsonNode> clusterRoleBindings = new ArrayList<>();

    /** Adds RBAC objects; {@code List}s are opened, other kinds ignored. */
    public RbacAuthorizer add(JsonNode object) {
        switch (object.path("kind").asText("")) {
            case "List", "RoleList", "ClusterRoleList", "RoleBindingList", "ClusterRoleBindingList" ->
                object.path("items").forEach(this::add);
            case "ClusterRole" ->
                clusterRoles.put(object.path("metadata").path("name").asText(), object);
            case "Role" ->
                roles.put(
                        object.path("metadata").path("namespace").asText() + "/"
                                + object.path("metadata").path("name").asText(),
                        object);
            case "RoleBinding" -> roleBindings.add(object);
            case "ClusterRoleBinding" -> clusterRoleBindings.add(object);
            default -> {}
        }
        return this;
    }

    /** The grants that apply to a subject. */
    public List<Grant> grants(Subject subject) {
        List<Grant> out = new ArrayList<>();
        for (JsonNode b : clusterRoleBindings) {
            if (bound(b, subject, "") && b.path("roleRef").path("kind").asText().equals("ClusterRole")) {
                String role = b.path("roleRef").path("name").asText();
                out.add(new Grant(
                        b.path("metadata").path("name").asText(), "ClusterRole/" + role, "", clusterRoleRules(role)));
            }
        }
        for (JsonNode b : roleBindings) {
            String ns = b.path("metadata").path("namespace").asText();
            if (!bound(b, subject, ns)) {
                continue;
            }
            String kind = b.path("roleRef").path("kind").asText();
            String role = b.path("roleRef").path("name").asText();
            List<PolicyRule> rules = kind.equals("ClusterRole")
                    ? clusterRoleRules(role)
                    : roles.containsKey(ns + "/" + role) ? PolicyRule.of(roles.get(ns + "/" + role)) : List.of();
            // Non-resource URLs are cluster-wide: a RoleBinding cannot grant them.
            List<PolicyRule> namespaced =
                    rules.stream().filter(r -> !r.resources().isEmpty()).toList();
            out.add(new Grant(ns + "/" + b.path("metadata").path("name").asText(), kind + "/" + role, ns, namespaced));
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

    private static boolean bound(JsonNode binding, Subject subject, String bindingNamespace) {
        for (JsonNode s : binding.path("subjects")) {
            String kind = s.path("kind").asText();
            String name = s.path("name").asText();
            switch (kind) {
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
                    String ns = s.path("namespace").asText(bindingNamespace);
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
        JsonNode role = clusterRoles.get(name);
        if (role == null) {
            return List.of();
        }
        List<PolicyRule> rules = new ArrayList<>(PolicyRule.of(role));
        JsonNode selectors = role.path("aggregationRule").path("clusterRoleSelectors");
        if (selectors.isArray() && rules.isEmpty()) {
            for (JsonNode other : clusterRoles.values()) {
                if (other != role && selectorsMatch(selectors, LabelSelector.labels(other))) {
                    rules.addAll(PolicyRule.of(other));
                }
            }
        }
        return rules;
    }

    /** Any selector matching: an aggregation rule's selectors are ORed. */
    private static boolean selectorsMatch(JsonNode selectors, Map<String, String> labels) {
        for (JsonNode selector : selectors) {
            if (LabelSelector.matches(selector, labels)) {
                return true;
            }
        }
        return false;
    }
}
