package dev.tailor.devtools;

import dev.tailor.cli.TailorCli;
import dev.tailor.fixtures.BoutiqueWeek;
import dev.tailor.fixtures.HelmWeek;
import dev.tailor.fixtures.TenantsWeek;
import dev.tailor.observe.ObserveSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor fixture-week}: writes a seeded fixture cluster's week — Online Boutique ({@link BoutiqueWeek}) or
 * Helm-installed applications ({@link HelmWeek}) — and what {@code tailor observe} must report for it
 * ({@code expected-summary.json}); with {@code --next-release}, the day after the week too.
 */
@Command(
        name = "fixture-week",
        mixinStandardHelpOptions = true,
        description =
                "Write a seeded week of observations of a fixture cluster (admission stream, audit log, Hubble flows, "
                        + "syscall records) and the summary tailor observe must print for it.")
public final class FixtureWeekCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory to write the week into")
    Path out;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the week (default: each cluster's own)")
    Long seed;

    /** The fixture clusters. */
    enum Cluster {
        boutique,
        helm,
        tenants
    }

    @Option(
            names = "--cluster",
            paramLabel = "NAME",
            description = "boutique (Online Boutique, the default), helm "
                    + "(Helm-installed apps, an operator, StatefulSets, DaemonSets, two DNS paths, a weekly CronJob) or tenants "
                    + "(a multi-tenant cluster of any size: --namespaces × --workloads services over --days)")
    Cluster cluster = Cluster.boutique;

    @Option(
            names = "--namespaces",
            defaultValue = "10",
            description = "tenants: tenant namespaces (default: ${DEFAULT-VALUE})")
    int namespaces;

    @Option(
            names = "--workloads",
            defaultValue = "10",
            description = "tenants: services per namespace (default: ${DEFAULT-VALUE})")
    int workloads;

    @Option(names = "--days", defaultValue = "7", description = "tenants: days observed (default: ${DEFAULT-VALUE})")
    int days;

    @Option(
            names = "--next-release",
            paramLabel = "DIR",
            description = "also write the day after the week — the next "
                    + "release rolled out — into DIR, to replay with tailor impact --since 24h")
    Path nextRelease;

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
        Path boutique = home.root().resolve("test-fixtures/third_party/online-boutique");
        if (!Files.isDirectory(boutique)) {
            System.err.println(
                    "tailor fixture-week: " + boutique + " not found: run it from Tailor's repository or give --home");
            return TailorCli.USAGE;
        }
        if (cluster == Cluster.tenants && nextRelease != null) {
            System.err.println("tailor fixture-week: the tenants cluster has no next release");
            return TailorCli.USAGE;
        }
        if (cluster == Cluster.tenants && TenantsWeek.sizeProblem(namespaces, workloads, days) != null) {
            System.err.println("tailor fixture-week: " + TenantsWeek.sizeProblem(namespaces, workloads, days)
                    + " (--namespaces, --workloads, --days)");
            return TailorCli.USAGE;
        }
        if (nextRelease != null
                && (nextRelease
                                .toAbsolutePath()
                                .normalize()
                                .startsWith(out.toAbsolutePath().normalize())
                        || out.toAbsolutePath()
                                .normalize()
                                .startsWith(nextRelease.toAbsolutePath().normalize()))) {
            System.err.println(
                    "tailor fixture-week: --next-release and --out must be two directories, neither inside the other");
            return TailorCli.USAGE;
        }
        ObserveSummary[] expected = new ObserveSummary[1];
        try {
            // Into new or empty directories, or ones it wrote before: never over someone else's files.
            dev.tailor.util.OwnedTree.Writing week = () -> {
                expected[0] = switch (cluster) {
                    case helm -> HelmWeek.write(out, nextRelease, seed != null ? seed : HelmWeek.DEFAULT_SEED);
                    case tenants ->
                        TenantsWeek.write(
                                out, namespaces, workloads, days, seed != null ? seed : TenantsWeek.DEFAULT_SEED);
                    case boutique ->
                        BoutiqueWeek.write(boutique, out, nextRelease, seed != null ? seed : BoutiqueWeek.DEFAULT_SEED);
                };
                Files.writeString(out.resolve("expected-summary.json"), expected[0].toJson(), StandardCharsets.UTF_8);
            };
            dev.tailor.util.OwnedTree.writeInPlace(
                    out, nextRelease == null ? week : () -> dev.tailor.util.OwnedTree.writeInPlace(nextRelease, week));
        } catch (dev.tailor.util.OwnedTree.RefusedException e) {
            System.err.println("tailor fixture-week: " + e.getMessage());
            return TailorCli.USAGE;
        }
        System.out.printf(
                "wrote the %s cluster to %s%s: %s%n",
                cluster,
                out,
                nextRelease == null ? "" : " and the next release's day to " + nextRelease,
                expected[0].events);
        return TailorCli.OK;
    }
}
