package dev.tailor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailor.generate.Generated;
import dev.tailor.generate.Observations;
import dev.tailor.generate.PolicyGenerator;
import dev.tailor.kube.Documents;
import dev.tailor.kube.KubeObjects;
import dev.tailor.rbac.PolicyRule;
import dev.tailor.store.StoredObservations;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailor generate}: least-privilege policies from the observed window, written as a tree under --out. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Generate Roles, NetworkPolicies and seccomp profiles from the observed window.")
public final class GenerateCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    WindowOptions window = new WindowOptions();

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "where the policies go: a new or empty "
                    + "directory, or one Tailor wrote before (its files are replaced, files others added are kept)")
    Path out;

    @Option(
            names = "--quiet",
            paramLabel = "DURATION",
            description = "time without new behavior before a workload is proposed (default: ${DEFAULT-VALUE})")
    String quiet = "24h";

    @Option(
            names = "--max-resource-names",
            paramLabel = "K",
            description = "name resources in a rule when at most K were used (default: ${DEFAULT-VALUE}; 0: never)")
    int maxResourceNames = 5;

    @Option(
            names = "--cluster-role-at-namespaces",
            paramLabel = "N",
            description = "widening: a rule used in at least N namespaces goes to a ClusterRole (default: off)")
    int clusterRoleAtNamespaces = 0;

    @Option(
            names = "--keep-role",
            arity = "1..*",
            paramLabel = "FILE",
            description = "Roles/ClusterRoles (YAML) every account keeps: what they allow is not granted again")
    List<Path> keepRoles = new ArrayList<>();

    @Option(
            names = "--current-rbac",
            arity = "1..*",
            paramLabel = "FILE",
            description =
                    "the cluster's RBAC as it is "
                            + "(kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml): the report says what each account is granted now")
    List<Path> currentRbac = new ArrayList<>();

    @Option(
            names = "--external-prefix",
            paramLabel = "BITS",
            description =
                    "widening: IPv4 peers outside the cluster as /BITS instead of /32 (default: ${DEFAULT-VALUE})")
    int externalPrefix = 32;

    @Option(
            names = "--allow-world-ingress",
            description =
                    "widening: a workload that clients outside the cluster reached accepts any address on those ports (default: only the addresses seen)")
    boolean worldIngress;

    @Option(names = "--default-deny", description = "also write a default-deny NetworkPolicy per namespace")
    boolean defaultDeny;

    @Option(
            names = "--api-server",
            split = ",",
            paramLabel = "ADDRESS:PORT",
            description = "the API server's endpoints "
                    + "(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), for workloads that call the "
                    + "API where the flows do not show it (default: from flows to Cilium's reserved:kube-apiserver)")
    List<String> apiServer = new ArrayList<>();

    @Option(
            names = "--runtime",
            paramLabel = "NAME",
            description =
                    "container runtime whose start-up syscalls profiles allow: runc-v1.4.2, crun-v1.26 (default: ${DEFAULT-VALUE})")
    String runtime = "runc-v1.4.2";

    @Option(
            names = "--architecture",
            paramLabel = "ARCH",
            description =
                    "architecture of syscall records that name none (SPO log enricher lines) (default: ${DEFAULT-VALUE})")
    String architecture = "x86_64";

    @Override
    public Integer call() throws Exception {
        PolicyGenerator.Options options;
        PolicyGenerator generator;
        Instant end;
        try {
            if (externalPrefix < 0 || externalPrefix > 32 || maxResourceNames < 0 || clusterRoleAtNamespaces < 0) {
                throw new IllegalArgumentException(
                        "--external-prefix is 0..32, --max-resource-names and --cluster-role-at-namespaces at least 0");
            }
            dev.tailor.util.OwnedTree.check(out);
            for (String endpoint : apiServer) {
                if (!endpoint.matches("(\\[[0-9a-fA-F:]+]|[0-9.]+|[0-9a-fA-F:]+):\\d{1,5}")) {
                    throw new IllegalArgumentException("--api-server takes ADDRESS:PORT (an IP address: NetworkPolicy "
                            + "matches addresses, not names), got " + endpoint);
                }
            }
            end = window.end();
            options = PolicyGenerator.Options.builder()
                    .window(window.window())
                    .quiet(dev.tailor.util.Durations.parse(quiet))
                    .maxResourceNames(maxResourceNames)
                    .clusterRoleAtNamespaces(clusterRoleAtNamespaces)
                    .keptRules(keptRules())
                    .externalPrefixV4(externalPrefix)
                    .worldIngress(worldIngress)
                    .defaultDeny(defaultDeny)
                    .runtime(runtime)
                    .architecture(architecture)
                    .currentRbac(current())
                    .apiServer(apiServer)
                    .build();
            generator = new PolicyGenerator(options);
        } catch (IllegalArgumentException | DateTimeParseException | IOException e) {
            System.err.println("tailor generate: " + e.getMessage());
            return TailorCli.USAGE;
        }
        Generated generated;
        try (StoredObservations observations = window.open()) {
            Observations observed = Observations.load(observations, options.window(), end);
            if (observed.nothingObserved()) {
                System.err.println("tailor generate: nothing was observed in the window " + observed.from + " to "
                        + observed.until + " (" + window.describe() + ")");
            }
            generated = generator.generate(observed);
        } catch (SQLException | IOException | RuntimeException e) {
            System.err.println("tailor generate: cannot read " + window.describe() + ": " + e.getMessage());
            return TailorCli.ERROR;
        }
        try {
            generated.writeTo(out);
        } catch (IOException e) {
            System.err.println("tailor generate: nothing written to " + out + ": " + TailorCli.describe(e));
            return TailorCli.ERROR;
        }
        System.out.printf("wrote %d files to %s (see %s)%n", generated.files().size(), out, out.resolve("REPORT.md"));
        return TailorCli.OK;
    }

    private dev.tailor.rbac.RbacAuthorizer current() throws IOException {
        if (currentRbac.isEmpty()) {
            return null;
        }
        dev.tailor.rbac.RbacAuthorizer rbac = new dev.tailor.rbac.RbacAuthorizer();
        for (Path file : currentRbac) {
            for (JsonNode doc : objects(file)) {
                rbac.add(typed(file, doc));
            }
        }
        return rbac;
    }

    private List<PolicyRule> keptRules() throws IOException {
        List<PolicyRule> rules = new ArrayList<>();
        for (Path file : keepRoles) {
            for (JsonNode doc : objects(file)) {
                HasMetadata role = typed(file, doc);
                if (role instanceof Role r) {
                    rules.addAll(PolicyRule.of(r.getRules()));
                } else if (role instanceof ClusterRole r) {
                    rules.addAll(PolicyRule.of(r.getRules()));
                } else {
                    throw new IllegalArgumentException(file + ": --keep-role takes Role and ClusterRole objects, found "
                            + doc.path("kind").asText());
                }
            }
        }
        return rules;
    }

    private static List<JsonNode> objects(Path file) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        Documents.read(file).forEach(doc -> objects.addAll(KubeObjects.items(doc)));
        return objects;
    }

    /** The object as its type; a malformed one is a usage error naming the file. */
    private static HasMetadata typed(Path file, JsonNode doc) {
        try {
            return KubeObjects.typed(doc);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
