package dev.tailor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tailor.generate.Observations;
import dev.tailor.generate.PolicyGenerator;
import dev.tailor.impact.ImpactAnalyzer;
import dev.tailor.impact.ImpactMarkdown;
import dev.tailor.impact.ImpactReport;
import dev.tailor.impact.PolicySet;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.StoredObservations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailor impact}: replays the observed window against the current and the proposed policies and writes
 * IMPACT.md and impact.json; exit code 3 when the proposal would deny anything that was observed.
 */
@Command(
        name = "impact",
        mixinStandardHelpOptions = true,
        description =
                "Replay what was observed against current and proposed policies; exit 3 if anything would be denied.")
public final class ImpactCommand implements Callable<Integer> {

    @Option(
            names = "--proposed",
            required = true,
            paramLabel = "DIR",
            description = "the policies tailor generate wrote")
    Path proposed;

    @Option(
            names = "--current",
            arity = "1..*",
            paramLabel = "cluster|FILE",
            description =
                    "the policies as they are: "
                            + "'cluster' (read through the Kubernetes API with the current kubeconfig) or YAML/JSON files or directories "
                            + "(kubectl get roles,rolebindings,clusterroles,clusterrolebindings,networkpolicies,namespaces -A -o yaml)")
    List<String> current = new ArrayList<>();

    @Option(
            names = "--format",
            split = ",",
            paramLabel = "md,json,html",
            description = "what to write: IMPACT.md, impact.json, impact.html (default: md,json)")
    List<String> formats = new ArrayList<>(List.of("md", "json"));

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "where the reports go (default: the proposal's directory)")
    Path out;

    @picocli.CommandLine.Mixin
    WindowOptions window = new WindowOptions();

    @Override
    public Integer call() throws Exception {
        dev.tailor.util.Background<PolicySet> reading = null;
        PolicySet now = PolicySet.empty();
        PolicyGenerator.Options options;
        Instant end;
        try {
            if (!Set.of("md", "json", "html").containsAll(formats)) {
                throw new IllegalArgumentException("--format takes md, json and html, got " + formats);
            }
            if (!Files.isDirectory(proposed)) {
                throw new IllegalArgumentException("--proposed " + proposed + " is not a directory");
            }
            // Read beside the store: the proposal's thousands of files and the store's tables take as long.
            reading = dev.tailor.util.Background.start("proposal", () -> PolicySet.read(proposed));
            for (String c : current) {
                now = now.with(c.equals("cluster") ? fromCluster() : PolicySet.read(Path.of(c)));
            }
            options = PolicyGenerator.Options.defaults().withWindow(window.window());
            end = window.end();
        } catch (IllegalArgumentException | DateTimeParseException | IOException e) {
            if (reading == null || proposalOrNull(reading) != null) { // else the proposal's problem was said first
                System.err.println("tailor impact: " + e.getMessage());
            }
            return TailorCli.USAGE;
        }
        ImpactReport report;
        try (StoredObservations observations = StoredObservations.readOnce(window.open())) {
            Observations observed = Observations.load(observations, options.window(), end);
            PolicySet proposal = proposalOrNull(reading);
            if (proposal == null) {
                return TailorCli.USAGE;
            }
            report = new ImpactAnalyzer(now, proposal).analyze(observations, observed, options);
        } catch (ObservationStore.NoStoreException | IOException e) {
            // A proposal that cannot be read is the first thing said, as when it was read before the store.
            if (proposalOrNull(reading) == null) {
                return TailorCli.USAGE;
            }
            System.err.println("tailor impact: cannot read " + window.describe() + ": " + e.getMessage());
            return TailorCli.ERROR;
        }
        Path dir = out != null ? out : proposed;
        String first = write(report, dir);
        System.out.println(
                report.clean()
                        ? "clean: nothing observed would be denied"
                        : report.breakage() + " observed behaviors would be denied, " + report.notJudged()
                                + " could not be judged (see "
                                + dir.resolve(first) + ")");
        return report.clean() ? TailorCli.OK : TailorCli.WOULD_DENY;
    }

    /**
     * Writes the reports asked for into {@code dir}; returns the first one's name. Every report is made before any is
     * written, and each written whole: a failure leaves the reports of the last run, never half of one.
     */
    private String write(ImpactReport report, Path dir) throws IOException {
        java.util.Map<String, String> reports = new java.util.LinkedHashMap<>();
        if (formats.contains("md")) {
            reports.put("IMPACT.md", ImpactMarkdown.render(report));
        }
        if (formats.contains("json")) {
            reports.put("impact.json", json(report));
        }
        if (formats.contains("html")) {
            reports.put("impact.html", dev.tailor.impact.ImpactHtml.render(report, json(report)));
        }
        Files.createDirectories(dir);
        for (var r : reports.entrySet()) {
            dev.tailor.util.Trees.writeWhole(dir.resolve(r.getKey()), r.getValue());
        }
        return reports.keySet().iterator().next();
    }

    /** The proposal read beside the store, or null after saying why it cannot be read (the user's to mend). */
    private static PolicySet proposalOrNull(dev.tailor.util.Background<PolicySet> proposal) {
        try {
            return proposal.join();
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("tailor impact: " + e.getMessage());
            return null;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e); // reading files throws none
        }
    }

    private static PolicySet fromCluster() throws IOException {
        try (io.fabric8.kubernetes.client.KubernetesClient client = dev.tailor.kube.Kubeconfig.client()) {
            return dev.tailor.impact.ClusterPolicies.read(client);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            throw new IOException(
                    "--current cluster: the Kubernetes API could not be read: "
                            + dev.tailor.kube.Kubeconfig.describe(e),
                    e);
        }
    }

    public static String json(ImpactReport report) throws IOException {
        return new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                        .writeValueAsString(report)
                + "\n";
    }
}
