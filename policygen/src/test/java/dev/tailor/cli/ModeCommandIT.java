package dev.tailor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.contract.AdmissionDecision;
import dev.tailor.harness.LocalKubernetes;
import dev.tailor.store.ObservationStore;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tailor enforce} and {@code tailor audit} against the Kubernetes API stand-in, with a stand-in for the
 * webhook's part (it records the mode-change Event as the webhook does; WebhookIT tests the webhook's own).
 */
class ModeCommandIT {

    @TempDir
    Path dir;

    private LocalKubernetes kube;
    private String store;
    private String output;
    private final AtomicBoolean webhookRunning = new AtomicBoolean(true);
    private Thread webhook;

    @BeforeEach
    void clusterStoreAndWebhook() throws Exception {
        kube = new LocalKubernetes();
        for (String ns : List.of("clean", "dirty", "quiet")) {
            kube.applyNamespace(ns, Map.of("tailor.dev/mode", "audit"));
        }
        store = ObservationStore.embeddedUrl(dir.resolve("store"));
        Instant recently = Instant.now().minusSeconds(3600);
        try (ObservationStore s = ObservationStore.open(store)) {
            s.ingestDecisions(List.of(
                    decision(recently, "u1", "clean", "deployment.web", "web-1", "", "allowed", ""),
                    decision(recently, "u2", "dirty", "deployment.api", "api-1", "privileged", "warned", PRIVILEGED),
                    decision(recently, "u3", "dirty", "deployment.api", "api-2", "privileged", "warned", PRIVILEGED)));
        }
        ModeCommand.clients = () -> kube.newClient();
        webhook = new Thread(this::recordModeChanges);
        webhook.start();
    }

    private static final String PRIVILEGED = "privileged: privileged containers";

    /** A decision the running webhook logged for a pod created by "ci" in audit mode. */
    private static AdmissionDecision decision(
            Instant at, String uid, String ns, String workload, String pod, String check, String verdict, String why) {
        return new AdmissionDecision(at, uid, ns, workload, "ci", "CREATE", "Pod", pod, "audit", check, verdict, why);
    }

    /** What the webhook does when a namespace's mode changes: an Event saying so (the command waits for it). */
    private void recordModeChanges() {
        Map<String, String> seen = new HashMap<>();
        while (webhookRunning.get()) {
            kube.client().namespaces().list().getItems().forEach(n -> {
                String name = n.getMetadata().getName();
                String mode = n.getMetadata().getAnnotations().getOrDefault("tailor.dev/mode", "");
                String before = seen.put(name, mode);
                if (before != null && !before.equals(mode)) {
                    kube.client()
                            .v1()
                            .events()
                            .inNamespace(name)
                            .resource(new EventBuilder()
                                    .withNewMetadata()
                                    .withGenerateName(name + ".tailor-mode-")
                                    .withNamespace(name)
                                    .endMetadata()
                                    .withReason("TailorModeChanged")
                                    .withMessage("tailor.dev/mode " + before + " -> " + mode
                                            + ", set by tester; webhook-0 applies it now")
                                    .build())
                            .create();
                }
            });
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        webhookRunning.set(false);
        webhook.join();
        ModeCommand.clients = dev.tailor.kube.Kubeconfig::client;
        kube.close();
    }

    private int run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (PrintStream p = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(p);
            System.setErr(p);
            return new CommandLine(new TailorCli()).execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
            output = bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private String mode(String ns) {
        return kube.client()
                .namespaces()
                .withName(ns)
                .get()
                .getMetadata()
                .getAnnotations()
                .get("tailor.dev/mode");
    }

    @Test
    void aCleanPreviewFlipsAndWaitsForTheWebhook() {
        assertEquals(0, run("enforce", "clean", "--store", store), output);
        assertEquals("enforce", mode("clean"));
        assertTrue(output.contains("0 of 1 admission requests in the window would have been rejected"), output);
        assertTrue(output.contains("kubectl annotate namespace clean tailor.dev/mode=enforce --overwrite"), output);
        assertTrue(output.contains("clean is enforcing: tailor.dev/mode audit -> enforce"), output);
        assertEquals(0, run("audit", "clean"), output);
        assertEquals("audit", mode("clean"));
    }

    @Test
    void somethingEnforceWouldRejectRefusesWithExitThree() {
        assertEquals(3, run("enforce", "dirty", "--store", store), output);
        assertEquals("audit", mode("dirty"), "nothing changed");
        assertTrue(output.contains("2 of 2 admission requests in the window would have been rejected"), output);
        assertTrue(output.contains("api-1 (and 1 other pod) of deployment.api: privileged"), output);
        assertEquals(3, run("enforce", "dirty", "--store", store, "--dry-run"), output);
        assertEquals(3, run("enforce", "quiet", "--store", store), output);
        assertTrue(output.contains("no admission request of it in the window"), output);
        assertEquals(0, run("enforce", "clean", "--store", store, "--dry-run"), output);
        assertEquals("audit", mode("clean"), "a dry run changes nothing");
        assertEquals(0, run("enforce", "dirty", "--store", store, "--force"), output);
        assertEquals("enforce", mode("dirty"));
        // No store at all: an error (1, not the preview's 3), nothing switched, and no store is made.
        String missing = ObservationStore.embeddedUrl(dir.resolve("typo"));
        assertEquals(1, run("enforce", "clean", "--store", missing), output);
        assertTrue(
                output.contains(
                        "enforce preview for clean: cannot read the store " + missing + ": there is no store there"),
                output);
        assertEquals("audit", mode("clean"));
        assertFalse(java.nio.file.Files.exists(dir.resolve("typo")), "no store made");
    }

    @Test
    void aNamespaceAlreadyInTheModeIsSaidSoWithoutWaiting() throws Exception {
        // The webhook records no Event for an annotation that did not change: waiting for one would fail.
        webhookRunning.set(false);
        webhook.join();
        assertEquals(0, run("audit", "clean", "--wait", "1s"), output);
        assertTrue(output.contains("clean is already in audit mode (tailor.dev/mode=audit); nothing changed"), output);
        kube.applyNamespace("dirty", Map.of("tailor.dev/mode", "enforce"));
        assertEquals(0, run("enforce", "dirty", "--store", store, "--force", "--wait", "1s"), output);
        assertTrue(output.contains("dirty is already enforcing (tailor.dev/mode=enforce); nothing changed"), output);
        assertEquals(1, run("audit", "dirty", "--wait", "1s"), "a real switch still waits for the webhook: " + output);
    }

    @Test
    void aWebhookThatDoesNotAnswerIsSaidInOneLine() throws Exception {
        webhookRunning.set(false);
        webhook.join();
        assertEquals(1, run("enforce", "clean", "--store", store, "--wait", "1s"), output);
        assertTrue(
                output.contains("the annotation is set, but the webhook did not report applying it within 1 s"),
                output);
        assertEquals(1, run("audit", "nowhere", "--wait", "1s"), output);
        assertTrue(output.contains("no namespace nowhere"), output);
        assertNull(kube.client().namespaces().withName("nowhere").get());
    }
}
