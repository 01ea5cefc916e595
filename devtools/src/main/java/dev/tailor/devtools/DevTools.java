package dev.tailor.devtools;

import dev.tailor.cli.TailorCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The developer's commands, run by {@code ./tailor} from a checkout beside the product's ({@link TailorCli}): the demo,
 * the benches and the fixture weeks. They need the fixtures and the local harnesses (test-fixtures), which no
 * production jar carries; the exit codes and option checks are the product's.
 */
@Command(
        name = "tailor",
        mixinStandardHelpOptions = true,
        version = TailorCli.VERSION,
        scope = CommandLine.ScopeType.INHERIT,
        description = "Tailor's developer commands: the demo, the benches and the fixture weeks.",
        subcommands = {
            DemoCommand.class,
            FixtureWeekCommand.class,
            BenchCommand.class,
            BenchIngestCommand.class,
            BenchGenerateCommand.class,
            ClasslistCommand.class
        })
public final class DevTools implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(TailorCli.execute(DevTools.class, args));
    }
}
