package dev.tailor.rbac;

import java.util.ArrayList;
import java.util.List;

/**
 * One rule of a Role or ClusterRole ({@code rbac.authorization.k8s.io/v1 PolicyRule}), and whether it allows a
 * request — Kubernetes' own matching (RBAC authorizer {@code RuleAllows}): {@code *} matches any verb, group or
 * resource; a resource is {@code resource/subresource}, and {@code *}{@code /subresource} matches that subresource of
 * any resource; {@code resourceNames} restrict to those names (empty: any); a non-resource URL matches exactly, or
 * by prefix when the rule's URL ends in {@code *}.
 */
public record PolicyRule(
        List<String> verbs,
        List<String> apiGroups,
        List<String> resources,
        List<String> resourceNames,
        List<String> nonResourceUrls) {

    public PolicyRule {
        verbs = List.copyOf(verbs);
        apiGroups = List.copyOf(apiGroups);
        resources = List.copyOf(resources);
        resourceNames = List.copyOf(resourceNames);
        nonResourceUrls = List.copyOf(nonResourceUrls);
    }

    /** Does this rule allow a resource request? {@code subresource} "" for none, {@code name} "" for none. */
    public boolean allows(String verb, String apiGroup, String resource, String subresource, String name) {
        if (resources.isEmpty() || !matches(verbs, verb) || !matches(apiGroups, apiGroup)) {
            return false;
        }
        String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
        boolean resourceMatches = false;
        for (String r : resources) {
            if (r.equals("*") || r.equals(combined) || (!subresource.isEmpty() && r.equals("*/" + subresource))) {
                resourceMatches = true;
                break;
            }
        }
        return resourceMatches && (resourceNames.isEmpty() || resourceNames.contains(name));
    }

    /** Does this rule allow a non-resource request ({@code get /healthz})? */
    public boolean allowsUrl(String verb, String url) {
        if (nonResourceUrls.isEmpty() || !matches(verbs, verb)) {
            return false;
        }
        for (String rule : nonResourceUrls) {
            if (rule.equals("*")
                    || rule.equals(url)
                    || (rule.endsWith("*") && url.startsWith(rule.substring(0, rule.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(List<String> allowed, String value) {
        return allowed.contains("*") || allowed.contains(value);
    }

    /** The rules of a Role or ClusterRole ({@code rules: null} — an aggregated role not yet filled — has none). */
    public static List<PolicyRule> of(List<io.fabric8.kubernetes.api.model.rbac.PolicyRule> rules) {
        List<PolicyRule> out = new ArrayList<>();
        for (var r : rules == null ? List.<io.fabric8.kubernetes.api.model.rbac.PolicyRule>of() : rules) {
            out.add(new PolicyRule(
                    strings(r.getVerbs()),
                    strings(r.getApiGroups()),
                    strings(r.getResources()),
                    strings(r.getResourceNames()),
                    strings(r.getNonResourceURLs())));
        }
        return out;
    }

    private static List<String> strings(List<String> values) {
        return values == null ? List.of() : values.stream().map(String::valueOf).toList();
    }
}
