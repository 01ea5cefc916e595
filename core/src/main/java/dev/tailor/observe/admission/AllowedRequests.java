package dev.tailor.observe.admission;

import dev.tailor.contract.AdmissionDecision;

/**
 * What the admission requests the webhook found nothing against are counted by: the namespace, the workload, the
 * object's kind, the operation and the namespace's mode. Such a request is one line of the decision log ({@code
 * allowed}, no check) and most requests are such; the enforce preview needs only how many there were, so the store
 * counts them, by day, where the lines that name a check are kept one by one.
 */
public record AllowedRequests(String namespace, String workload, String kind, String operation, String mode)
        implements dev.tailor.util.Joined.Ordered<AllowedRequests> {

    /** True for a line that says the request was allowed with no check against it. */
    public static boolean counted(AdmissionDecision d) {
        return "allowed".equals(d.verdict()) && (d.check() == null || d.check().isEmpty());
    }

    /** What an allowed line is counted by. */
    public static AllowedRequests of(AdmissionDecision d) {
        return new AllowedRequests(
                nonNull(d.namespace()),
                nonNull(d.workload()),
                nonNull(d.kind()),
                nonNull(d.operation()),
                nonNull(d.mode()));
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    @Override
    public int partCount() {
        return 9;
    }

    @Override
    public String part(int i) {
        return switch (i) {
            case 0 -> namespace;
            case 1 -> ", workload=";
            case 2 -> workload;
            case 3 -> ", kind=";
            case 4 -> kind;
            case 5 -> ", operation=";
            case 6 -> operation;
            case 7 -> ", mode=";
            default -> mode;
        };
    }
}
