package dev.tailor.cli;

import dev.tailor.publish.HostingApi;
import dev.tailor.publish.PublishException;
import dev.tailor.publish.PullRequestPublisher;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailor pr}: the generated policies (with IMPACT.md as the body) as a pull request on GitHub or a merge request
 * on GitLab; or, for a repository without a hosting API (a local path), the branch alone. The token comes from the
 * environment: GITHUB_TOKEN or GITLAB_TOKEN.
 */
@Command(
        name = "pr",
        mixinStandardHelpOptions = true,
        description = "Open or update a pull request with the generated policies and their impact report.")
public final class PrCommand implements Callable<Integer> {

    @Option(names = "--repo", required = true, paramLabel = "URL|PATH", description = "the GitOps repository")
    String repository;

    @Option(
            names = "--base",
            paramLabel = "BRANCH",
            description = "the branch to merge into (default: ${DEFAULT-VALUE})")
    String base = "main";

    @Option(
            names = "--path",
            paramLabel = "DIR",
            description = "where the policies live in the repository (default: ${DEFAULT-VALUE})")
    String path = "policies";

    @Option(
            names = "--branch",
            paramLabel = "NAME",
            description = "Tailor's branch (default: the open pull request's, else tailor/<date>)")
    String branch;

    @Option(
            names = "--from",
            paramLabel = "DIR",
            description = "the generated policies, with IMPACT.md (default: ${DEFAULT-VALUE})")
    Path from = Path.of("policies");

    @Option(
            names = "--github",
            paramLabel = "OWNER/REPO",
            description = "open the pull request on GitHub (default: from a github.com --repo URL)")
    String github;

    @Option(
            names = "--gitlab",
            paramLabel = "GROUP/PROJECT",
            description = "open a merge request on GitLab (default: from a gitlab.com --repo URL)")
    String gitlab;

    @Option(
            names = "--api-url",
            paramLabel = "URL",
            description = "the hosting API (default: https://api.github.com, https://gitlab.com/api/v4)")
    URI apiUrl;

    /** Where tokens come from; the environment unless a test gives its own. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws Exception {
        HostingApi api;
        String token;
        try {
            String cleanPath = path.replaceAll("^/+|/+$", "");
            if (cleanPath.isEmpty() || cleanPath.contains("..")) {
                throw new IllegalArgumentException("--path must be a directory inside the repository, got " + path);
            }
            path = cleanPath;
            hostFromRepository();
            if (github != null && gitlab != null) {
                throw new IllegalArgumentException("give --github or --gitlab, not both");
            }
            token = github != null
                    ? require("GITHUB_TOKEN")
                    : gitlab != null ? require("GITLAB_TOKEN") : environment.get("TAILOR_GIT_TOKEN");
            api = github != null
                    ? HostingApi.github(apiUrl != null ? apiUrl : URI.create("https://api.github.com"), github, token)
                    : gitlab != null
                            ? HostingApi.gitlab(
                                    apiUrl != null ? apiUrl : URI.create("https://gitlab.com/api/v4"), gitlab, token)
                            : null;
        } catch (IllegalArgumentException e) {
            System.err.println("tailor pr: " + e.getMessage());
            return TailorCli.USAGE;
        }
        return publish(api, token);
    }

    /** Neither --github nor --gitlab: the repository's URL names github.com or gitlab.com, or no hosting API. */
    private void hostFromRepository() {
        if (github != null || gitlab != null) {
            return;
        }
        var m = java.util.regex.Pattern.compile("(?:https://|git@)(github\\.com|gitlab\\.com)[:/](.+?)(?:\\.git)?/?$")
                .matcher(repository);
        if (m.matches()) {
            if (m.group(1).equals("github.com")) {
                github = m.group(2);
            } else {
                gitlab = m.group(2);
            }
        }
    }

    private int publish(HostingApi api, String token) throws IOException {
        Path work = Files.createTempDirectory("tailor-pr-");
        try {
            PullRequestPublisher.Result r = new PullRequestPublisher()
                    .publish(new PullRequestPublisher.Options(
                            repository,
                            base,
                            path,
                            branch,
                            PullRequestPublisher.defaultBranch(LocalDate.now(ZoneOffset.UTC)),
                            from,
                            api,
                            token,
                            work));
            switch (r.outcome()) {
                case NOTHING_CHANGED -> System.out.println(r.summary() + (r.url() == null ? "" : " (" + r.url() + ")"));
                case PUSHED ->
                    System.out.println("pushed " + r.branch() + " (" + r.summary()
                            + "); no hosting API given, so no pull request");
                case OPENED -> System.out.println("opened " + r.url() + " from " + r.branch() + ": " + r.summary());
                case UPDATED -> System.out.println("updated " + r.url() + " on " + r.branch() + ": " + r.summary());
            }
            return TailorCli.OK;
        } catch (PublishException e) {
            System.err.println("tailor pr: " + e.getMessage());
            return TailorCli.ERROR;
        } finally {
            dev.tailor.util.Trees.delete(work);
        }
    }

    private String require(String variable) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(variable + " is not set: the pull request is opened with that token");
        }
        return value.strip();
    }
}
