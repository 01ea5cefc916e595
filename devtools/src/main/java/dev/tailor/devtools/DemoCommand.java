package dev.tailor.devtools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailor.cli.TailorCli;
import dev.tailor.contract.Names;
import dev.tailor.fixtures.BoutiqueWeek;
import dev.tailor.harness.LocalKubernetes;
import dev.tailor.harness.LocalWebhook;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eclipse.jgit.api.Git;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tailor demo}: the whole loop — observe, generate, preview, deliver, enforce — on the Online Boutique fixture
 * week, with no cluster: an embedded stand-in for the Kubernetes API, the real webhook over TLS, a local bare git
 * repository for the pull request. Each step runs the command a person would type and prints what they need to
 * see; every step's outcome is checked, and the demo fails (exit 1) when one is not what it should be.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the whole loop on a week of Online Boutique: observe, generate, preview, deliver, enforce.")
public final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The system property fabric8 (so the CLI) reads the kubeconfig's path from before {@code KUBECONFIG}. */
    private static final String KUBECONFIG = io.fabric8.kubernetes.client.Config.KUBERNETES_KUBECONFIG_FILE;

    @Mixin
    HomeOption home = new HomeOption();

    @Option(
            names = "--keep",
            description = "Keep the work directory (the week, the store, the policies, the reports, the repository)")
    boolean keep;

    private final PrintStream out = System.out;
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path root = home.root();
        Path jar = root.resolve("webhook/target/quarkus-app/quarkus-run.jar");
        Path work = Files.createTempDirectory("tailor-demo-");
        long started = System.nanoTime();
        Path week = work.resolve("week");
        BoutiqueWeek.write(root.resolve("test-fixtures/third_party/online-boutique"), week, BoutiqueWeek.DEFAULT_SEED);
        // The webhook keeps its own store (work/store); the CLI's is another file, as on a laptop beside a cluster.
        String store = dev.tailor.store.ObservationStore.embeddedUrl(work.resolve("observations"));
        Demo demo = new Demo(work, week, store, work.resolve("policies"));
        String previousKubeconfig = System.getProperty(KUBECONFIG);
        try (LocalKubernetes kube = new LocalKubernetes()) {
            for (String ns : List.of(BoutiqueWeek.NAMESPACE, BoutiqueWeek.BATCH, "kube-system", "monitoring")) {
                kube.applyNamespace(ns, Map.of(Names.MODE, "audit"));
            }
            // tailor enforce reaches the stand-in as it reaches a cluster: through a kubeconfig
            System.setProperty(
                    KUBECONFIG, kube.writeKubeconfig(work.resolve("kubeconfig")).toString());
            out.println(
                    "Tailor demo — the whole loop on a week of Online Boutique (" + BoutiqueWeek.START + " + 7 days)");
            out.println("  Kubernetes API stand-in  " + kube.url() + "  (embedded; no cluster here)");
            try (LocalWebhook webhook = LocalWebhook.start(jar, work, kube.url(), Map.of())) {
                out.println("  webhook                  " + webhook.url()
                        + "  (TLS, audit mode, certificate from a CA made for this run)");
                out.println("  work directory           " + work);

                step("1. Observe: the week's admission requests go through the webhook — audit mode blocks nothing");
                replayWeek(webhook, week.resolve(BoutiqueWeek.ADMISSION));

                // The week's admission stream already holds what the webhook decided during that week; in a cluster the
                // webhook writes its decisions to the store itself.
                observe(demo);
                generate(demo);
                preview(demo);
                deliver(demo);
                enforce(demo, webhook);
                step("7. Enforce mode at work in boutique");
                admit(webhook, root.resolve("test-fixtures/admission/pod-host-network.json"), false);
                admit(webhook, root.resolve("test-fixtures/admission/pod-baseline-conforms.json"), true);
            }
        } catch (IllegalStateException e) {
            out.println("  " + e.getMessage());
        } finally {
            restore(KUBECONFIG, previousKubeconfig);
            if (keep) {
                out.println("  work directory kept: " + work);
            } else {
                HomeOption.deleteTree(work);
            }
        }
        return outcome(started);
    }

    /** Every step's outcome: 0 when each did what it should, else 1 and what did not. */
    private int outcome(long started) {
        out.println();
        if (failures.isEmpty()) {
            out.printf("done in %.1f s: every step did what it should%n", (System.nanoTime() - started) / 1e9);
            return TailorCli.OK;
        }
        out.printf("FAILED in %.1f s:%n", (System.nanoTime() - started) / 1e9);
        failures.forEach(f -> out.println("  " + f));
        return TailorCli.ERROR;
    }

    private static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }

    /** Where this run's week, store and policies are. */
    private record Demo(Path work, Path week, String store, Path policies) {}

    private void observe(Demo demo) throws Exception {
        Path week = demo.week();
        String store = demo.store();
        step(
                "2. Observe: the week's admission stream, API audit log, Hubble flows and syscall records, into the store");
        Result observe = tailor(
                "observe",
                "--admission",
                week.resolve(BoutiqueWeek.ADMISSION).toString(),
                "--audit-log",
                week.resolve(BoutiqueWeek.AUDIT).toString(),
                "--flows",
                week.resolve(BoutiqueWeek.FLOWS).toString(),
                "--syscalls",
                week.resolve(BoutiqueWeek.SYSCALLS).toString(),
                "--containers",
                week.resolve(BoutiqueWeek.CONTAINERS).toString(),
                "--store",
                store);
        show(
                observe,
                line -> line.startsWith("read ") && line.contains(" in ")
                        || line.startsWith("stored in")
                        || line.startsWith("bad lines"));
        expect(observe, 0, "observe");
    }

    private void generate(Demo demo) throws Exception {
        Path policies = demo.policies();
        String store = demo.store();
        step(
                "3. Generate: the tightest policies that allow everything observed, for the workloads learned well enough");
        Result generate = tailor("generate", "--out", policies.toString(), "--store", store);
        expect(generate, 0, "generate");
        String report = Files.readString(policies.resolve("REPORT.md"));
        report.lines()
                .filter(l -> l.matches("\\d+ of \\d+ workloads proposed.*"))
                .forEach(l -> out.println("  " + l));
        report.lines()
                .filter(l -> l.startsWith("| ") && l.contains("learning:"))
                .forEach(l -> {
                    String[] cells = l.split("\\|");
                    String why = cells[cells.length - 1].strip().replace("learning: ", "");
                    out.println("  still learning: " + cells[1].strip() + " — "
                            + (why.length() > 110 ? why.substring(0, 110) + "…" : why));
                });
        out.println("  policies: " + policies + " (REPORT.md says why for each)");
    }

    private void preview(Demo demo) throws Exception {
        Path policies = demo.policies();
        String store = demo.store();
        step("4. Preview: replay the week against the current and the proposed policies");
        Result impact =
                tailor("impact", "--proposed", policies.toString(), "--store", store, "--format", "md,json,html");
        show(impact, line -> true);
        expect(impact, 0, "impact (the proposal must be clean)");
        String md = Files.readString(policies.resolve("IMPACT.md"));
        md.lines()
                .filter(l -> l.startsWith("| boutique/") || l.startsWith("| batch/"))
                .limit(4)
                .forEach(l -> out.println("  " + l));
        out.println("  reports: IMPACT.md, impact.json, impact.html in " + policies);
    }

    private void deliver(Demo demo) throws Exception {
        Path work = demo.work();
        Path policies = demo.policies();
        step("5. Deliver: a branch with the policies and IMPACT.md in the GitOps repository (a local bare one here)");
        Path gitops = gitopsRepository(work);
        Result pr = tailor("pr", "--repo", gitops.toString(), "--from", policies.toString());
        show(pr, line -> true);
        expect(pr, 0, "pr");
    }

    private void enforce(Demo demo, LocalWebhook webhook) throws Exception {
        String store = demo.store();
        step("6. Enforce: flip a namespace only when the replay of its admission requests says it is safe");
        Result batch = tailor("enforce", BoutiqueWeek.BATCH, "--store", store);
        show(batch, line -> true);
        expect(batch, 3, "enforce batch (its export job mounts a hostPath: must be refused)");
        // The API server would send the annotation change to the webhook; the stand-in does not, so the demo
        // does.
        webhook.post("/validate", JSON.writeValueAsBytes(namespaceUpdate(BoutiqueWeek.NAMESPACE)));
        Result boutique = tailor("enforce", BoutiqueWeek.NAMESPACE, "--store", store);
        show(boutique, line -> true);
        expect(boutique, 0, "enforce boutique");
    }

    private void step(String title) {
        out.println();
        out.println("== " + title + " ==");
    }

    private record Result(int code, List<String> lines) {}

    /** Runs {@code tailor ARGS} as a person would, printing the command; returns its exit code and output lines. */
    private Result tailor(String... args) {
        out.println("  $ tailor " + String.join(" ", args).replaceAll("jdbc:h2:file:[^ ]+", "STORE"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream originalErr = System.err;
        int code;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            code = TailorCli.execute(args);
        } finally {
            System.setOut(original);
            System.setErr(originalErr);
        }
        return new Result(
                code,
                bytes.toString(StandardCharsets.UTF_8)
                        .lines()
                        .filter(l -> !l.startsWith("progress:"))
                        .toList());
    }

    private void show(Result r, java.util.function.Predicate<String> keep) {
        r.lines().stream()
                .filter(keep)
                .forEach(l -> out.println("    " + l.replaceAll("jdbc:h2:file:[^:]+(:[^ ]*)?", "STORE")));
        out.println("    (exit " + r.code() + ")");
    }

    private void expect(Result r, int code, String what) {
        if (r.code() != code) {
            failures.add(what + ": exit " + r.code() + ", expected " + code);
            r.lines().forEach(l -> out.println("    | " + l));
            throw new IllegalStateException(
                    "the demo stopped: " + what + " exited " + r.code() + " (expected " + code + ")");
        }
    }

    /** Sends every AdmissionReview of the week to the webhook; prints the warned ones (the first few in full). */
    private void replayWeek(LocalWebhook webhook, Path admission) throws Exception {
        int reviews = 0;
        int warned = 0;
        int denied = 0;
        List<String> shown = new ArrayList<>();
        for (String line : Files.readAllLines(admission)) {
            JsonNode doc = JSON.readTree(line);
            if (!doc.path("kind").asText().equals("AdmissionReview")) {
                continue;
            }
            reviews++;
            JsonNode response = JSON.readTree(webhook.post("/validate", line.getBytes(StandardCharsets.UTF_8)))
                    .path("response");
            if (!response.path("allowed").asBoolean()) {
                denied++;
            } else if (response.path("warnings").size() > 0) {
                warned++;
                if (shown.size() < 3) {
                    JsonNode r = doc.path("request");
                    shown.add(String.format(
                            "WARNED  %s %s/%s  %s",
                            r.at("/kind/kind").asText(),
                            r.path("namespace").asText(),
                            r.path("name").asText(),
                            response.path("warnings").get(0).asText()));
                }
            }
        }
        out.printf(
                "  %d admission requests: %d allowed, %d warned (would be denied in enforce mode), %d denied%n",
                reviews, reviews - warned - denied, warned, denied);
        shown.forEach(s -> out.println("  " + s));
        if (warned > shown.size()) {
            out.printf("  … and %d more like them%n", warned - shown.size());
        }
        if (denied > 0 || warned == 0) {
            failures.add(
                    "audit mode: expected warnings and no denial, got " + warned + " warned and " + denied + " denied");
        }
    }

    /** The GitOps repository: a bare repository with a README on main. */
    static Path gitopsRepository(Path work) throws Exception {
        Path bare = work.resolve("gitops.git");
        Git.init()
                .setBare(true)
                .setDirectory(bare.toFile())
                .setInitialBranch("main")
                .call()
                .close();
        Path seed = work.resolve("gitops-seed");
        try (Git git = Git.cloneRepository()
                .setURI(bare.toUri().toString())
                .setDirectory(seed.toFile())
                .call()) {
            Files.writeString(seed.resolve("README.md"), "The cluster's configuration, applied by GitOps.\n");
            git.add().addFilepattern("README.md").call();
            git.commit()
                    .setMessage("start")
                    .setAuthor("Platform", "platform@example.com")
                    .setCommitter("Platform", "platform@example.com")
                    .call();
            git.push()
                    .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
                    .call();
        }
        return bare;
    }

    /** The AdmissionReview the API server sends when an admin sets the namespace's mode to enforce. */
    private static JsonNode namespaceUpdate(String namespace) {
        ObjectNode review =
                JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put(
                "uid",
                java.util
                        .UUID
                        .nameUUIDFromBytes(("flip-" + namespace).getBytes(StandardCharsets.UTF_8))
                        .toString());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Namespace");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "namespaces");
        request.put("name", namespace).put("operation", "UPDATE");
        request.putObject("userInfo")
                .put("username", "platform-admin")
                .putArray("groups")
                .add("system:masters")
                .add("system:authenticated");
        ObjectNode object = request.putObject("object").put("apiVersion", "v1").put("kind", "Namespace");
        object.putObject("metadata")
                .put("name", namespace)
                .putObject("annotations")
                .put(Names.MODE, "enforce");
        ObjectNode old = request.putObject("oldObject").put("apiVersion", "v1").put("kind", "Namespace");
        old.putObject("metadata")
                .put("name", namespace)
                .putObject("annotations")
                .put(Names.MODE, "audit");
        return review;
    }

    /** Sends a sample pod, moved into boutique, and prints and checks the verdict. */
    private void admit(LocalWebhook webhook, Path sample, boolean expectAllowed) throws Exception {
        ObjectNode review = (ObjectNode) JSON.readTree(sample.toFile());
        ((ObjectNode) review.path("request")).put("namespace", BoutiqueWeek.NAMESPACE);
        ((ObjectNode) review.path("request").path("object").path("metadata")).put("namespace", BoutiqueWeek.NAMESPACE);
        JsonNode response = JSON.readTree(webhook.post("/validate", JSON.writeValueAsBytes(review)))
                .path("response");
        boolean allowed = response.path("allowed").asBoolean();
        out.printf(
                "  %-8s Pod boutique/%-36s %s%n",
                allowed ? "ADMITTED" : "DENIED",
                review.at("/request/name").asText(),
                allowed ? "" : response.path("status").path("message").asText());
        if (allowed != expectAllowed) {
            failures.add("pod " + review.at("/request/name").asText() + " was " + (allowed ? "admitted" : "denied"));
        }
    }
}
