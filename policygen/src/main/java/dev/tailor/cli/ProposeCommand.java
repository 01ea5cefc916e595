package dev.tailor.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailor propose}: the loop's last steps in one command — what the weekly CronJob runs. {@code tailor generate}
 * from the store, {@code tailor impact} of that proposal (its IMPACT.md goes into the proposal, and so into the pull
 * request) on the same read of the store, {@code tailor pr}: the open pull request updated, or one opened. A proposal whose preview would deny
 * something is still published — the pull request's impact report says what, for its reviewers — and the command
 * exits 3 as impact does, so the Job shows it.
 */
@Command(
        name = "propose",
        mixinStandardHelpOptions = true,
        description = "Generate, preview and publish the proposal in one: tailor generate, tailor impact and tailor pr "
                + "(the weekly CronJob's command). Tokens come from the environment, as for tailor pr.")
public final class ProposeCommand implements Callable<Integer> {

    @Option(
            names = "--store",
            paramLabel = "URL|cluster",
            description = "the store (default: ${DEFAULT-VALUE}: the "
                    + "webhook's, through Tailor's API with the service account's or your kubeconfig's credentials)")
    String store = WindowOptions.CLUSTER;

    @Option(
            names = "--since",
            paramLabel = "DURATION",
            description = "the observation window (default: ${DEFAULT-VALUE})")
    String since = "7d";

    @Option(
            names = "--quiet",
            paramLabel = "DURATION",
            description = "time without new behavior before a workload is " + "proposed (default: tailor generate's)")
    String quiet;

    @Option(
            names = "--current",
            arity = "1..*",
            paramLabel = "cluster|FILE",
            description = "the policies as they are, "
                    + "for the preview's access-removed figures (e.g. cluster); none: unknown")
    List<String> current = new ArrayList<>();

    @Option(names = "--repo", required = true, paramLabel = "URL|PATH", description = "the GitOps repository")
    String repository;

    @Option(names = "--base", paramLabel = "BRANCH", description = "the branch to merge into (default: tailor pr's)")
    String base;

    @Option(
            names = "--path",
            paramLabel = "DIR",
            description = "where the policies live in the repository (default: tailor pr's)")
    String path;

    @Option(names = "--github", paramLabel = "OWNER/REPO", description = "open the pull request on GitHub")
    String github;

    @Option(names = "--gitlab", paramLabel = "GROUP/PROJECT", description = "open a merge request on GitLab")
    String gitlab;

    @Option(names = "--api-url", paramLabel = "URL", description = "the hosting API")
    String apiUrl;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("tailor-propose-");
        Steps steps = new Steps();
        try (WindowOptions.Shared observations = new WindowOptions.Shared()) {
            // generate and impact share one read of the observations: impact previews the very window the proposal was
            // made from, however the store fills meanwhile.
            CommandLine.IFactory factory = new CommandLine.IFactory() {
                @Override
                public <K> K create(Class<K> type) throws Exception {
                    K made = CommandLine.defaultFactory().create(type);
                    if (made instanceof GenerateCommand generate) {
                        generate.window.shared = observations;
                    } else if (made instanceof ImpactCommand impact) {
                        impact.window.shared = observations;
                    }
                    return made;
                }
            };
            Path proposal = work.resolve("proposal");
            List<String> generate = new ArrayList<>(
                    List.of("generate", "--out", proposal.toString(), "--store", store, "--since", since));
            add(generate, "--quiet", quiet);
            int generated = steps.run("generate", () -> run(factory, generate.toArray(String[]::new)));
            if (generated != TailorCli.OK) {
                return generated;
            }
            List<String> impact = new ArrayList<>(
                    List.of("impact", "--proposed", proposal.toString(), "--store", store, "--since", since));
            if (!current.isEmpty()) {
                impact.add("--current");
                impact.addAll(current);
            }
            int previewed = steps.run("impact", () -> run(factory, impact.toArray(String[]::new)));
            if (previewed != TailorCli.OK && previewed != TailorCli.WOULD_DENY) {
                return previewed;
            }
            List<String> pr = new ArrayList<>(List.of("pr", "--from", proposal.toString(), "--repo", repository));
            add(pr, "--base", base);
            add(pr, "--path", path);
            add(pr, "--github", github);
            add(pr, "--gitlab", gitlab);
            add(pr, "--api-url", apiUrl);
            int published = steps.run("pr", () -> run(CommandLine.defaultFactory(), pr.toArray(String[]::new)));
            return published != TailorCli.OK ? published : previewed;
        } finally {
            dev.tailor.util.Trees.delete(work);
            System.out.println("tailor propose: " + steps);
        }
    }

    /** The steps run and how long each took, for the Job's log: "generate 2.1 s, impact 1.4 s, pr 1.0 s". */
    private static final class Steps {
        private final java.util.StringJoiner done = new java.util.StringJoiner(", ");

        int run(String name, java.util.function.IntSupplier step) {
            long start = System.nanoTime();
            try {
                return step.getAsInt();
            } finally {
                done.add(String.format(java.util.Locale.ROOT, "%s %.2f s", name, (System.nanoTime() - start) / 1e9));
            }
        }

        @Override
        public String toString() {
            return done.toString();
        }
    }

    private static void add(List<String> args, String option, String value) {
        if (value != null) {
            args.add(option);
            args.add(value);
        }
    }

    /** One of Tailor's commands, as if typed: its own options, messages and exit code. */
    private static int run(CommandLine.IFactory factory, String... args) {
        return TailorCli.execute(TailorCli.class, factory, args);
    }
}
