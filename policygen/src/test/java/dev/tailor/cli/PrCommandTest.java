package dev.tailor.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tailor pr} against a real bare git repository as the remote, with the GitHub and GitLab APIs served by
 * WireMock in their documented JSON shapes; the requests Tailor made are asserted (path, body, headers).
 */
class PrCommandTest {

    private static final String TOKEN = "test-token-not-a-secret";

    @TempDir
    Path dir;

    private WireMockServer api;
    private Path remote;
    private Path tree;
    private String err;

    @BeforeEach
    void repositoryAndApi() throws Exception {
        api = new WireMockServer(options().dynamicPort());
        api.start();
        remote = dir.resolve("gitops.git");
        try (Git bare = Git.init()
                .setBare(true)
                .setDirectory(remote.toFile())
                .setInitialBranch("main")
                .call()) {
            // The remote receives pushes in this JVM: its automatic gc would run on a thread of its own after each,
            // racing the removal of the test's directory.
            bare.getRepository().getConfig().setBoolean("receive", null, "autogc", false);
            bare.getRepository().getConfig().save();
        }
        Path seed = dir.resolve("seed");
        try (Git git = Git.cloneRepository()
                .setURI(remote.toUri().toString())
                .setDirectory(seed.toFile())
                .call()) {
            Files.writeString(seed.resolve("README.md"), "GitOps\n");
            // A file of the team's own under Tailor's path: no pull request of Tailor's may remove it.
            Files.createDirectories(seed.resolve("policies"));
            Files.writeString(seed.resolve("policies/kustomization.yaml"), "resources: []\n");
            git.add().addFilepattern("README.md").addFilepattern("policies").call();
            git.commit()
                    .setMessage("start")
                    .setAuthor("Ops", "ops@example.com")
                    .setCommitter("Ops", "ops@example.com")
                    .call();
            git.push()
                    .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
                    .call();
        }
        tree = dir.resolve("generated");
        write("IMPACT.md", "# Tailor impact report\n\n**Clean: nothing observed in the window would be denied.**\n");
        write("boutique/deployment.cartservice/networkpolicy.yaml", "kind: NetworkPolicy\nmetadata: {name: cart}\n");
        write("boutique/serviceaccount.cartservice/rbac.yaml", "kind: Role\nmetadata: {name: cart}\n");
        // As tailor generate writes it: the marker lists the generated files (IMPACT.md is impact's).
        write(
                ".tailor-tree",
                "# Written by Tailor\nboutique/deployment.cartservice/networkpolicy.yaml\n"
                        + "boutique/serviceaccount.cartservice/rbac.yaml\n");
    }

    @AfterEach
    void stop() {
        api.stop();
    }

    private void write(String path, String content) throws Exception {
        Path f = tree.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
    }

    private int pr(String... args) {
        PrCommand command = new PrCommand();
        command.environment = Map.of("GITHUB_TOKEN", TOKEN, "GITLAB_TOKEN", TOKEN);
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream original = System.err;
        PrintStream out = System.out;
        try (PrintStream e = new PrintStream(errors, true, StandardCharsets.UTF_8);
                PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            System.setErr(e);
            System.setOut(o);
            return new CommandLine(command).execute(args);
        } finally {
            System.setErr(original);
            System.setOut(out);
            err = errors.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void withoutABranchTheNewestTailorBranchIsContinued() throws Exception {
        api.stubFor(get(urlPathEqualTo("/repos/acme/gitops/pulls")).willReturn(okJson("[]")));
        api.stubFor(post(urlPathEqualTo("/repos/acme/gitops/pulls"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"number\": 9, \"html_url\": \"https://github.com/acme/gitops/pull/9\"}")));
        assertEquals(0, pr(github()), err); // creates tailor/2026-11-23
        write("boutique/deployment.cartservice/networkpolicy.yaml", "kind: NetworkPolicy\nmetadata: {name: cart-v3}\n");
        assertEquals(
                0,
                pr(
                        "--repo",
                        remote.toUri().toString(),
                        "--from",
                        tree.toString(),
                        "--github",
                        "acme/gitops",
                        "--api-url",
                        api.baseUrl()),
                err);
        assertTrue(remoteFile("tailor/2026-11-23", "policies/boutique/deployment.cartservice/networkpolicy.yaml")
                .contains("cart-v3"));
    }

    private String[] github(String... more) {
        String[] base = {
            "--repo",
            remote.toUri().toString(),
            "--branch",
            "tailor/2026-11-23",
            "--from",
            tree.toString(),
            "--github",
            "acme/gitops",
            "--api-url",
            api.baseUrl()
        };
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** The file at {@code path} on a branch of the remote, or null. */
    private String remoteFile(String branch, String path) throws Exception {
        try (Git git = Git.open(remote.toFile());
                RevWalk walk = new RevWalk(git.getRepository())) {
            ObjectId head = git.getRepository().resolve("refs/heads/" + branch);
            if (head == null) {
                return null;
            }
            RevCommit commit = walk.parseCommit(head);
            try (TreeWalk t = TreeWalk.forPath(git.getRepository(), path, commit.getTree())) {
                return t == null
                        ? null
                        : new String(git.getRepository().open(t.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    /** The branch's newest commit on the remote, or null when there is no such branch. */
    private RevCommit tip(String branch) throws Exception {
        try (Git git = Git.open(remote.toFile());
                RevWalk walk = new RevWalk(git.getRepository())) {
            ObjectId head = git.getRepository().resolve("refs/heads/" + branch);
            return head == null ? null : walk.parseCommit(head);
        }
    }

    @Test
    void opensAPullRequestThenUpdatesItAndDoesNothingWhenNothingChanged() throws Exception {
        api.stubFor(get(urlPathEqualTo("/repos/acme/gitops/pulls")).willReturn(okJson("[]")));
        api.stubFor(
                post(urlPathEqualTo("/repos/acme/gitops/pulls"))
                        .willReturn(
                                aResponse()
                                        .withStatus(201)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"number\": 7, \"html_url\": \"https://github.com/acme/gitops/pull/7\", \"state\": \"open\","
                                                        + " \"head\": {\"ref\": \"tailor/2026-11-23\"}, \"base\": {\"ref\": \"main\"}}")));
        assertEquals(0, pr(github()), err);

        assertEquals(
                "kind: NetworkPolicy\nmetadata: {name: cart}\n",
                remoteFile("tailor/2026-11-23", "policies/boutique/deployment.cartservice/networkpolicy.yaml"));
        assertNotNull(remoteFile("tailor/2026-11-23", "policies/IMPACT.md"));
        RevCommit first = tip("tailor/2026-11-23");
        assertTrue(
                first.getFullMessage()
                        .startsWith(
                                "Tailor: least-privilege policies for 2 workloads\n\n4 files added, 0 changed, 0 removed"),
                first.getFullMessage());
        assertTrue(first.getFullMessage().contains("added:   boutique/serviceaccount.cartservice/rbac.yaml"));
        assertEquals("Tailor", first.getAuthorIdent().getName());
        assertNull(remoteFile("main", "policies/IMPACT.md"), "main is untouched");
        api.verify(postRequestedFor(urlPathEqualTo("/repos/acme/gitops/pulls"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withHeader("Accept", equalTo("application/vnd.github+json"))
                .withRequestBody(matchingJsonPath("$.head", equalTo("tailor/2026-11-23")))
                .withRequestBody(matchingJsonPath("$.base", equalTo("main")))
                .withRequestBody(
                        matchingJsonPath("$.title", equalTo("Tailor: least-privilege policies for 2 workloads")))
                .withRequestBody(matchingJsonPath("$.body", equalTo(Files.readString(tree.resolve("IMPACT.md"))))));

        sameTreeThenAChangedOne(first);
    }

    /**
     * The same tree again: no commit, no push, no pull request call. A changed tree: a new commit on the same
     * branch, and the open pull request's body updated.
     */
    private void sameTreeThenAChangedOne(RevCommit first) throws Exception {
        // The same tree again: no commit, no push, no pull request call.
        api.resetRequests();
        api.stubFor(get(urlPathEqualTo("/repos/acme/gitops/pulls"))
                .willReturn(okJson("[{\"number\": 7, \"html_url\":"
                        + " \"https://github.com/acme/gitops/pull/7\", \"head\": {\"ref\": \"tailor/2026-11-23\"}}]")));
        assertEquals(0, pr(github()), err);
        assertEquals(first, tip("tailor/2026-11-23"));
        assertEquals(0, api.getAllServeEvents().size(), "no API call at all when nothing changed");

        // A changed tree: a new commit on the same branch, and the open pull request's body updated.
        write("IMPACT.md", "# Tailor impact report\n\n**1 observed behaviors would be denied**\n");
        Files.delete(tree.resolve("boutique/serviceaccount.cartservice/rbac.yaml"));
        write(".tailor-tree", "# Written by Tailor\nboutique/deployment.cartservice/networkpolicy.yaml\n");
        api.stubFor(patch(urlPathEqualTo("/repos/acme/gitops/pulls/7"))
                .willReturn(okJson("{\"number\": 7," + " \"html_url\": \"https://github.com/acme/gitops/pull/7\"}")));
        assertEquals(0, pr(github()), err);
        RevCommit second = tip("tailor/2026-11-23");
        assertEquals(first, second.getParent(0), "built on the branch, not beside it");
        assertTrue(
                second.getFullMessage().contains("removed: boutique/serviceaccount.cartservice/rbac.yaml"),
                second.getFullMessage());
        assertNull(remoteFile("tailor/2026-11-23", "policies/boutique/serviceaccount.cartservice/rbac.yaml"));
        assertEquals(
                "resources: []\n",
                remoteFile("tailor/2026-11-23", "policies/kustomization.yaml"),
                "a file Tailor did not write stays");
        assertTrue(!second.getFullMessage().contains("kustomization.yaml"), second.getFullMessage());
        api.verify(patchRequestedFor(urlPathEqualTo("/repos/acme/gitops/pulls/7"))
                .withRequestBody(matchingJsonPath("$.body", equalTo(Files.readString(tree.resolve("IMPACT.md"))))));
        api.verify(0, postRequestedFor(urlPathEqualTo("/repos/acme/gitops/pulls")));
    }

    /** tailor pr's arguments for the GitLab project acme/gitops on the stand-in API, and {@code more}. */
    private String[] gitlab(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--repo",
                remote.toUri().toString(),
                "--from",
                tree.toString(),
                "--gitlab",
                "acme/gitops",
                "--api-url",
                api.baseUrl() + "/api/v4"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void gitLabGetsAMergeRequest() throws Exception {
        String project = "/api/v4/projects/acme%2Fgitops/merge_requests";
        api.stubFor(get(urlPathEqualTo(project)).willReturn(okJson("[]")));
        api.stubFor(
                post(urlPathEqualTo(project))
                        .willReturn(
                                aResponse()
                                        .withStatus(201)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"iid\": 3, \"web_url\": \"https://gitlab.com/acme/gitops/-/merge_requests/3\", \"state\": \"opened\"}")));
        assertEquals(0, pr(gitlab("--branch", "tailor/mr")), err);
        api.verify(getRequestedFor(urlPathEqualTo(project)).withHeader("PRIVATE-TOKEN", equalTo(TOKEN)));
        api.verify(postRequestedFor(urlPathEqualTo(project))
                .withRequestBody(matchingJsonPath("$.source_branch", equalTo("tailor/mr")))
                .withRequestBody(matchingJsonPath("$.target_branch", equalTo("main")))
                .withRequestBody(
                        matchingJsonPath("$.description", equalTo(Files.readString(tree.resolve("IMPACT.md"))))));
        assertNotNull(remoteFile("tailor/mr", "policies/IMPACT.md"));
        api.verify(0, putRequestedFor(urlPathEqualTo(project + "/3")));

        // Open already: the merge request is updated, with the same token header.
        api.stubFor(get(urlPathEqualTo(project))
                .willReturn(okJson("[{\"iid\": 3, \"source_branch\": \"tailor/mr\","
                        + " \"web_url\": \"https://gitlab.com/acme/gitops/-/merge_requests/3\"}]")));
        api.stubFor(put(urlPathEqualTo(project + "/3")).willReturn(okJson("{\"iid\": 3}")));
        write("boutique/deployment.cartservice/networkpolicy.yaml", "kind: NetworkPolicy\nmetadata: {name: cart-v2}\n");
        assertEquals(0, pr(gitlab()), err);
        api.verify(putRequestedFor(urlPathEqualTo(project + "/3"))
                .withHeader("PRIVATE-TOKEN", equalTo(TOKEN))
                .withRequestBody(
                        matchingJsonPath("$.title", equalTo("Tailor: least-privilege policies for 1 workloads"))));
        assertTrue(
                remoteFile("tailor/mr", "policies/boutique/deployment.cartservice/networkpolicy.yaml")
                        .contains("cart-v2"),
                "without --branch, the open merge request's branch is used");
    }

    @Test
    void errorsAreOneLineAndExitOne() throws Exception {
        api.stubFor(get(urlPathEqualTo("/repos/acme/gitops/pulls"))
                .willReturn(aResponse().withStatus(401).withBody("{\"message\": \"Bad credentials\"}")));
        assertEquals(1, pr(github()));
        assertEquals(
                "tailor pr: listing the open pull requests of acme/gitops: authentication failed (HTTP 401): check the token's access to the repository",
                err.strip());
        assertNull(remoteFile("tailor/2026-11-23", "policies/IMPACT.md"), "nothing pushed");

        api.stubFor(get(urlPathEqualTo("/repos/acme/gitops/pulls")).willReturn(okJson("[]")));
        assertEquals(1, pr(github("--base", "release")));
        assertEquals("tailor pr: the base branch release does not exist in " + remote.toUri(), err.strip());

        assertEquals(1, pr("--repo", dir.resolve("nowhere").toString(), "--from", tree.toString()));
        assertTrue(err.startsWith("tailor pr: cannot clone "), err);
        assertEquals(1, err.strip().lines().count());

        Files.delete(tree.resolve("IMPACT.md"));
        assertEquals(1, pr(github()));
        assertTrue(err.contains("has no IMPACT.md: run tailor impact on it first"), err);
    }

    /** {@code tailor pr} to the local remote's branch {@code tailor/local}, no hosting API, plus {@code more}. */
    private int prLocal(String... more) {
        List<String> args = new ArrayList<>(
                List.of("--repo", remote.toString(), "--from", tree.toString(), "--branch", "tailor/local"));
        args.addAll(List.of(more));
        return pr(args.toArray(String[]::new));
    }

    /** A change to a work tree. */
    private interface WorkTreeChange {
        void make(Path work) throws java.io.IOException;
    }

    /** Commits {@code change} (in a clone of the remote's main) and pushes it to main. */
    private void commitToMain(WorkTreeChange change) throws Exception {
        Path work = Files.createTempDirectory(dir, "work");
        try (Git git = Git.cloneRepository()
                .setURI(remote.toUri().toString())
                .setDirectory(work.toFile())
                .call()) {
            change.make(work);
            git.add().addFilepattern(".").call();
            git.commit()
                    .setMessage("the team's change")
                    .setAuthor("Ops", "ops@example.com")
                    .setCommitter("Ops", "ops@example.com")
                    .call();
            git.push().call();
        }
    }

    /**
     * What the branch holds where the proposal needs a file or a directory — a file named as a namespace's directory,
     * a link where a generated file goes, a file at the path itself — stops the pull request with the path named: a
     * tree holding both a file and a directory of one name is not one git can check out.
     */
    @Test
    void aFileOrLinkInTheProposalsWayStopsItAndNothingIsPushed() throws Exception {
        commitToMain(work -> Files.writeString(work.resolve("policies/boutique"), "the team's notes\n"));
        assertEquals(1, prLocal());
        assertEquals(
                "tailor pr: policies/boutique on main is a file where the proposal needs a directory (for"
                        + " policies/boutique/deployment.cartservice/networkpolicy.yaml): move it away first",
                err.strip());
        assertNull(tip("tailor/local"), "nothing pushed");

        assertEquals(1, prLocal("--path", "README.md"));
        assertEquals(
                "tailor pr: README.md on main is a file where the proposal needs a directory (for"
                        + " README.md/.tailor-tree): move it away first",
                err.strip());

        commitToMain(work -> {
            Files.delete(work.resolve("policies/boutique"));
            Path at = work.resolve("policies/boutique/deployment.cartservice/networkpolicy.yaml");
            Files.createDirectories(at.getParent());
            Files.createSymbolicLink(at, Path.of("../../kustomization.yaml"));
        });
        assertEquals(1, prLocal());
        assertEquals(
                "tailor pr: policies/boutique/deployment.cartservice/networkpolicy.yaml on main is a link, not a file,"
                        + " where the proposal has a file: move it away first",
                err.strip());
        assertNull(tip("tailor/local"), "nothing pushed");
    }

    @Test
    void withoutAHostingApiTheBranchIsPushedAlone() throws Exception {
        assertEquals(0, prLocal("--path", "/cluster/policies/"), err);
        assertNotNull(
                remoteFile("tailor/local", "cluster/policies/boutique/deployment.cartservice/networkpolicy.yaml"));
        assertEquals(0, api.getAllServeEvents().size());
    }
}
