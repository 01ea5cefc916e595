package dev.tailor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.demo.LocalKubernetes;
import dev.tailor.demo.LocalWebhook;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor demo}: starts the webhook over TLS against an embedded stand-in for the Kubernetes API, replays
 * the sample AdmissionReviews of {@code test-fixtures/admission/} in audit mode, switches the namespaces to
 * enforce mode with the annotation, replays them again, and checks every decision against the samples'
 * expectations. Cleans up after itself.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the webhook locally and replay sample admission requests in audit, then enforce mode.")
public final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    HomeOption home = new HomeOption();

    @Option(names = "--keep", description = "Keep the work directory (certificates, webhook log, decision log)")
    boolean keep;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path root = home.root();
        Path fixtures = root.resolve("test-fixtures/admission");
        Path jar = root.resolve("webhook/target/quarkus-app/quarkus-run.jar");
        JsonNode index = JSON.readTree(fixtures.resolve("index.json").toFile());
        Path work = Files.createTempDirectory("tailor-demo-");
        long started = System.nanoTime();
        int mismatches;
        try (LocalKubernetes kube = new LocalKubernetes()) {
            Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
            index.path("namespaces").properties().forEach(e -> {
                Map<String, String> annotations = new HashMap<>();
                e.getValue().properties().forEach(a -> annotations.put(a.getKey(), a.getValue().asText()));
                namespaces.put(e.getKey(), annotations);
            });
            namespaces.forEach((name, annotations) -> kube.applyNamespace(name, withMode(annotations, "audit")));
            out.println("Tailor demo");
            out.println("  Kubernetes API stand-in  " + kube.url() + "  (embedded; no cluster here)");
            try (LocalWebhook webhook = LocalWebhook.start(jar, work, kube.url(), Map.of())) {
                out.println("  webhook                  " + webhook.url() + "  (TLS, certificate from a CA made for this run)");
                out.println("  namespaces               " + describe(namespaces));
                out.println("  cluster-scoped objects   tailor.cluster-scoped-mode (audit unless configured)");
                out.println();

                out.println("== audit mode: nothing is blocked, every would-be denial is a warning ==");
                mismatches = replay(webhook, index, fixtures, "audit");

                out.println();
                out.println("== kubectl annotate namespace " + String.join(" ", namespaces.keySet())
                        + " tailor.dev/mode=enforce --overwrite ==");
                long flip = System.nanoTime();
                namespaces.forEach((name, annotations) -> kube.applyNamespace(name, withMode(annotations, "enforce")));
                awaitEnforcing(webhook, index, fixtures);
                out.printf("  the webhook enforces after %d ms, without a restart%n", (System.nanoTime() - flip) / 1_000_000);
                out.println();

                out.println("== enforce mode: the same rules deny ==");
                mismatches += replay(webhook, index, fixtures, "enforce");
            }
        } finally {
            if (keep) {
                out.println("  work directory kept: " + work);
            } else {
                HomeOption.deleteTree(work);
            }
        }
        out.println();
        out.printf("%s in %.1f s: %d decisions disagreed with the samples' expectations%n",
                mismatches == 0 ? "done" : "FAILED", (System.nanoTime() - started) / 1e9, mismatches);
        return mismatches == 0 ? TailorCli.OK : TailorCli.ERROR;
    }

    /** Replays every sample; prints one line each; returns how many answers were not what the sample expects. */
    private int replay(LocalWebhook webhook, JsonNode index, Path fixtures, String mode) throws Exception {
        int mismatches = 0;
        for (JsonNode c : index.path("cases")) {
            JsonNode review = JSON.readTree(fixtures.resolve(c.path("file").asText()).toFile());
            JsonNode response = JSON.readTree(webhook.post("/validate", JSON.writeValueAsBytes(review))).path("response");
            TreeSet<String> expected = new TreeSet<>();
            c.path("expectedChecks").forEach(x -> expected.add(x.asText()));
            boolean clusterScoped = c.path("namespace").asText().isEmpty() && !review.at("/request/kind/kind").asText().equals("Namespace");
            boolean alwaysDenied = expected.contains("namespaceAnnotationGuard");
            boolean wantAllowed = expected.isEmpty() || (!alwaysDenied && (mode.equals("audit") || clusterScoped));
            boolean allowed = response.path("allowed").asBoolean();

            List<String> messages = new ArrayList<>();
            response.path("warnings").forEach(w -> messages.add(w.asText().replace("[tailor audit] would be denied in enforce mode: ", "")));
            if (!allowed) {
                messages.add(response.path("status").path("message").asText());
            }
            String verdict = !allowed ? "DENIED" : messages.isEmpty() ? "ALLOWED" : "WARNED";
            TreeSet<String> found = new TreeSet<>();
            for (String m : messages) {
                for (String part : m.replaceFirst("^tailor: \\d+ violations?: ", "").split("; ")) {
                    int colon = part.indexOf(": ");
                    if (colon > 0 && part.substring(0, colon).matches("[A-Za-z_]+")) {
                        found.add(part.substring(0, colon));
                    }
                }
            }
            boolean ok = allowed == wantAllowed && found.equals(expected);
            if (!ok) {
                mismatches++;
            }
            JsonNode request = review.path("request");
            String object = request.at("/kind/kind").asText() + " "
                    + (request.path("namespace").asText("").isEmpty() ? "" : request.path("namespace").asText() + "/")
                    + request.path("name").asText();
            out.printf("  %-7s %-50s %s%s%n", verdict, object, String.join("; ", messages),
                    ok ? "" : "   <-- expected " + (wantAllowed ? "allowed" : "denied") + " with " + expected);
        }
        return mismatches;
    }

    /** Waits until a violating namespaced sample is denied: the informer has seen the annotation. */
    private void awaitEnforcing(LocalWebhook webhook, JsonNode index, Path fixtures) throws Exception {
        for (JsonNode c : index.path("cases")) {
            if (c.path("namespace").asText().isEmpty() || c.path("expectedChecks").isEmpty()) {
                continue;
            }
            byte[] review = Files.readAllBytes(fixtures.resolve(c.path("file").asText()));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (JSON.readTree(webhook.post("/validate", review)).at("/response/allowed").asBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the webhook did not switch " + c.path("namespace").asText()
                            + " to enforce within 10 s; see " + webhook.log());
                }
                Thread.sleep(50);
            }
        }
    }

    private static Map<String, String> withMode(Map<String, String> annotations, String mode) {
        Map<String, String> all = new HashMap<>(annotations);
        all.put("tailor.dev/mode", mode);
        return all;
    }

    private static String describe(Map<String, Map<String, String>> namespaces) {
        List<String> parts = new ArrayList<>();
        namespaces.forEach((name, a) -> parts.add(name + " (" + a.getOrDefault("tailor.dev/pod-security", "baseline") + ")"));
        return String.join(", ", parts);
    }

}
