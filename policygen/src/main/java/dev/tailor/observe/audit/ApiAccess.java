package dev.tailor.observe.audit;

/**
 * What a subject did to the API, the unit Tailor aggregates requests by: one verb on one resource (or
 * non-resource URL) in one namespace, by name, and whether it was allowed.
 */
public record ApiAccess(
        String subject,
        String verb,
        String apiGroup,
        String resource,
        String subresource,
        String namespace,
        String name,
        String nonResourceUrl,
        boolean denied) implements Comparable<ApiAccess> {

    public static ApiAccess of(ApiRequest r) {
        return new ApiAccess(r.subject(), r.verb(), r.apiGroup(), r.resource(), r.subresource(), r.namespace(),
                r.name(), r.nonResourceUrl(), r.denied());
    }

    @Override
    public int compareTo(ApiAccess o) {
        return toString().compareTo(o.toString());
    }
}
