package dev.tailor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.fixtures.HelmWeek;
import dev.tailor.fixtures.ObservedWeek;
import dev.tailor.store.ObservationStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tailor propose} — the weekly CronJob's command — from a store of the Helm week to a bare repository:
 * generated, previewed and pushed in one run; run again with nothing new, nothing is pushed.
 */
class ProposeCommandTest {

    @TempDir
    Path dir;

    private String output;

    private int propose(String... args) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (PrintStream sink = new PrintStream(all, true, StandardCharsets.UTF_8)) {
            System.setOut(sink);
            System.setErr(sink);
            String[] full = new String[args.length + 1];
            full[0] = "propose";
            System.arraycopy(args, 0, full, 1, args.length);
            return TailorCli.execute(full);
        } finally {
            System.setOut(out);
            System.setErr(err);
            output = all.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void generatesPreviewsAndPushesABranchInOneRun() throws Exception {
        Path week = dir.resolve("week");
        HelmWeek.write(week, null, HelmWeek.DEFAULT_SEED);
        String store = ObservationStore.embeddedUrl(dir.resolve("store"));
        ObservedWeek.observe(week, store);
        Path remote = dir.resolve("gitops.git");
        try (Git bare = Git.init()
                .setBare(true)
                .setDirectory(remote.toFile())
                .setInitialBranch("main")
                .call()) {
            bare.getRepository().getConfig().setBoolean("receive", null, "autogc", false);
            bare.getRepository().getConfig().save();
        }
        Path seed = dir.resolve("seed");
        try (Git git = Git.cloneRepository()
                .setURI(remote.toUri().toString())
                .setDirectory(seed.toFile())
                .call()) {
            java.nio.file.Files.writeString(seed.resolve("README.md"), "GitOps\n");
            git.add().addFilepattern("README.md").call();
            git.commit()
                    .setMessage("start")
                    .setAuthor("Ops", "ops@example.com")
                    .setCommitter("Ops", "ops@example.com")
                    .call();
            git.push()
                    .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
                    .call();
        }

        assertEquals(0, propose("--store", store, "--repo", remote.toUri().toString(), "--path", "policies"), output);
        assertTrue(output.contains("pushed tailor/"), output);
        assertTrue(
                output.matches("(?s).*tailor propose: generate [0-9.]+ s, impact [0-9.]+ s, pr [0-9.]+ s\n.*"),
                "what each step took, for the Job's log: " + output);
        List<String> files;
        try (Git git = Git.open(remote.toFile())) {
            Ref branch = git.getRepository()
                    .getRefDatabase()
                    .getRefsByPrefix("refs/heads/tailor/")
                    .get(0);
            files = files(git, branch);
        }
        assertTrue(
                files.contains("policies/storefront/deployment.storefront-api/networkpolicy.yaml"), files.toString());
        assertTrue(files.contains("policies/operators/serviceaccount.config-operator/rbac.yaml"), files.toString());
        assertTrue(files.contains("policies/IMPACT.md"), "the preview travels with the proposal: " + files);

        assertEquals(0, propose("--store", store, "--repo", remote.toUri().toString(), "--path", "policies"), output);
        assertTrue(output.toLowerCase().contains("nothing changed") || output.contains("no change"), output);
    }

    private static List<String> files(Git git, Ref branch) throws Exception {
        List<String> files = new java.util.ArrayList<>();
        try (RevWalk walk = new RevWalk(git.getRepository());
                TreeWalk tree = new TreeWalk(git.getRepository())) {
            tree.addTree(walk.parseCommit(branch.getObjectId()).getTree());
            tree.setRecursive(true);
            while (tree.next()) {
                files.add(tree.getPathString());
            }
        }
        return files;
    }
}
