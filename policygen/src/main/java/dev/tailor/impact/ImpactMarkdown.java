package dev.tailor.impact;

import dev.tailor.impact.ImpactReport.KindImpact;
import dev.tailor.impact.ImpactReport.WorkloadImpact;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** IMPACT.md — the pull request's body: the verdict and a table first, details folded. */
public final class ImpactMarkdown {
    private ImpactMarkdown() {}

    public static String render(ImpactReport r) {
        StringBuilder md = new StringBuilder("# Tailor impact report\n\n");
        verdict(md, r);
        table(md, r);
        if (!r.clean()) {
            denials(md, r);
        }
        accessRemoved(md, r);
        if (r.backtest() != null) {
            backtest(md, r);
        }
        if (!r.enforcePreview().isEmpty()) {
            enforcePreview(md, r);
        }
        return md.toString();
    }

    /** Clean, or how much would be denied and by which proposals, and what could not be judged. */
    private static void verdict(StringBuilder md, ImpactReport r) {
        if (r.clean()) {
            md.append("**Clean: nothing observed in the window would be denied by the proposed policies.**\n\n");
        } else {
            if (r.breakage() > 0) {
                List<String> broken = r.workloads().entrySet().stream()
                        .filter(e -> denied(e.getValue()) > 0)
                        .map(Map.Entry::getKey)
                        .toList();
                md.append("**")
                        .append(r.breakage())
                        .append(" observed behaviors would be denied** — by the proposal for ")
                        .append(String.join(", ", broken))
                        .append(". Do not merge as it is.\n\n");
            }
            if (r.notJudged() > 0) {
                md.append("**")
                        .append(r.notJudged())
                        .append(" observed behaviors could not be judged** — an end's labels are not known"
                                + " and the rules depend on them, or a container's patch runs a seccomp profile the"
                                + " proposal does not hold (see below). Not clean until they are: observe that workload's"
                                + " pods (the admission stream, or flows that carry its labels), or patch the container"
                                + " to the profile the proposal holds.\n\n");
            }
        }
    }

    /** The window and one row a workload: access now, proposed and observed, and what would be denied. */
    private static void table(StringBuilder md, ImpactReport r) {
        md.append("Window ")
                .append(r.window().from())
                .append(" to ")
                .append(r.window().until())
                .append("; ")
                .append(r.workloads().size())
                .append(" workloads in the proposal.\n\n");
        md.append(
                "| workload | API calls allowed (now → proposed / observed) | connections | syscalls | would deny |\n");
        md.append("|---|---|---|---|---|\n");
        r.workloads()
                .forEach((w, i) -> md.append("| ")
                        .append(w)
                        .append(" | ")
                        .append(cell(i.rbac()))
                        .append(" | ")
                        .append(cell(i.network()))
                        .append(" | ")
                        .append(cell(i.seccomp()))
                        .append(" | ")
                        .append(denied(i))
                        .append(" |\n"));
    }

    /** What the proposal would deny, and what could not be judged, by workload. */
    private static void denials(StringBuilder md, ImpactReport r) {
        md.append("\n<details open><summary>What the proposal would deny, and what could not be judged</summary>\n\n");
        r.workloads().forEach((w, i) -> {
            List<String> lines = new ArrayList<>();
            add(lines, "API", i.rbac());
            add(lines, "network", i.network());
            add(lines, "seccomp", i.seccomp());
            for (var k : java.util.Arrays.asList(i.network(), i.seccomp())) {
                if (k != null) {
                    k.notJudgedExamples().forEach(x -> lines.add("not judged: " + x));
                }
            }
            if (!lines.isEmpty()) {
                md.append("- **").append(w).append("**\n");
                lines.forEach(l -> md.append("  - ").append(l).append('\n'));
            }
        });
        md.append("\n</details>\n");
    }

    /** The access each workload loses, by kind. */
    private static void accessRemoved(StringBuilder md, ImpactReport r) {
        md.append("\n<details><summary>Access removed</summary>\n\n");
        r.workloads().forEach((w, i) -> {
            md.append("- **").append(w).append("**\n");
            access(md, "API", i.rbac());
            access(md, "network", i.network());
            access(md, "syscalls", i.seccomp());
        });
        md.append("\n</details>\n");
    }

    /** The backtest: generated from all but the last day, replayed on it. */
    private static void backtest(StringBuilder md, ImpactReport r) {
        md.append("\n<details><summary>Backtest: generated from ")
                .append(r.backtest().trainedOn().from())
                .append(" to ")
                .append(r.backtest().trainedOn().until())
                .append(", replayed on the last day of data, ")
                .append(r.backtest().replayed().from())
                .append(" to ")
                .append(r.backtest().replayed().until())
                .append(
                        "</summary>\n\n| workload | replayed | denied | false-deny rate | new that day |\n|---|---|---|---|---|\n");
        r.backtest()
                .workloads()
                .forEach((w, b) -> md.append("| ")
                        .append(w)
                        .append(" | ")
                        .append(b.replayed())
                        .append(" | ")
                        .append(b.denied())
                        .append(" | ")
                        .append(String.format(java.util.Locale.ROOT, "%.1f %%", 100 * b.falseDenyRate()))
                        .append(" | ")
                        .append(String.join("; ", b.newButLegitimate()))
                        .append(" |\n"));
        md.append("\n</details>\n");
    }

    /** What enforce mode would have rejected, by namespace. */
    private static void enforcePreview(StringBuilder md, ImpactReport r) {
        md.append("\n<details><summary>Enforce preview: what enforce mode would have rejected</summary>\n\n");
        r.enforcePreview().forEach((ns, p) -> {
            md.append("- **")
                    .append(ns)
                    .append("**: ")
                    .append(p.wouldReject())
                    .append(" of ")
                    .append(p.requests())
                    .append(" admission requests")
                    .append(p.wouldReject() == 0 ? " — the flip is safe\n" : "\n");
            p.examples().forEach(e -> md.append("  - ").append(e).append('\n'));
        });
        md.append("\n</details>\n");
    }

    private static long denied(WorkloadImpact i) {
        return (i.rbac() == null ? 0 : i.rbac().deniedCount())
                + (i.network() == null ? 0 : i.network().deniedCount())
                + (i.seccomp() == null ? 0 : i.seccomp().deniedCount());
    }

    private static String cell(KindImpact k) {
        if (k == null || k.observed() == 0) {
            return "—";
        }
        return (k.allowedNow() == null ? "?" : String.valueOf(k.allowedNow())) + " → " + k.allowedProposed() + " / "
                + k.observed();
    }

    private static void add(List<String> lines, String kind, KindImpact k) {
        if (k != null && k.deniedCount() > 0) {
            lines.add(kind + ": " + k.deniedCount() + " — " + String.join("; ", k.denied())
                    + (k.deniedCount() > k.denied().size() ? "; …" : ""));
        }
    }

    private static void access(StringBuilder md, String kind, KindImpact k) {
        if (k != null) {
            md.append("  - ")
                    .append(kind)
                    .append(": ")
                    .append(k.accessNow())
                    .append(" → ")
                    .append(k.accessProposed())
                    .append('\n');
        }
    }
}
