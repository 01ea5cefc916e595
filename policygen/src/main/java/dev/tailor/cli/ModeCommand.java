package dev.tailor.cli;

import dev.tailor.contract.Mode;
import dev.tailor.contract.Names;
import dev.tailor.observe.admission.EnforcePreview;
import dev.tailor.store.ObservationStore;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tailor enforce NS} and {@code tailor audit NS}: switch a namespace's mode through the Kubernetes API — the
 * same as {@code kubectl annotate namespace NS tailor.dev/mode=enforce --overwrite} — and wait until the webhook
 * reports that it applies it (the Event it records on the namespace). {@code enforce} first replays the webhook's
 * decision log for the namespace and refuses, with exit code 3, when enforce mode would have rejected anything in
 * the window (or when the window holds no admission request of the namespace at all: no evidence), unless
 * {@code --force}.
 */
public final class ModeCommand {
    private ModeCommand() {}

    static final String MODE = Names.MODE;
    static final String MODE_CHANGED = Names.MODE_CHANGED;

    /** How a command reaches the cluster: the kubeconfig's, unless a test gives its own. */
    static Supplier<KubernetesClient> clients = dev.tailor.kube.Kubeconfig::client;

    @Command(
            name = "enforce",
            mixinStandardHelpOptions = true,
            description =
                    "Switch a namespace to enforce when the replay of its admission requests says nothing would be denied.")
    public static final class Enforce implements Callable<Integer> {
        @Parameters(paramLabel = "NAMESPACE")
        String namespace;

        @Option(names = "--dry-run", description = "show the preview, change nothing")
        boolean dryRun;

        @Option(names = "--force", description = "switch even when the preview found something enforce would reject")
        boolean force;

        @Option(
                names = "--wait",
                paramLabel = "DURATION",
                defaultValue = "60s",
                converter = DurationConverter.class,
                description = "how long to wait for the webhook (default: ${DEFAULT-VALUE})")
        Duration wait;

        @Mixin
        WindowOptions window = new WindowOptions();

        @Override
        public Integer call() throws Exception {
            PrintStream out = System.out;
            EnforcePreview preview = null;
            String noEvidence = null;
            try {
                preview = window.store == null ? fromWebhook() : fromStore();
            } catch (IllegalArgumentException e) {
                System.err.println("tailor enforce: " + e.getMessage());
                return TailorCli.USAGE;
            } catch (NoEvidenceException e) {
                noEvidence = e.getMessage();
            }
            if (noEvidence != null) {
                out.println("enforce preview for " + namespace + ": " + noEvidence
                        + " — nothing shows that enforce mode is safe there");
                if (!force || dryRun) {
                    // The evidence could not be read: an error (1), not a preview that found something (3).
                    out.println(
                            dryRun
                                    ? "dry run: nothing changed"
                                    : "not switching " + namespace + " to enforce (--force to do it anyway)");
                    return TailorCli.ERROR;
                }
            }
            boolean safe = noEvidence == null && safe(preview, out);
            if (dryRun) {
                out.println(safe ? "dry run: the flip would be safe; nothing changed" : "dry run: nothing changed");
                return safe ? TailorCli.OK : TailorCli.WOULD_DENY;
            }
            if (!safe && !force) {
                out.println("not switching " + namespace + " to enforce (--force to do it anyway)");
                return TailorCli.WOULD_DENY;
            }
            return switchMode(namespace, Mode.ENFORCE.value(), wait, out);
        }

        /** No --store: the evidence is the running webhook's, read through the API server as the user. */
        private EnforcePreview fromWebhook() throws NoEvidenceException {
            dev.tailor.util.Durations.parse(window.since);
            return fromCluster(namespace, window.since, window.until);
        }

        /**
         * The namespace's preview from the decisions in the store. The window ends at the last decision the store
         * holds (as generate and impact end at the last observation), unless --until says otherwise.
         */
        private EnforcePreview fromStore() throws NoEvidenceException, java.sql.SQLException {
            try (ObservationStore store = ObservationStore.openExisting(window.url())) {
                Instant until = window.end() != null
                        ? window.end()
                        : store.lastDecision().map(t -> t.plusNanos(1)).orElseGet(Instant::now);
                Instant from = until.minus(window.window());
                return store.enforcePreviews(from, until, namespace).get(namespace);
            } catch (ObservationStore.NoStoreException e) {
                // Nothing was observed here: no evidence either way, as with no decisions (--force still flips).
                throw new NoEvidenceException(
                        "cannot read the store " + ObservationStore.redact(window.url()) + ": " + e.getMessage());
            }
        }

        /** Prints the preview; safe when the window holds requests of the namespace and none would be rejected. */
        private boolean safe(EnforcePreview preview, PrintStream out) {
            if (preview == null || preview.requests() == 0) {
                out.println("enforce preview for " + namespace
                        + ": no admission request of it in the window — nothing shows that enforce mode is safe there");
                return false;
            }
            out.println("enforce preview for " + namespace + ": " + preview.wouldReject() + " of " + preview.requests()
                    + " admission requests in the window would have been rejected");
            preview.examples().forEach(e -> out.println("  " + e));
            return preview.wouldReject() == 0;
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Switch a namespace back to audit mode.")
    public static final class Audit implements Callable<Integer> {
        @Parameters(paramLabel = "NAMESPACE")
        String namespace;

        @Option(
                names = "--wait",
                paramLabel = "DURATION",
                defaultValue = "60s",
                converter = DurationConverter.class,
                description = "how long to wait for the webhook (default: ${DEFAULT-VALUE})")
        Duration wait;

        @Override
        public Integer call() throws Exception {
            return switchMode(namespace, Mode.AUDIT.value(), wait, System.out);
        }
    }

    /** The webhook's evidence could not be had (its API is not installed, not ready, or refused the user). */
    static final class NoEvidenceException extends Exception {
        private static final long serialVersionUID = 1L;

        NoEvidenceException(String message) {
            super(message);
        }
    }

    /**
     * The namespace's enforce preview from the running webhook: {@code GET /apis/tailor.dev/v1alpha1/namespaces/NS/
     * enforcepreviews/NS} through the API server, with the user's own kubeconfig; the webhook authorizes it by the
     * user's RBAC (get enforcepreviews.tailor.dev in the namespace).
     */
    static EnforcePreview fromCluster(String namespace, String since, String until) throws NoEvidenceException {
        String path = "/namespaces/" + namespace + "/enforcepreviews/" + namespace + "?since="
                + java.net.URLEncoder.encode(since, java.nio.charset.StandardCharsets.UTF_8)
                + (until == null
                        ? ""
                        : "&until=" + java.net.URLEncoder.encode(until, java.nio.charset.StandardCharsets.UTF_8));
        String body;
        try {
            body = dev.tailor.kube.TailorApi.get(
                    clients,
                    path,
                    "enforcepreviews." + Names.GROUP + " in " + namespace + ", which the admin role has");
        } catch (java.io.IOException e) {
            throw new NoEvidenceException(
                    "the webhook's evidence could not be read through the API server (" + e.getMessage() + ")");
        }
        try {
            // The webhook writes the record's own fields beside kind, apiVersion, metadata and window.
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(body, EnforcePreview.class);
        } catch (java.io.IOException e) {
            throw new NoEvidenceException("the webhook's answer was not an EnforcePreview: " + e.getMessage());
        }
    }

    /** Sets the annotation and waits for the webhook's Event saying it applies the mode. */
    static int switchMode(String namespace, String mode, Duration wait, PrintStream out) throws InterruptedException {
        try (KubernetesClient client = clients.get()) {
            Set<String> before = events(client, namespace).keySet();
            Namespace ns = client.namespaces().withName(namespace).get();
            if (ns == null) {
                System.err.println("tailor " + mode + ": no namespace " + namespace);
                return TailorCli.ERROR;
            }
            Map<String, String> current = ns.getMetadata().getAnnotations();
            if (current != null && mode.equals(current.get(MODE))) {
                // Nothing to switch: the webhook records no Event for an unchanged annotation, so do not wait for one.
                out.println(
                        namespace + " is already " + (mode.equals(Mode.ENFORCE.value()) ? "enforcing" : "in audit mode")
                                + " (" + MODE + "=" + mode + "); nothing changed");
                return TailorCli.OK;
            }
            client.namespaces().withName(namespace).edit(n -> {
                Map<String, String> annotations = new HashMap<>(
                        n.getMetadata().getAnnotations() == null
                                ? Map.of()
                                : n.getMetadata().getAnnotations());
                annotations.put(MODE, mode);
                n.getMetadata().setAnnotations(annotations);
                return n;
            });
            out.println("set " + MODE + "=" + mode + " on " + namespace + " (the same as: kubectl annotate namespace "
                    + namespace + " " + MODE + "=" + mode + " --overwrite)");
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                for (var e : events(client, namespace).entrySet()) {
                    if (!before.contains(e.getKey())
                            && e.getValue().getMessage().contains("-> " + mode)) {
                        out.println(
                                namespace + " is " + (mode.equals(Mode.ENFORCE.value()) ? "enforcing" : "in audit mode")
                                        + ": " + e.getValue().getMessage());
                        return TailorCli.OK;
                    }
                }
                Thread.sleep(200);
            }
            System.err.println("tailor " + mode
                    + ": the annotation is set, but the webhook did not report applying it within " + wait.toSeconds()
                    + " s (is it running? kubectl -n tailor-system logs deploy/tailor-webhook)");
            return TailorCli.ERROR;
        } catch (KubernetesClientException e) {
            System.err.println("tailor " + mode + ": the Kubernetes API refused or could not be reached: "
                    + dev.tailor.kube.Kubeconfig.describe(e));
            return TailorCli.ERROR;
        }
    }

    private static Map<String, Event> events(KubernetesClient client, String namespace) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> MODE_CHANGED.equals(e.getReason()))
                .collect(Collectors.toMap(e -> e.getMetadata().getName(), e -> e, (a, b) -> a));
    }
}
