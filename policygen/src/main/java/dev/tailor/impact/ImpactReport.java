package dev.tailor.impact;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tailor.contract.Names;
import dev.tailor.observe.admission.EnforcePreview;
import java.util.List;
import java.util.Map;

/**
 * What a proposal would do, as {@code impact.json} writes it (schema {@value #SCHEMA}, documented in
 * docs/impact-schema.md): per workload and kind, the observed behavior replayed under the current and the proposed
 * policies, what the proposal would deny (the breakage list — empty for a clean proposal), and how much access it
 * takes away; a backtest; and per namespace, what enforce mode would have rejected.
 */
@JsonPropertyOrder({
    "schema",
    "window",
    "clean",
    "breakage",
    "notJudged",
    "workloads",
    "connectivity",
    "backtest",
    "enforcePreview"
})
public record ImpactReport(
        String schema,
        Window window,
        boolean clean,
        long breakage,
        long notJudged,
        Map<String, WorkloadImpact> workloads,
        Map<String, Connectivity> connectivity,
        Backtest backtest,
        Map<String, EnforcePreview> enforcePreview) {

    public static final String SCHEMA = Names.IMPACT_SCHEMA;

    public record Window(String from, String until) {}

    /**
     * One kind of policy for one workload.
     *
     * @param observed        distinct observed behaviors replayed (API accesses, connections, syscalls)
     * @param allowedNow      of those, allowed by the current policies (null when the current policies are not known)
     * @param allowedProposed of those, allowed by the proposal
     * @param denied          the proposal would deny these: examples (all of them up to {@value ImpactAnalyzer#EXAMPLES})
     * @param accessNow       what the workload may do now, in words
     * @param accessProposed  what it may do under the proposal, in words
     * @param grantedNow      how much it may do now, counted (resources, peers, syscalls); null when not known
     * @param used            how much of that it used
     * @param grantedProposed how much the proposal grants
     * @param notJudged       observed behaviors the policies could not be judged against (an end whose labels are not
     *                        known, where the rules depend on them; a container whose patch runs a seccomp profile the
     *                        proposal does not hold): neither allowed nor denied, never "clean"
     * @param notJudgedExamples those behaviors, with why (up to {@value ImpactAnalyzer#EXAMPLES})
     */
    @JsonPropertyOrder({
        "observed",
        "allowedNow",
        "allowedProposed",
        "deniedCount",
        "denied",
        "accessNow",
        "accessProposed",
        "grantedNow",
        "used",
        "grantedProposed",
        "notJudged",
        "notJudgedExamples"
    })
    public record KindImpact(
            long observed,
            Long allowedNow,
            long allowedProposed,
            long deniedCount,
            List<String> denied,
            String accessNow,
            String accessProposed,
            Long grantedNow,
            long used,
            long grantedProposed,
            long notJudged,
            List<String> notJudgedExamples) {}

    /**
     * A namespace's workloads and which may connect to which (any port), before and after the proposal, with the
     * connections observed and whether the proposal keeps them ({@code [src, dst, "allowed"|"denied"]}).
     */
    @JsonPropertyOrder({"nodes", "before", "after", "observed"})
    public record Connectivity(
            List<String> nodes, List<List<String>> before, List<List<String>> after, List<List<String>> observed) {}

    @JsonPropertyOrder({"rbac", "network", "seccomp"})
    public record WorkloadImpact(KindImpact rbac, KindImpact network, KindImpact seccomp) {}

    /** Policies generated from the days before the last, replayed on the last day. */
    @JsonPropertyOrder({"trainedOn", "replayed", "workloads"})
    public record Backtest(Window trainedOn, Window replayed, Map<String, BacktestResult> workloads) {}

    /**
     * @param newButLegitimate denied behaviors first seen on the replayed day: new, not forbidden — more likely a
     *                         reason to keep learning than a bug
     */
    @JsonPropertyOrder({"replayed", "denied", "falseDenyRate", "newButLegitimate", "deniedExamples"})
    public record BacktestResult(
            long replayed,
            long denied,
            double falseDenyRate,
            List<String> newButLegitimate,
            List<String> deniedExamples) {}
}
