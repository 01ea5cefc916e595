package dev.tailor.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.kube.KubeObjects;
import dev.tailor.netpol.NetworkPolicyEvaluator.ContainerPort;
import dev.tailor.netpol.NetworkPolicyEvaluator.Peer;
import dev.tailor.netpol.NetworkPolicyEvaluator.Pod;
import dev.tailor.testing.RepositoryPaths;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The NetworkPolicy evaluator against np-guard's expected connectivity (test-fixtures/third_party/netpol-conformance:
 * the scenarios that involve only NetworkPolicy; TAILOR-SCOPE.md says what was left out and why). For every
 * scenario, every ordered pair of workloads, and every pair of a workload and a range of outside addresses (the
 * ranges the scenario's ipBlocks cut the address space into), the connections the evaluator allows must be the
 * ones np-guard lists — and nothing where it lists nothing.
 */
class NetpolConformanceTest {

    private static final Path ROOT = RepositoryPaths.fixtures().resolve("third_party/netpol-conformance");
    private static final Set<String> WORKLOAD_KINDS =
            Set.of("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController");

    /** A workload np-guard names ({@code ns/name[Kind]}) and the pod that stands for it. */
    private record Workload(String name, Pod pod) {}

    /** An outside address range [from, to] (IPv4 as longs). */
    private record Range(long from, long to) {
        String representative() {
            return ip(from);
        }
    }

    @Test
    void npGuardScenarios() throws Exception {
        List<String> scenarios;
        try (Stream<Path> dirs = Files.list(ROOT.resolve("tests"))) {
            scenarios = dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        }
        int matching = 0;
        long pairs = 0;
        List<String> mismatches = new ArrayList<>();
        for (String scenario : scenarios) {
            Result r = compare(scenario);
            pairs += r.pairs;
            if (r.mismatches.isEmpty()) {
                matching++;
            } else {
                mismatches.add(scenario + ": " + r.mismatches.size() + " pairs differ, e.g. " + r.mismatches.get(0));
            }
        }
        System.out.printf(
                "NetworkPolicy conformance: %d of %d np-guard scenarios match exactly (%d connections compared)%n",
                matching, scenarios.size(), pairs);
        mismatches.forEach(m -> System.out.println("  mismatch " + m));
        assertEquals(List.of(), mismatches);
    }

    private record Result(long pairs, List<String> mismatches) {}

    private static Result compare(String scenario) throws Exception {
        List<JsonNode> docs = documents(ROOT.resolve("tests").resolve(scenario));
        Map<String, Map<String, String>> namespaces = new TreeMap<>();
        List<NetworkPolicy> policies = new ArrayList<>();
        Map<String, Workload> workloads = new TreeMap<>();
        for (JsonNode d : docs) {
            String kind = d.path("kind").asText();
            String ns = d.path("metadata").path("namespace").asText("default");
            switch (kind) {
                case "Namespace" ->
                    namespaces.put(d.path("metadata").path("name").asText(), labels(d));
                case "NetworkPolicy" -> policies.add(KubeObjects.typed(d, NetworkPolicy.class));
                case "Pod" -> workloads.putIfAbsent(podName(d, ns), new Workload(podName(d, ns), podOf(d, ns)));
                default -> {
                    if (WORKLOAD_KINDS.contains(kind)) {
                        JsonNode template = kind.equals("CronJob")
                                ? d.path("spec")
                                        .path("jobTemplate")
                                        .path("spec")
                                        .path("template")
                                : d.path("spec").path("template");
                        String name = ns + "/" + d.path("metadata").path("name").asText() + "[" + kind + "]";
                        workloads.putIfAbsent(
                                name,
                                new Workload(
                                        name,
                                        pod(
                                                ns,
                                                d.path("metadata").path("name").asText(),
                                                labels(template),
                                                template.path("spec"),
                                                "")));
                    }
                }
            }
        }
        return judged(scenario, policies, namespaces, workloads);
    }

    /** A pod's or template's labels. */
    private static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new TreeMap<>();
        object.path("metadata")
                .path("labels")
                .properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    /**
     * np-guard's name of a pod: by its controller (an owner of no kind counts as a Pod); a static pod, owned by its
     * Node, by itself.
     */
    private static String podName(JsonNode d, String ns) {
        String name = ns + "/" + d.path("metadata").path("name").asText() + "[Pod]";
        JsonNode owners = d.path("metadata").path("ownerReferences");
        for (JsonNode owner : owners) {
            String ownerKind = owner.path("kind").asText("");
            if ((owner.path("controller").asBoolean(false) || owners.size() == 1) && !ownerKind.equals("Node")) {
                name = ns + "/" + owner.path("name").asText() + "[" + (ownerKind.isEmpty() ? "Pod" : ownerKind) + "]";
            }
        }
        return name;
    }

    private static Pod podOf(JsonNode d, String ns) {
        return pod(
                ns,
                d.path("metadata").path("name").asText(),
                labels(d),
                d.path("spec"),
                d.path("status").path("podIP").asText(""));
    }

    /** Every pair of workloads, and each workload with a representative address of each range, both ways. */
    private static Result judged(
            String scenario,
            List<NetworkPolicy> policies,
            Map<String, Map<String, String>> namespaces,
            Map<String, Workload> workloads)
            throws Exception {
        NetworkPolicyEvaluator eval = new NetworkPolicyEvaluator(policies, namespaces);
        Map<String, Map<String, String>> expected = expected(scenario);
        List<Range> ranges = partition(policies);
        List<String> mismatches = new ArrayList<>();
        long pairs = 0;
        for (Workload a : workloads.values()) {
            for (Workload b : workloads.values()) {
                if (a == b) {
                    continue;
                }
                pairs++;
                check(
                        mismatches,
                        a.name(),
                        b.name(),
                        eval.allowed(Peer.of(a.pod()), Peer.of(b.pod())),
                        expected.getOrDefault(a.name(), Map.of()).get(b.name()));
            }
            for (Range r : ranges) {
                pairs += 2;
                Peer outside = Peer.address(r.representative());
                check(
                        mismatches,
                        rangeName(r),
                        a.name(),
                        eval.allowed(outside, Peer.of(a.pod())),
                        external(expected, r, a.name(), true));
                check(
                        mismatches,
                        a.name(),
                        rangeName(r),
                        eval.allowed(Peer.of(a.pod()), outside),
                        external(expected, r, a.name(), false));
            }
        }
        samePairs(eval, workloads, ranges, mismatches);
        return new Result(pairs, mismatches);
    }

    /**
     * {@link NetworkPolicyEvaluator#allowedPairs}, which asks only the pairs some rule could allow, finds the same pairs
     * as asking {@link NetworkPolicyEvaluator#allowed} of every one (workloads and outside ranges alike).
     */
    private static void samePairs(
            NetworkPolicyEvaluator eval, Map<String, Workload> workloads, List<Range> ranges, List<String> mismatches) {
        List<Peer> peers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        workloads.values().forEach(w -> {
            peers.add(Peer.of(w.pod()));
            names.add(w.name());
        });
        ranges.forEach(r -> {
            peers.add(Peer.address(r.representative()));
            names.add(rangeName(r));
        });
        List<java.util.BitSet> pairs = eval.allowedPairs(peers);
        for (int s = 0; s < peers.size(); s++) {
            for (int d = 0; d < peers.size(); d++) {
                boolean asked =
                        s != d && !eval.allowed(peers.get(s), peers.get(d)).isEmpty();
                if (pairs.get(s).get(d) != asked) {
                    mismatches.add(names.get(s) + " => " + names.get(d) + ": allowed " + asked + ", allowedPairs "
                            + pairs.get(s).get(d));
                }
            }
        }
    }

    private static void check(List<String> mismatches, String src, String dst, PortSet ours, String theirs) {
        PortSet expected = theirs == null ? PortSet.NONE : PortSet.parse(theirs);
        if (!ours.equals(expected)) {
            mismatches.add(src + " => " + dst + ": np-guard " + expected + ", Tailor " + ours);
        }
    }

    private static Pod pod(String ns, String name, Map<String, String> labels, JsonNode spec, String ip) {
        List<ContainerPort> ports = new ArrayList<>();
        for (JsonNode c : spec.path("containers")) {
            for (JsonNode p : c.path("ports")) {
                ports.add(new ContainerPort(
                        p.path("name").asText(""),
                        p.path("protocol").asText("TCP"),
                        p.path("containerPort").asInt()));
            }
        }
        return new Pod(ns, name, labels, ip, ports);
    }

    /** np-guard's lines as src → dst → connections, its ingress-controller peer left out. */
    private static Map<String, Map<String, String>> expected(String scenario) throws Exception {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String line :
                Files.readAllLines(ROOT.resolve("test_outputs/connlist/" + scenario + "_connlist_output.txt"))) {
            if (line.isBlank() || line.contains("{ingress-controller}")) {
                continue;
            }
            int arrow = line.indexOf(" => ");
            int colon = line.indexOf(" : ", arrow);
            out.computeIfAbsent(line.substring(0, arrow).strip(), k -> new LinkedHashMap<>())
                    .put(
                            line.substring(arrow + 4, colon).strip(),
                            line.substring(colon + 3).strip());
        }
        return out;
    }

    /** What np-guard lists between an outside range it names (covering {@code r}) and a workload. */
    private static String external(
            Map<String, Map<String, String>> expected, Range r, String workload, boolean inbound) {
        for (var e : expected.entrySet()) {
            for (var d : e.getValue().entrySet()) {
                String outside = inbound ? e.getKey() : d.getKey();
                String other = inbound ? d.getKey() : e.getKey();
                if (other.equals(workload) && outside.endsWith("[External]") && covers(outside, r)) {
                    return d.getValue();
                }
            }
        }
        return null;
    }

    private static boolean covers(String name, Range r) {
        for (String part :
                name.substring(0, name.length() - "[External]".length()).split(",")) {
            int dash = part.indexOf('-');
            long from = ipv4(dash < 0 ? part : part.substring(0, dash));
            long to = dash < 0 ? from : ipv4(part.substring(dash + 1));
            if (from <= r.from() && r.to() <= to) {
                return true;
            }
        }
        return false;
    }

    /** The IPv4 space cut at every ipBlock CIDR's and except's edges: within a range, every address is treated alike. */
    private static List<Range> partition(List<NetworkPolicy> policies) {
        TreeSet<Long> cuts = new TreeSet<>(List.of(0L, 1L << 32));
        for (NetworkPolicy p : policies) {
            List<NetworkPolicyPeer> peers = new ArrayList<>();
            p.getSpec().getIngress().forEach(rule -> peers.addAll(rule.getFrom()));
            p.getSpec().getEgress().forEach(rule -> peers.addAll(rule.getTo()));
            for (NetworkPolicyPeer peer : peers) {
                if (peer.getIpBlock() == null) {
                    continue;
                }
                List<String> cidrs = new ArrayList<>(peer.getIpBlock().getExcept());
                cidrs.add(peer.getIpBlock().getCidr());
                for (String cidr : cidrs) {
                    if (!cidr.contains(":")) {
                        int slash = cidr.indexOf('/');
                        long base = ipv4(cidr.substring(0, slash));
                        int bits = Integer.parseInt(cidr.substring(slash + 1));
                        long size = 1L << (32 - bits);
                        base &= ~(size - 1);
                        cuts.add(base);
                        cuts.add(base + size);
                    }
                }
            }
        }
        List<Range> ranges = new ArrayList<>();
        Long previous = null;
        for (long cut : cuts) {
            if (previous != null) {
                ranges.add(new Range(previous, cut - 1));
            }
            previous = cut;
        }
        return ranges;
    }

    private static String rangeName(Range r) {
        return ip(r.from()) + "-" + ip(r.to()) + "[External]";
    }

    private static long ipv4(String ip) {
        long v = 0;
        for (String octet : ip.strip().split("\\.")) {
            v = (v << 8) | Integer.parseInt(octet);
        }
        return v;
    }

    private static String ip(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    /** Every object in a scenario's YAML and JSON files, Lists opened. */
    private static List<JsonNode> documents(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
                    .sorted()
                    .toList();
        }
        for (Path f : files) {
            ObjectMapper mapper = f.toString().endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
            try (var it = mapper.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
                while (it.hasNext()) {
                    JsonNode d = it.next();
                    if (d != null && !d.isNull() && !d.isMissingNode()) {
                        open(d, out);
                    }
                }
            } catch (RuntimeException | java.io.IOException e) {
                // np-guard skips files that are not Kubernetes objects; so does this.
            }
        }
        return out;
    }

    private static void open(JsonNode d, List<JsonNode> out) {
        if (d.isArray()) {
            d.forEach(x -> open(x, out));
        } else if (d.path("kind").asText().endsWith("List") && d.path("items").isArray()) {
            d.path("items").forEach(x -> open(x, out));
        } else {
            out.add(d);
        }
    }
}
