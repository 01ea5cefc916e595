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

    // Ordered by its toString(), given in parts (Joined.Ordered).
    @Override
    public int partCount() {
        return 17;
    }

    @Override
    public String part(int i) {
        return switch (i) {
            case 0 -> subject;
            case 1 -> ", verb=";
            case 2 -> verb;
            case 3 -> ", apiGroup=";
            case 4 -> apiGroup;
            case 5 -> ", resource=";
            case 6 -> resource;
            case 7 -> ", subresource=";
            case 8 -> subresource;
            case 9 -> ", namespace=";
            case 10 -> namespace;
            case 11 -> ", name=";
            case 12 -> name;
            case 13 -> ", nonResourceUrl=";
            case 14 -> nonResourceUrl;
            case 15 -> ", denied=";
            default -> String.valueOf(denied);
        };
    }
}
