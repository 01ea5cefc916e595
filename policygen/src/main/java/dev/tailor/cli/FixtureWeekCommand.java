package dev.tailor.cli;

import dev.tailor.fixtures.BoutiqueWeek;
import dev.tailor.observe.ObserveSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor fixture-week}: writes the seeded Online Boutique week (see {@link BoutiqueWeek}) and what
 * {@code tailor observe} must report for it ({@code expected-summary.json}).
 */
@Command(name = "fixture-week", mixinStandardHelpOptions = true,
        description = "Write a seeded week of Online Boutique observations (admission stream, audit log, Hubble flows, "
                + "syscall records) and the summary tailor observe must print for it.")
public final class FixtureWeekCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory to write the week into")
    Path out;

    @Option(names = "--seed", paramLabel = "N", description = "seed of the week (default: ${DEFAULT-VALUE})")
    long seed = BoutiqueWeek.DEFAULT_SEED;

    @Mixin
    HomeOption home;

    @Override
    public Integer call() throws Exception {
        Path boutique = home.root().resolve("test-fixtures/third_party/online-boutique");
        if (!Files.isDirectory(boutique)) {
            System.err.println("tailor fixture-week: " + boutique + " not found: run it from Tailor's repository or give --home");
            return TailorCli.USAGE;
        }
        ObserveSummary[] expected = new ObserveSummary[1];
        try {
            // Into a new or empty directory, or one it wrote before: never over someone else's files.
            dev.tailor.util.OwnedTree.writeInPlace(out, () -> {
                expected[0] = BoutiqueWeek.write(boutique, out, seed);
                Files.writeString(out.resolve("expected-summary.json"), expected[0].toJson(), StandardCharsets.UTF_8);
            });
        } catch (dev.tailor.util.OwnedTree.RefusedException e) {
            System.err.println("tailor fixture-week: " + e.getMessage());
            return TailorCli.USAGE;
        }
        System.out.printf("wrote the week of %s to %s: %s%n", BoutiqueWeek.START, out, expected[0].events);
        return TailorCli.OK;
    }
}
