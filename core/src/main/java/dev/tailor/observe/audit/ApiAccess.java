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
        boolean denied)
        implements dev.tailor.util.Joined.Ordered<ApiAccess> {

    public static ApiAccess of(ApiRequest r) {
        return new ApiAccess(
                r.subject(),
                r.verb(),
                r.apiGroup(),
                r.resource(),
                r.subresource(),
                r.namespace(),
                r.name(),
                r.nonResourceUrl(),
                r.denied());
    }

    // equals and hashCode written out: a record's own go through method handles (java.lang.runtime.ObjectMethods),
    // slow until the JIT has compiled them, and an access is looked up once a request from the first request on.
    // RecordEqualityTest checks that they still take every component.
    @Override
    public boolean equals(Object o) {
        return o == this
                || o instanceof ApiAccess a
                        && denied == a.denied
                        && java.util.Objects.equals(subject, a.subject)
                        && java.util.Objects.equals(verb, a.verb)
                        && java.util.Objects.equals(apiGroup, a.apiGroup)
                        && java.util.Objects.equals(resource, a.resource)
                        && java.util.Objects.equals(subresource, a.subresource)
                        && java.util.Objects.equals(namespace, a.namespace)
                        && java.util.Objects.equals(name, a.name)
                        && java.util.Objects.equals(nonResourceUrl, a.nonResourceUrl);
    }

    @Override
    public int hashCode() {
        int h = java.util.Objects.hashCode(subject);
        h = 31 * h + java.util.Objects.hashCode(verb);
        h = 31 * h + java.util.Objects.hashCode(apiGroup);
        h = 31 * h + java.util.Objects.hashCode(resource);
        h = 31 * h + java.util.Objects.hashCode(subresource);
        h = 31 * h + java.util.Objects.hashCode(namespace);
        h = 31 * h + java.util.Objects.hashCode(name);
        h = 31 * h + java.util.Objects.hashCode(nonResourceUrl);
        return 31 * h + (denied ? 1 : 0);
    }

    /** The parts of its {@link #toString()}, which it is ordered by. */
    @Override
    public String[] parts() {
        return new String[] {
            subject,
            ", verb=",
            verb,
            ", apiGroup=",
            apiGroup,
            ", resource=",
            resource,
            ", subresource=",
            subresource,
            ", namespace=",
            namespace,
            ", name=",
            name,
            ", nonResourceUrl=",
            nonResourceUrl,
            ", denied=",
            String.valueOf(denied)
        };
    }
}
