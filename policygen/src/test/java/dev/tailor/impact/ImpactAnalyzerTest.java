package dev.tailor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.fixtures.ObservedWeek;
import dev.tailor.generate.Observations;
import dev.tailor.generate.PolicyGenerator;
import dev.tailor.observe.admission.EnforcePreview;
import dev.tailor.store.ObservationStore;
import dev.tailor.store.Sighting;
import dev.tailor.testing.GoldenFiles;
import dev.tailor.testing.RepositoryPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The impact report on the Online Boutique week: the generated proposal is clean; a proposal with a rule taken out
 * shows exactly the breakage that rule covered, and the CLI says so with exit code 3; the enforce preview finds the
 * pods enforce mode would have rejected.
 */
class ImpactAnalyzerTest {

    private static String store;
    private static Path policies;
    private static ImpactReport clean;

    @BeforeAll
    static void generateAndReplay(@TempDir Path tmp) throws Exception {
        BoutiqueProposal week = BoutiqueProposal.make(tmp);
        store = week.store();
        policies = week.policies();
        clean = week.clean();
    }

    private static ImpactReport analyze(PolicySet proposal) throws Exception {
        return BoutiqueProposal.analyze(store, proposal);
    }

    private static int cli(String... args) {
        return ObservedWeek.tailor(args);
    }

    @Test
    void theGeneratedProposalIsClean() {
        assertTrue(clean.clean(), clean.toString());
        assertEquals(0, clean.breakage());
        assertEquals(11, clean.workloads().size(), clean.workloads().keySet().toString());
        var cart = clean.workloads().get("boutique/deployment.cartservice");
        assertEquals(2, cart.rbac().observed(), "the ConfigMap and the Secret");
        assertEquals(cart.network().observed(), cart.network().allowedProposed());
        assertTrue(
                cart.network().accessProposed().startsWith("ingress from 2 of "),
                cart.network().accessProposed());
        // Backtest: generated from six days, replayed on the last day of data — the week's data ends three minutes
        // into a UTC day, and those last 24 hours (not the last complete calendar day) are what is held out.
        assertEquals(clean.window().until(), clean.backtest().replayed().until());
        assertEquals(
                java.time.Instant.parse(clean.window().until())
                        .minus(java.time.Duration.ofDays(1))
                        .toString(),
                clean.backtest().replayed().from());
        assertEquals(
                clean.backtest().replayed().from(), clean.backtest().trainedOn().until());
        assertFalse(clean.backtest().workloads().isEmpty());
        clean.backtest().workloads().forEach((w, b) -> assertEquals(0.0, b.falseDenyRate(), w + ": " + b));
    }

    @Test
    void takingARuleOutShowsTheBreakageItCovered() throws Exception {
        Path broken = policies.resolveSibling("broken");
        copyTree(policies, broken);
        Path cart = broken.resolve("boutique/deployment.cartservice/networkpolicy.yaml");
        String policy = Files.readString(cart);
        // Cut the egress rule to redis-cart.
        int redis = policy.indexOf("              app: redis-cart");
        int ruleStart = policy.lastIndexOf("    - to:", redis);
        int ruleEnd = policy.indexOf("port: 6379", redis) + "port: 6379".length() + 1;
        Files.writeString(cart, policy.substring(0, ruleStart) + policy.substring(ruleEnd));
        Path rbac = broken.resolve("boutique/serviceaccount.cartservice/rbac.yaml");
        Files.writeString(rbac, Files.readString(rbac).replace("redis-cart-auth", "some-other-secret"));

        ImpactReport report = analyze(PolicySet.read(broken));
        assertFalse(report.clean());
        var impact = report.workloads().get("boutique/deployment.cartservice");
        assertEquals(
                List.of("boutique/deployment.cartservice -> boutique/deployment.redis-cart TCP/6379"),
                impact.network().denied());
        assertEquals(
                List.of("cartservice: get secrets redis-cart-auth in boutique"),
                impact.rbac().denied());
        assertEquals(2, report.breakage());
        assertEquals(
                3,
                cli("impact", "--proposed", broken.toString(), "--store", store),
                "exit 3: something would be denied");
        assertTrue(Files.readString(broken.resolve("IMPACT.md")).contains("**2 observed behaviors would be denied**"));
    }

    /** A copy of the generated proposal beside it, for a test to edit. */
    private static Path proposalCopy(String name) throws Exception {
        Path copy = policies.resolveSibling(name);
        copyTree(policies, copy);
        return copy;
    }

    /** The seccomp impact of the proposal at {@code proposal} on cartservice. */
    private static ImpactReport.KindImpact cartserviceSeccomp(Path proposal) throws Exception {
        return analyze(PolicySet.read(proposal))
                .workloads()
                .get("boutique/deployment.cartservice")
                .seccomp();
    }

    /** What the proposal at {@code proposal} would deny of cartservice's observed syscalls. */
    private static List<String> cartserviceSyscallsDenied(Path proposal) throws Exception {
        return cartserviceSeccomp(proposal).denied();
    }

    /** Why the proposal at {@code proposal} cannot be read. */
    private static String unreadable(Path proposal) {
        return org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> PolicySet.read(proposal))
                .getMessage();
    }

    /**
     * The pod template's patch runs the Security Profiles Operator's SeccompProfile, not the OCI JSON beside it: a
     * reviewer who takes a syscall out of the SeccompProfile alone is told the two differ, and with the JSON gone the
     * SeccompProfile is what is judged.
     */
    @Test
    void theSeccompProfileThePodRunsIsWhatIsJudged() throws Exception {
        Path edited = proposalCopy("seccomp-edited");
        Path dir = edited.resolve("boutique/deployment.cartservice");
        Path operator = dir.resolve("seccompprofile-server.yaml");
        String yaml = Files.readString(operator);
        assertTrue(yaml.contains("        - epoll_wait\n"), yaml);
        Files.writeString(operator, yaml.replace("        - epoll_wait\n", ""));

        assertEquals(
                dir.resolve("seccomp-server.json")
                                .toString()
                                .substring(edited.toString().length() + 1)
                        + " and boutique/deployment.cartservice/seccompprofile-server.yaml are one container's profile"
                        + " but differ in what they let run: epoll_wait on x86_64 runs under"
                        + " boutique/deployment.cartservice/seccomp-server.json only — make them the same (the pod"
                        + " template's patch runs the SeccompProfile)",
                unreadable(edited));
        assertEquals(
                2,
                cli("impact", "--proposed", edited.toString(), "--store", store),
                "the proposal is the user's to mend");

        Files.delete(dir.resolve("seccomp-server.json"));
        assertEquals(List.of("epoll_wait in server"), cartserviceSyscallsDenied(edited));
    }

    /**
     * A container runs the SeccompProfile its workload's {@code seccomp-patch.yaml} names: a profile the proposal does
     * not hold (a typo, a rename) is an error — the pods would not start — and the one named is what is judged, even
     * in another file.
     */
    @Test
    void theProfileThePatchNamesIsWhatIsJudged() throws Exception {
        Path edited = proposalCopy("seccomp-patched");
        Path dir = edited.resolve("boutique/deployment.cartservice");
        Path patch = dir.resolve("seccomp-patch.yaml");
        String original = Files.readString(patch);
        Files.writeString(patch, original.replace("cartservice-server.json", "cartservice-srv.json"));
        assertEquals(
                "boutique/deployment.cartservice/seccomp-patch.yaml makes container server run"
                        + " operator/boutique/cartservice-srv.json, but the proposal holds no SeccompProfile"
                        + " boutique/cartservice-srv — its pods would not start",
                unreadable(edited));
        assertEquals(2, cli("impact", "--proposed", edited.toString(), "--store", store));

        // The profile the patch names, but without its namespace: applied as it is, it lands elsewhere.
        Files.writeString(patch, original);
        Path profile = dir.resolve("seccompprofile-server.yaml");
        String withNamespace = Files.readString(profile);
        Files.writeString(profile, withNamespace.replace("  namespace: boutique\n", ""));
        assertEquals(
                "boutique/deployment.cartservice/seccomp-patch.yaml makes container server run"
                        + " operator/boutique/cartservice-server.json, but the proposal holds no SeccompProfile"
                        + " boutique/cartservice-server (boutique/deployment.cartservice/seccompprofile-server.yaml"
                        + " has no metadata.namespace: it is made in whatever namespace it is applied to — give it"
                        + " namespace: boutique) — its pods would not start",
                unreadable(edited));
        Files.writeString(profile, withNamespace);

        // A tighter profile beside the generated one, and the patch pointing at it.
        String tight = Files.readString(dir.resolve("seccompprofile-server.yaml"))
                .replace("name: cartservice-server", "name: cartservice-tight")
                .replace("        - epoll_wait\n", "");
        Files.writeString(dir.resolve("seccompprofile-tight.yaml"), tight);
        Files.writeString(patch, original.replace("cartservice-server.json", "cartservice-tight.json"));
        Files.delete(dir.resolve("seccomp-server.json"));
        assertEquals(List.of("epoll_wait in server"), cartserviceSyscallsDenied(edited));
    }

    /**
     * The patch is what decides what a container runs, whatever profiles lie beside it: a reviewer who switches it to
     * the runtime's default is shown what the runtime default would deny (clone3, which Moby's answers with ENOSYS);
     * to Unconfined, nothing; to a profile on the nodes' disks, or to none, the container's syscalls are not judged —
     * the proposal does not show what it runs — and the preview is not clean (exit 3).
     */
    @Test
    void whatThePatchRunsIsJudgedEvenWhenItIsNotTheProposalsProfile() throws Exception {
        Path edited = proposalCopy("seccomp-patch-types");
        Path patch = edited.resolve("boutique/deployment.cartservice/seccomp-patch.yaml");
        String original = Files.readString(patch);
        String localhost =
                "              type: Localhost\n              localhostProfile: operator/boutique/cartservice-server.json\n";
        assertTrue(original.contains(localhost), original);
        var before = clean.workloads().get("boutique/deployment.cartservice").seccomp();

        Files.writeString(patch, original.replace(localhost, "              type: RuntimeDefault\n"));
        var runtimeDefault = cartserviceSeccomp(edited);
        assertEquals(List.of("clone3 in server"), runtimeDefault.denied());
        assertTrue(
                runtimeDefault.accessProposed().startsWith("proposed: 3"),
                runtimeDefault.accessProposed()); // the runtime default's 300-odd syscalls, not 56

        Files.writeString(patch, original.replace(localhost, "              type: Unconfined\n"));
        var unconfined = cartserviceSeccomp(edited);
        assertEquals(List.of(), unconfined.denied());
        assertEquals(before.observed(), unconfined.allowedProposed());

        Files.writeString(
                patch,
                original.replace(
                        "localhostProfile: operator/boutique/cartservice-server.json",
                        "localhostProfile: profiles/cartservice.json"));
        ImpactReport onTheNodes = analyze(PolicySet.read(edited));
        var nodes =
                onTheNodes.workloads().get("boutique/deployment.cartservice").seccomp();
        assertEquals(before.observed(), nodes.notJudged());
        assertEquals(0, nodes.deniedCount());
        assertTrue(
                nodes.notJudgedExamples()
                        .get(0)
                        .endsWith(" in server (boutique/deployment.cartservice/seccomp-patch.yaml"
                                + " makes container server run profiles/cartservice.json from the nodes' disks, which the"
                                + " proposal does not hold)"),
                nodes.notJudgedExamples().get(0));
        assertFalse(onTheNodes.clean());
        assertEquals(3, cli("impact", "--proposed", edited.toString(), "--store", store));
        assertTrue(Files.readString(edited.resolve("IMPACT.md"))
                .contains("not judged: " + nodes.notJudgedExamples().get(0)));

        Files.writeString(
                patch, original.replace("          securityContext:\n            seccompProfile:\n" + localhost, ""));
        var none = cartserviceSeccomp(edited);
        assertEquals(before.observed(), none.notJudged(), Files.readString(patch));
        assertTrue(none.notJudgedExamples().get(0).contains("sets no seccomp profile for container server"));
    }

    /**
     * The cluster's RBAC as a dump of the user's objects has it: cartservice's account bound to cluster-admin, a
     * bootstrap ClusterRole the dump does not contain. That is the most access there is — not none — and the
     * proposal removes it; every account's discovery roles count on both sides.
     */
    @Test
    void aBindingToABootstrapRoleTheDumpLeavesOutCountsAsThatRole() throws Exception {
        com.fasterxml.jackson.databind.JsonNode binding =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"cart-admin"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
                 "subjects":[{"kind":"ServiceAccount","name":"cartservice","namespace":"boutique"}]}""");
        ImpactReport report;
        try (ObservationStore s = ObservationStore.open(store)) {
            PolicyGenerator.Options options = PolicyGenerator.Options.defaults();
            report = new ImpactAnalyzer(PolicySet.parsed(List.of(binding)), PolicySet.read(policies))
                    .analyze(s, Observations.load(s, options.window(), null), options);
        }
        var rbac = report.workloads().get("boutique/deployment.cartservice").rbac();
        assertTrue(rbac.accessNow().startsWith("every resource (wildcards)"), rbac.accessNow());
        assertEquals(-1L, rbac.grantedNow(), "all: more than the proposal's " + rbac.grantedProposed());
        assertEquals(rbac.observed(), rbac.allowedNow(), "cluster-admin allows everything it did");
        var checkout =
                report.workloads().get("boutique/deployment.checkoutservice").rbac();
        assertTrue(
                checkout.grantedNow() != null && checkout.grantedNow() > 0,
                "an account bound to nothing still has the discovery roles now, as it will under the proposal: "
                        + checkout);
    }

    @Test
    void theEnforcePreviewFindsThePodsEnforceWouldHaveRejected() {
        EnforcePreview batch = clean.enforcePreview().get("batch");
        assertEquals(7, batch.wouldReject(), batch.toString());
        assertEquals(7, batch.requests(), "every pod of the nightly job");
        assertEquals(Map.of("hostPathVolumes", Map.of("cronjob.catalog-export", 7L)), batch.byCheck());
        assertTrue(
                batch.examples()
                        .get(0)
                        .matches(
                                "catalog-export-\\d+-\\w{5} \\(and 6 other pods\\) of cronjob.catalog-export: hostPathVolumes"),
                batch.examples().toString());
        EnforcePreview boutique = clean.enforcePreview().get("boutique");
        assertEquals(0, boutique.wouldReject(), "the flip is safe: " + boutique);
        assertTrue(boutique.requests() > 10, boutique.toString());
    }

    @Test
    void theEnforcePreviewCountsWhatTheSwitchWouldChangeOnce() {
        java.time.Instant t = java.time.Instant.parse("2026-11-30T10:00:00Z");
        java.util.function.BiFunction<String[], String, dev.tailor.contract.AdmissionDecision> d =
                (f, verdict) -> new dev.tailor.contract.AdmissionDecision(
                        t,
                        f[0],
                        "shop",
                        f[1],
                        f[2],
                        "CREATE",
                        f[3],
                        f[4],
                        f[5],
                        verdict.equals("allowed") ? "" : f[6],
                        verdict,
                        "");
        var decisions = List.of(
                // A Deployment, then the ReplicaSet and the Pod its controllers made: one rejection, the Deployment's.
                d.apply(
                        new String[] {"u1", "deployment.api", "dev", "Deployment", "api", "audit", "privileged"},
                        "warned"),
                d.apply(
                        new String[] {
                            "u2",
                            "deployment.api",
                            "system:serviceaccount:kube-system:deployment-controller",
                            "ReplicaSet",
                            "api-7f9c",
                            "audit",
                            "privileged"
                        },
                        "warned"),
                d.apply(
                        new String[] {
                            "u3",
                            "deployment.api",
                            "system:serviceaccount:kube-system:replicaset-controller",
                            "Pod",
                            "api-7f9c-x2x8z",
                            "audit",
                            "privileged"
                        },
                        "warned"),
                // A non-admin's attempt to switch the namespace: the guard denies it in every mode.
                d.apply(
                        new String[] {
                            "u4", "namespace.shop", "dev", "Namespace", "shop", "enforce", "namespaceAnnotationGuard"
                        },
                        "denied"),
                // While it was enforced, a pod was denied: the switch would deny it again.
                d.apply(new String[] {"u5", "pod.debug", "dev", "Pod", "debug", "enforce", "hostNamespaces"}, "denied"),
                d.apply(new String[] {"u6", "pod.web", "dev", "Pod", "web", "audit", ""}, "allowed"));
        EnforcePreview shop = EnforcePreview.perNamespace(decisions).get("shop");
        assertEquals(6, shop.requests(), shop.toString());
        assertEquals(2, shop.wouldReject(), shop.toString());
        assertEquals(
                Map.of("privileged", Map.of("deployment.api", 1L), "hostNamespaces", Map.of("pod.debug", 1L)),
                shop.byCheck());
    }

    @Test
    void theReportsAreTheCommittedOnes() throws Exception {
        assertEquals(
                0,
                cli(
                        "impact",
                        "--proposed",
                        policies.toString(),
                        "--store",
                        store,
                        "--out",
                        policies.resolveSibling("impact").toString()));
        Path out = policies.resolveSibling("impact");
        assertEquals(
                List.of(),
                GoldenFiles.differences(
                        RepositoryPaths.fixtures().resolve("boutique-impact"),
                        Map.of(
                                "IMPACT.md",
                                Files.readString(out.resolve("IMPACT.md")),
                                "impact.json",
                                Files.readString(out.resolve("impact.json")))),
                "test-fixtures/boutique-impact/ is not what tailor impact writes for the week; rerun with -Dtailor.update-golden=true");
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /**
     * The day after the week: the next release rolls every application Deployment again (new pod-template-hash).
     * The week's proposal, replayed on that day, denies nothing, judges everything, and still restricts every
     * workload it proposes for.
     */
    @Test
    void theNextReleaseIsDeniedNothing(@TempDir Path tmp) throws Exception {
        Path week = tmp.resolve("week");
        Path next = tmp.resolve("next-release");
        dev.tailor.fixtures.BoutiqueWeek.write(
                RepositoryPaths.fixtures().resolve("third_party/online-boutique"),
                week,
                next,
                dev.tailor.fixtures.BoutiqueWeek.DEFAULT_SEED);
        String url = ObservationStore.embeddedUrl(tmp.resolve("store"));
        ObservedWeek.observe(week, url);
        ObservedWeek.observe(next, url);
        java.util.regex.Pattern hash = java.util.regex.Pattern.compile("\"pod-template-hash\":\"(\\w+)\"");
        java.util.Set<String> weekHashes = hash.matcher(Files.readString(week.resolve("admission.jsonl")))
                .results()
                .map(m -> m.group(1))
                .collect(java.util.stream.Collectors.toSet());
        assertTrue(
                hash.matcher(Files.readString(next.resolve("admission.jsonl")))
                        .results()
                        .anyMatch(m -> !weekHashes.contains(m.group(1))),
                "the next release's pods have new pod-template-hashes");

        assertEquals(
                0,
                cli(
                        "impact",
                        "--proposed",
                        policies.toString(),
                        "--store",
                        url,
                        "--since",
                        "24h",
                        "--out",
                        tmp.resolve("impact").toString()));
        com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("impact/impact.json").toFile());
        assertTrue(report.path("clean").asBoolean(), report.toString());
        assertEquals(0, report.path("notJudged").asLong());
        java.util.Set<String> replayed = new java.util.TreeSet<>();
        report.path("workloads").fieldNames().forEachRemaining(replayed::add);
        assertEquals(new java.util.TreeSet<>(clean.workloads().keySet()), replayed);
        report.path("workloads").properties().forEach(w -> {
            var network = w.getValue().path("network");
            assertEquals(
                    network.path("observed").asLong(),
                    network.path("allowedProposed").asLong(),
                    w.getKey() + ": " + network);
            assertFalse(
                    network.path("accessProposed")
                            .asText()
                            .equals(network.path("accessNow").asText()),
                    w.getKey() + ": the proposal still restricts the next release's pods: " + network);
        });
    }

    @Test
    void windowIsTheStoresLastWeek() {
        assertEquals(
                Duration.ofDays(7),
                Duration.between(
                        java.time.Instant.parse(clean.window().from()),
                        java.time.Instant.parse(clean.window().until())));
    }

    /**
     * A real webhook never sees kube-system's pods, so CoreDNS's labels may be unknown. A proposal that cuts web's DNS
     * is still a breakage (no rule has port 53, whatever CoreDNS's labels), and one whose DNS rule depends on those
     * labels is not called clean: its connections are counted as not judged, and impact exits 3.
     */
    @Test
    void aConnectionToAnEndWithUnknownLabelsIsJudgedOrCountedNeverSkipped(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        String url = ObservationStore.embeddedUrl(tmp.resolve("store"));
        java.time.Instant t = java.time.Instant.parse("2026-11-20T10:00:00Z");
        webCallingCoreDnsWithItsLabelsUnknown(url, t);
        String noDns = """
                {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"web","namespace":"shop",
                 "labels":{"app.kubernetes.io/managed-by":"tailor","tailor.dev/workload":"deployment.web"}},
                 "spec":{"podSelector":{"matchLabels":{"app":"web"}},"policyTypes":["Egress"],
                 "egress":[{"ports":[{"port":443,"protocol":"TCP"}]}]}}""";
        String byLabel = noDns.replace(
                "{\"ports\":[{\"port\":443,\"protocol\":\"TCP\"}]}",
                "{\"to\":[{\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"kube-system\"}},"
                        + "\"podSelector\":{\"matchLabels\":{\"k8s-app\":\"kube-dns\"}}}],\"ports\":[{\"port\":53,\"protocol\":\"UDP\"}]}");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (ObservationStore s = ObservationStore.open(url)) {
            PolicyGenerator.Options options = PolicyGenerator.Options.defaults();
            Observations obs = Observations.load(s, options.window(), null);
            ImpactReport cut = new ImpactAnalyzer(PolicySet.empty(), PolicySet.parsed(List.of(json.readTree(noDns))))
                    .analyze(s, obs, options);
            assertFalse(cut.clean());
            assertEquals(1, cut.breakage(), "web -> coredns UDP/53, denied whatever CoreDNS's labels are");
            assertEquals(0, cut.notJudged());
            ImpactReport depends = new ImpactAnalyzer(
                            PolicySet.empty(), PolicySet.parsed(List.of(json.readTree(byLabel))))
                    .analyze(s, obs, options);
            assertFalse(depends.clean(), "not judged is not clean");
            assertEquals(0, depends.breakage());
            assertEquals(1, depends.notJudged());
            assertTrue(
                    depends.workloads()
                            .get("shop/deployment.web")
                            .network()
                            .notJudgedExamples()
                            .get(0)
                            .contains("the labels of kube-system/deployment.coredns are not known"),
                    depends.workloads().get("shop/deployment.web").network().toString());
            assertTrue(ImpactMarkdown.render(depends).contains("**1 observed behaviors could not be judged**"));
        }
    }

    /** web's 300 DNS lookups to CoreDNS, whose pods no admission stream showed (their labels are not known). */
    private static void webCallingCoreDnsWithItsLabelsUnknown(String url, java.time.Instant t) throws Exception {
        try (ObservationStore s = ObservationStore.open(url)) {
            s.ingestPods(List.of(new dev.tailor.identity.PodRecord(
                    "uid-web",
                    t,
                    "shop",
                    "web-7d4b9c8f5-x2x9z",
                    new dev.tailor.identity.Workload("shop", "Deployment", "web"),
                    "web",
                    java.util.Map.of("app", "web"),
                    true)));
            List<Sighting<dev.tailor.observe.flows.NetworkEdge>> flows = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                flows.add(Sighting.of(
                        "flow-" + i,
                        t.plusSeconds(i * 60L),
                        new dev.tailor.observe.flows.NetworkEdge(
                                "shop",
                                "deployment.web",
                                "",
                                "kube-system",
                                "deployment.coredns",
                                "",
                                "",
                                "UDP",
                                53,
                                false)));
            }
            s.ingestEdges(flows);
        }
    }

    /** A workload that first appears on the held-out day has no policy from the days before: the backtest names it as new. */
    @Test
    void aWorkloadNewOnTheHeldOutDayIsNamedByTheBacktest(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        String url = ObservationStore.embeddedUrl(tmp.resolve("store"));
        java.time.Instant start = java.time.Instant.parse("2026-11-16T00:00:00Z");
        java.time.Instant lastDay = start.plus(Duration.ofDays(6)).plusSeconds(3600);
        try (ObservationStore s = ObservationStore.open(url)) {
            s.ingestPods(List.of(
                    new dev.tailor.identity.PodRecord(
                            "uid-web",
                            start,
                            "shop",
                            "web-7d4b9c8f5-x2x9z",
                            new dev.tailor.identity.Workload("shop", "Deployment", "web"),
                            "web",
                            Map.of("app", "web"),
                            true),
                    new dev.tailor.identity.PodRecord(
                            "uid-new",
                            lastDay,
                            "shop",
                            "newcomer-6c5d8f7b9-k2m4p",
                            new dev.tailor.identity.Workload("shop", "Deployment", "newcomer"),
                            "newcomer",
                            Map.of("app", "newcomer"),
                            true)));
            List<Sighting<dev.tailor.observe.flows.NetworkEdge>> flows = new java.util.ArrayList<>();
            for (int day = 0; day < 7; day++) {
                flows.add(Sighting.of(
                        "w-" + day,
                        start.plus(Duration.ofDays(day)).plusSeconds(7200),
                        new dev.tailor.observe.flows.NetworkEdge(
                                "shop", "deployment.web", "", "", "", "192.0.2.10", "", "TCP", 443, false)));
            }
            flows.add(Sighting.of(
                    "n-1",
                    lastDay.plusSeconds(60),
                    new dev.tailor.observe.flows.NetworkEdge(
                            "shop", "deployment.newcomer", "", "shop", "deployment.web", "", "", "TCP", 8080, false)));
            s.ingestEdges(flows);
            PolicyGenerator.Options options = PolicyGenerator.Options.defaults();
            Observations obs = Observations.load(s, options.window(), null);
            PolicySet proposal =
                    PolicySet.of(new PolicyGenerator(options).generate(obs).files());
            ImpactReport report = new ImpactAnalyzer(PolicySet.empty(), proposal).analyze(s, obs, options);
            var newcomer = report.backtest().workloads().get("shop/deployment.newcomer");
            org.junit.jupiter.api.Assertions.assertNotNull(
                    newcomer, report.backtest().toString());
            assertEquals(List.of("new workload: first seen " + lastDay), newcomer.newButLegitimate());
        }
    }
}
