package dev.tailor.impact;

import dev.tailor.generate.Observations;
import dev.tailor.identity.Workload;
import dev.tailor.impact.ImpactAnalyzer.Access;
import dev.tailor.observe.audit.ApiAccess;
import dev.tailor.rbac.RbacAuthorizer;
import dev.tailor.store.ObservationStore.StoredAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The RBAC side of the replay: each API request the observed accounts made, judged by the RBAC now and proposed. */
final class RbacReplay {

    private RbacReplay() {}

    /**
     * @param accounts the subjects to replay ({@code system:serviceaccount:NS:NAME})
     * @param now      the cluster's RBAC as it is, or null when not given
     */
    static Map<Workload, Tally> replay(
            Observations obs,
            Set<Workload> workloads,
            Set<String> withRbac,
            Set<String> accounts,
            RbacAuthorizer now,
            RbacAuthorizer next,
            Predicate<StoredAccess> rows) {
        Map<Workload, Tally> rbac = new TreeMap<>();
        obs.api.forEach((a, s) -> {
            if (a.denied() || !accounts.contains(a.subject()) || !rows.test(s)) {
                return;
            }
            String[] parts = a.subject().split(":");
            RbacAuthorizer.Subject subject = RbacAuthorizer.Subject.serviceAccount(parts[2], parts[3]);
            boolean allowedNext = allows(next, subject, a);
            Boolean allowedNow = now == null ? null : allows(now, subject, a);
            for (Workload w : obs.runningAs(parts[2], parts[3])) {
                if (workloads.contains(w) || withRbac.contains(a.subject())) {
                    rbac.computeIfAbsent(w, k -> new Tally())
                            .add(
                                    allowedNow,
                                    allowedNext,
                                    describe(a),
                                    a.nonResourceUrl().isEmpty()
                                            ? a.apiGroup() + "/" + a.resource()
                                                    + (a.subresource().isEmpty() ? "" : "/" + a.subresource())
                                            : a.nonResourceUrl());
                }
            }
        });
        return rbac;
    }

    private static boolean allows(RbacAuthorizer rbac, RbacAuthorizer.Subject subject, ApiAccess a) {
        return a.nonResourceUrl().isEmpty()
                ? rbac.allows(subject, a.verb(), a.apiGroup(), a.resource(), a.subresource(), a.namespace(), a.name())
                : rbac.allowsUrl(subject, a.verb(), a.nonResourceUrl());
    }

    static String describe(ApiAccess a) {
        return a.subject().substring(a.subject().lastIndexOf(':') + 1) + ": " + dev.tailor.generate.Reports.describe(a);
    }

    /** "N resources in M API groups" the workload's account(s) may touch. */
    static Access access(RbacAuthorizer rbac, Observations obs, Workload w) {
        List<RbacAuthorizer.Grant> grants = new ArrayList<>();
        obs.identities(w).stream()
                .map(p -> p.namespace() + ":" + p.serviceAccount())
                .distinct()
                .forEach(sa -> {
                    String[] parts = sa.split(":");
                    grants.addAll(rbac.grants(RbacAuthorizer.Subject.serviceAccount(parts[0], parts[1])));
                });
        RbacAuthorizer.Reach reach = RbacAuthorizer.Reach.of(grants);
        // A wildcard grant (cluster-admin's) is every resource, not the one "*/*" pair: counted as -1, "all".
        return new Access(reach.wildcard() ? ImpactAnalyzer.ALL : (long) reach.resources(), reach.toString());
    }
}
