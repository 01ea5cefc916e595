package dev.tailor.contract;

/**
 * The names Tailor shares with its users and with the other parts of a cluster — the API server, kubectl, GitOps
 * tools, the Security Profiles Operator — each spelled once, here, for the webhook and the CLI alike. The Rego
 * policies spell the ones they read themselves (rego/policies/lib); docs/architecture.md lists them for users.
 */
public final class Names {

    /** The API group of Tailor's aggregated API, annotations and documents. */
    public static final String GROUP = "tailor.dev";
    /** The version of Tailor's API and of the documents it serves (ObservationSnapshot). */
    public static final String API_VERSION = GROUP + "/v1alpha1";
    /** Where the API server's aggregator sends Tailor's API. */
    public static final String API_PATH = "/apis/" + API_VERSION;

    /** Namespace annotation an admin sets to a {@link Mode} ({@code audit}, {@code enforce}); mirrored as a label. */
    public static final String MODE = GROUP + "/mode";
    /** The Event reason of a namespace's mode change. */
    public static final String MODE_CHANGED = "TailorModeChanged";
    /** Namespace annotation: the Pod Security level its pods are held to (privileged, baseline, restricted). */
    public static final String POD_SECURITY = GROUP + "/pod-security";

    /** Label of a generated object: the workload it is for ({@code kind.name}). */
    public static final String WORKLOAD = GROUP + "/workload";
    /** Annotation of a generated SeccompProfile: the container it is for. */
    public static final String CONTAINER = GROUP + "/container";
    /** Annotation of a generated RoleBinding: the service account the workload runs as. */
    public static final String SERVICE_ACCOUNT = GROUP + "/service-account";
    /** Annotations of a generated object: the window its evidence covers, and what that evidence was. */
    public static final String OBSERVED_FROM = GROUP + "/observed-from";

    public static final String OBSERVED_UNTIL = GROUP + "/observed-until";
    public static final String EVIDENCE = GROUP + "/evidence";
    /** Annotation of a PolicyReport Tailor writes: what it reports. */
    public static final String DESCRIPTION = GROUP + "/description";
    /** The schema of impact.json. */
    public static final String IMPACT_SCHEMA = GROUP + "/impact/v1";

    /** The recommended label that marks the objects Tailor wrote, with {@link #MANAGER} as its value. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    public static final String MANAGER = "tailor";

    private Names() {}
}
