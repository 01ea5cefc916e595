package dev.tailor.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * The run {@code ./tailor} archives the CLI's classes from (AppCDS, once per build): {@code observe} of a small
 * week's four sources, then {@code generate} and {@code impact} of it, in one JVM — so the archive holds what all
 * three load (picocli, Flyway, H2, Jackson, the readers, fabric8's model, the generators and evaluators), not what
 * {@code observe} alone does. The week must propose something (pods seen created, data on each day), or the
 * generators and the preview's evaluators are never reached: the launcher writes one with {@code tailor fixture-week}.
 *
 * <p>{@code java -cp tailor.jar dev.tailor.cli.ClassDataTraining WEEK WORK}: exits 0 when each command did its work.
 */
public final class ClassDataTraining {

    private ClassDataTraining() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ClassDataTraining WEEK_DIR WORK_DIR");
            System.exit(TailorCli.USAGE);
        }
        System.exit(run(Path.of(args[0]), Path.of(args[1])));
    }

    /** Observes the week in {@code week} into a store under {@code work}, then generates and previews; the exit code. */
    static int run(Path week, Path work) {
        String store = "jdbc:h2:file:" + work.resolve("store/observations");
        String proposal = work.resolve("proposal").toString();
        List<List<String>> runs = List.of(
                List.of(
                        "observe",
                        "--audit-log",
                        week.resolve("audit.log").toString(),
                        "--flows",
                        week.resolve("flows.json").toString(),
                        "--syscalls",
                        week.resolve("syscalls.log").toString(),
                        "--admission",
                        week.resolve("admission.jsonl").toString(),
                        "--store",
                        store),
                List.of("generate", "--store", store, "--out", proposal),
                List.of("impact", "--store", store, "--proposed", proposal, "--format", "md,json,html"));
        for (List<String> run : runs) {
            int code = TailorCli.execute(run.toArray(String[]::new));
            if (code != TailorCli.OK && code != TailorCli.WOULD_DENY) {
                System.err.println("ClassDataTraining: tailor " + run.get(0) + " exited with " + code);
                return code;
            }
        }
        return TailorCli.OK;
    }
}
