package dev.tailor.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The code-hosting side of a pull request: find Tailor's open one, open one, update one. GitHub's REST API
 * ({@code /repos/{owner}/{repo}/pulls}) or GitLab's ({@code /projects/{id}/merge_requests}); the token from the
 * environment, never logged. Every failure is one {@link PublishException} line.
 */
public interface HostingApi {

    /** An open pull (merge) request: its number (GitLab: iid), its branch and where a person sees it. */
    record OpenRequest(long number, String branch, String url) {}

    /** Tailor's open request into {@code base} from {@code branch} (any {@code tailor/*} branch when null). */
    Optional<OpenRequest> findOpen(String base, String branch) throws PublishException;

    OpenRequest open(String branch, String base, String title, String body) throws PublishException;

    OpenRequest update(OpenRequest request, String title, String body) throws PublishException;

    /** The token git itself authenticates with on this host (user name, token). */
    String gitUser();

    ObjectMapper JSON = new ObjectMapper();

    /** Calls an API: JSON in and out, an error's status said in one line. */
    static JsonNode call(HttpClient http, HttpRequest.Builder request, String what) throws PublishException {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new PublishException(what + ": the API could not be reached (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(what + ": interrupted");
        }
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            throw new PublishException(
                    what + ": authentication failed (HTTP " + status + "): check the token's access to the repository");
        }
        if (status == 404) {
            throw new PublishException(
                    what + ": not found (HTTP 404): check the repository name and the token's access");
        }
        if (status >= 300) {
            String body = response.body() == null ? "" : response.body().replaceAll("\\s+", " ");
            throw new PublishException(what + ": HTTP " + status
                    + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "…" : body)));
        }
        try {
            return JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
        } catch (IOException e) {
            throw new PublishException(what + ": the answer is not JSON");
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** GitHub: {@code owner/repo} at {@code apiUrl} (https://api.github.com). */
    static HostingApi github(URI apiUrl, String repository, String token) {
        return new GitHub(apiUrl, repository, token);
    }

    /** The pull requests of a GitHub repository ({@link #github}). */
    final class GitHub implements HostingApi {
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        private final String repository;
        private final String token;
        private final String base;
        private final String owner;

        GitHub(URI apiUrl, String repository, String token) {
            this.repository = repository;
            this.token = token;
            this.base = apiUrl.toString().replaceAll("/+$", "") + "/repos/" + repository + "/pulls";
            this.owner = repository.substring(0, repository.indexOf('/'));
        }

        private HttpRequest.Builder request(String url) {
            return HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28");
        }

        @Override
        public Optional<OpenRequest> findOpen(String baseBranch, String branch) throws PublishException {
            JsonNode pulls = call(
                    http,
                    request(base + "?state=open&base=" + encode(baseBranch) + "&per_page=100")
                            .GET(),
                    "listing the open pull requests of " + repository);
            for (JsonNode p : pulls) {
                String ref = p.path("head").path("ref").asText();
                boolean ours = branch != null ? ref.equals(branch) : ref.startsWith("tailor/");
                if (ours
                        && p.path("head")
                                .path("repo")
                                .path("owner")
                                .path("login")
                                .asText(owner)
                                .equals(owner)) {
                    return Optional.of(new OpenRequest(
                            p.path("number").asLong(), ref, p.path("html_url").asText()));
                }
            }
            return Optional.empty();
        }

        @Override
        public OpenRequest open(String branch, String baseBranch, String title, String body) throws PublishException {
            ObjectNode json = JSON.createObjectNode()
                    .put("title", title)
                    .put("head", branch)
                    .put("base", baseBranch)
                    .put("body", body)
                    .put("maintainer_can_modify", true);
            JsonNode p = call(
                    http,
                    request(base)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json.toString())),
                    "opening a pull request on " + repository);
            return new OpenRequest(
                    p.path("number").asLong(), branch, p.path("html_url").asText());
        }

        @Override
        public OpenRequest update(OpenRequest pr, String title, String body) throws PublishException {
            ObjectNode json = JSON.createObjectNode().put("title", title).put("body", body);
            JsonNode p = call(
                    http,
                    request(base + "/" + pr.number())
                            .header("Content-Type", "application/json")
                            .method("PATCH", HttpRequest.BodyPublishers.ofString(json.toString())),
                    "updating pull request #" + pr.number() + " on " + repository);
            return new OpenRequest(pr.number(), pr.branch(), p.path("html_url").asText(pr.url()));
        }

        @Override
        public String gitUser() {
            return "x-access-token";
        }
    }

    /** GitLab: project {@code group/project} at {@code apiUrl} (https://gitlab.com/api/v4). */
    static HostingApi gitlab(URI apiUrl, String project, String token) {
        return new GitLab(apiUrl, project, token);
    }

    /** The merge requests of a GitLab project ({@link #gitlab}). */
    final class GitLab implements HostingApi {
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        private final String project;
        private final String token;
        private final String base;

        GitLab(URI apiUrl, String project, String token) {
            this.project = project;
            this.token = token;
            this.base = apiUrl.toString().replaceAll("/+$", "") + "/projects/" + encode(project) + "/merge_requests";
        }

        private HttpRequest.Builder request(String url) {
            return HttpRequest.newBuilder(URI.create(url))
                    .header("PRIVATE-TOKEN", token)
                    .header("Accept", "application/json");
        }

        @Override
        public Optional<OpenRequest> findOpen(String baseBranch, String branch) throws PublishException {
            JsonNode mrs = call(
                    http,
                    request(base + "?state=opened&target_branch=" + encode(baseBranch) + "&per_page=100")
                            .GET(),
                    "listing the open merge requests of " + project);
            for (JsonNode m : mrs) {
                String ref = m.path("source_branch").asText();
                if (branch != null ? ref.equals(branch) : ref.startsWith("tailor/")) {
                    return Optional.of(new OpenRequest(
                            m.path("iid").asLong(), ref, m.path("web_url").asText()));
                }
            }
            return Optional.empty();
        }

        @Override
        public OpenRequest open(String branch, String baseBranch, String title, String body) throws PublishException {
            ObjectNode json = JSON.createObjectNode()
                    .put("source_branch", branch)
                    .put("target_branch", baseBranch)
                    .put("title", title)
                    .put("description", body)
                    .put("remove_source_branch", true);
            JsonNode m = call(
                    http,
                    request(base)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json.toString())),
                    "opening a merge request on " + project);
            return new OpenRequest(
                    m.path("iid").asLong(), branch, m.path("web_url").asText());
        }

        @Override
        public OpenRequest update(OpenRequest mr, String title, String body) throws PublishException {
            ObjectNode json = JSON.createObjectNode().put("title", title).put("description", body);
            JsonNode m = call(
                    http,
                    request(base + "/" + mr.number())
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString(json.toString())),
                    "updating merge request !" + mr.number() + " on " + project);
            return new OpenRequest(mr.number(), mr.branch(), m.path("web_url").asText(mr.url()));
        }

        @Override
        public String gitUser() {
            return "oauth2";
        }
    }
}
