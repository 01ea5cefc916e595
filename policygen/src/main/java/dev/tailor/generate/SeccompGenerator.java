package dev.tailor.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.contract.Names;
import dev.tailor.identity.Workload;
import dev.tailor.observe.syscalls.SyscallUse;
import dev.tailor.seccomp.OciSeccompProfile;
import dev.tailor.store.ObservationStore.StoredAccess;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A seccomp profile per workload container: the observed syscalls plus what the container runtime itself calls
 * after loading the filter (per runtime and version, kept as data in {@code runtimes/}), everything else refused.
 * Written three ways: an OCI profile (JSON, as runc and crun load it), the same as a Security Profiles Operator
 * {@code SeccompProfile}, and the patch that makes the workload's pod template use it.
 *
 * <p>Refused calls fail with EPERM ({@code defaultErrnoRet: 1}), what a denied call means to a program. Syscalls
 * newer than many programs — which C libraries and runtimes try first and fall back from when the kernel says it
 * does not have them — fail with ENOSYS (38) instead, unless observed: answering EPERM to {@code clone3} makes
 * glibc give up instead of falling back to {@code clone}.
 *
 * <p>Records whose action shows the current profile already refused the call (errno, kill, trap) are not allowed;
 * they are listed.
 */
final class SeccompGenerator {

    /** Syscalls callers probe and fall back from on ENOSYS. */
    static final List<String> FALLBACK = List.of(
            "clone3",
            "close_range",
            "epoll_pwait2",
            "faccessat2",
            "fchmodat2",
            "futex_waitv",
            "openat2",
            "pidfd_open",
            "pidfd_send_signal",
            "statx");

    private static final Set<String> REFUSED = Set.of("errno", "kill_process", "kill_thread", "trap");
    private static final Map<String, String> SCMP_ARCH = Map.of(
            "x86_64",
            "SCMP_ARCH_X86_64",
            "aarch64",
            "SCMP_ARCH_AARCH64",
            "i386",
            "SCMP_ARCH_X86",
            "arm",
            "SCMP_ARCH_ARM",
            "ppc64le",
            "SCMP_ARCH_PPC64LE",
            "s390x",
            "SCMP_ARCH_S390X",
            "riscv64",
            "SCMP_ARCH_RISCV64");

    record Options(String runtime, String defaultArchitecture) {}

    private final Options options;
    private final Set<String> runtimeSyscalls;

    SeccompGenerator(Options options) {
        this.options = options;
        this.runtimeSyscalls = runtimeSyscalls(options.runtime());
    }

    /** The syscalls a runtime's base profile allows ({@code runtimes/<runtime>.yaml}). */
    static Set<String> runtimeSyscalls(String runtime) {
        try (InputStream in = SeccompGenerator.class.getResourceAsStream("runtimes/" + runtime + ".yaml")) {
            if (in == null) {
                throw new IllegalArgumentException("no start-up syscalls known for runtime " + runtime
                        + " (known: runc-v1.4.2, crun-v1.26; add its base profile under runtimes/)");
            }
            JsonNode profile = new YAMLMapper().readTree(in);
            Set<String> names = new TreeSet<>();
            for (JsonNode rule : profile.path("spec").path("syscalls")) {
                if (rule.path("action").asText().equals("SCMP_ACT_ALLOW")) {
                    rule.path("names").forEach(n -> names.add(n.asText()));
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void generate(Observations obs, Map<Workload, LearningState> states, Generated out) {
        byContainer(obs).forEach((w, containers) -> {
            LearningState state = states.get(w);
            if (state == null || !state.proposed()) {
                return;
            }
            List<Container> patchContainers = new ArrayList<>();
            List<Container> patchInitContainers = new ArrayList<>();
            containers.forEach((container, uses) -> {
                String id = Observations.containerId(w.namespace(), w.key(), container);
                if (obs.ephemeralContainers.contains(id)) {
                    // kubectl debug's: not the pod template's, so nothing to propose (a patch naming it would add a
                    // container without an image to the template, and a profile for it confine the next debugger).
                    out.note("Seccomp: " + w, "ephemeral container " + container + " (kubectl debug): not proposed");
                    return;
                }
                Used used = used(uses, container, "Seccomp: " + w, out);
                if (!used.observed().isEmpty()) {
                    String name = container(obs, w, container, used, out);
                    // Where the Security Profiles Operator installs a SeccompProfile on each node; an init container
                    // is patched where the pod template has it (a name under containers would add a container).
                    boolean init = obs.initContainers.contains(id);
                    if (init && obs.workloadContainers.contains(id)) {
                        // One pod has it as an init container, another as a container: a template that moved it (a
                        // native sidecar) or a pod made to look like the workload's. Either place may add a
                        // container to the template; the profile stands, the patch leaves it to the reviewer.
                        out.note(
                                "Seccomp: " + w,
                                "container " + container + " is an init container in some of its pods and a container"
                                        + " in others: its profile is proposed, the patch leaves it out (set its"
                                        + " seccompProfile where the pod template has it)");
                        return;
                    }
                    (init ? patchInitContainers : patchContainers)
                            .add(new ContainerBuilder()
                                    .withName(container)
                                    .withNewSecurityContext()
                                    .withNewSeccompProfile()
                                    .withType("Localhost")
                                    .withLocalhostProfile("operator/" + w.namespace() + "/" + name + ".json")
                                    .endSeccompProfile()
                                    .endSecurityContext()
                                    .build());
                }
            });
            if (!patchContainers.isEmpty() || !patchInitContainers.isEmpty()) {
                out.yaml(
                        Manifests.dir(w) + "/seccomp-patch.yaml",
                        List.of(patch(w, patchInitContainers, patchContainers)));
            }
        });
    }

    /** The syscalls observed by workload and container (those attributed to both). */
    private static Map<Workload, Map<String, Map<SyscallUse, StoredAccess>>> byContainer(Observations obs) {
        Map<Workload, Map<String, Map<SyscallUse, StoredAccess>>> byContainer = new TreeMap<>();
        obs.syscalls.forEach((u, s) -> {
            if (!u.workload().isEmpty() && !u.container().isEmpty()) {
                byContainer
                        .computeIfAbsent(Workload.parse(u.namespace(), u.workload()), k -> new TreeMap<>())
                        .computeIfAbsent(u.container(), k -> new TreeMap<>())
                        .put(u, s);
            }
        });
        return byContainer;
    }

    /** What a container was seen to use, over which window, in how many records. */
    private record Used(Set<String> observed, Set<String> architectures, Instant from, Instant until, long records) {}

    /** A container's syscalls that ran (those the current profile refused are noted, not allowed). */
    private Used used(Map<SyscallUse, StoredAccess> uses, String container, String section, Generated out) {
        Set<String> observed = new TreeSet<>();
        Set<String> architectures = new TreeSet<>();
        Instant from = null;
        Instant until = null;
        long records = 0;
        for (var e : uses.entrySet()) {
            SyscallUse u = e.getKey();
            if (REFUSED.contains(u.action())) {
                out.note(
                        section,
                        "refused by the current profile, not allowed: " + u.syscall() + " in " + container + " ("
                                + e.getValue().count() + " times, action " + u.action() + ")");
                continue;
            }
            observed.add(u.syscall());
            architectures.add(u.architecture().isEmpty() ? options.defaultArchitecture() : u.architecture());
            from = from == null || e.getValue().firstSeen().isBefore(from)
                    ? e.getValue().firstSeen()
                    : from;
            until = until == null || e.getValue().lastSeen().isAfter(until)
                    ? e.getValue().lastSeen()
                    : until;
            records += e.getValue().count();
        }
        return new Used(observed, architectures, from, until, records);
    }

    /** A container's profile, as a file and as a SeccompProfile object; returns the profile's name. */
    private String container(Observations obs, Workload w, String container, Used used, Generated out) {
        Set<String> allowed = new TreeSet<>(used.observed());
        allowed.addAll(runtimeSyscalls);
        List<String> fallback =
                FALLBACK.stream().filter(s -> !allowed.contains(s)).toList();
        String name = w.name() + "-" + container;
        String evidence = used.observed().size() + " syscalls in " + used.records() + " records of container "
                + container + ", plus " + (allowed.size() - used.observed().size()) + " that " + options.runtime()
                + " needs to start it";
        OciSeccompProfile profile = profile(used.architectures(), allowed, fallback);
        out.json(Manifests.dir(w) + "/seccomp-" + container + ".json", profile);
        GenericKubernetesResource cr = new GenericKubernetesResourceBuilder()
                .withApiVersion("security-profiles-operator.x-k8s.io/v1beta1")
                .withKind("SeccompProfile")
                .withMetadata(new ObjectMetaBuilder(
                                Manifests.metadata(name, w.namespace(), w.key(), used.from(), used.until(), evidence))
                        .addToAnnotations(Names.CONTAINER, container) // which container the webhook approves it for
                        .build())
                .build();
        cr.setAdditionalProperty("spec", profile);
        out.yaml(
                Manifests.dir(w) + "/seccompprofile-" + container + ".yaml",
                List.of(Manifests.withServiceAccount(cr, obs, w)));
        return name;
    }

    private OciSeccompProfile profile(Set<String> architectures, Set<String> allowed, List<String> fallback) {
        List<OciSeccompProfile.Rule> rules = new ArrayList<>();
        rules.add(OciSeccompProfile.Rule.of(List.copyOf(allowed), "SCMP_ACT_ALLOW", null));
        if (!fallback.isEmpty()) {
            rules.add(OciSeccompProfile.Rule.of(fallback, "SCMP_ACT_ERRNO", 38));
        }
        return new OciSeccompProfile(
                "SCMP_ACT_ERRNO",
                1,
                architectures.stream()
                        .map(a -> SCMP_ARCH.getOrDefault(a, "SCMP_ARCH_" + a.toUpperCase(Locale.ROOT)))
                        .toList(),
                null,
                rules);
    }

    /** A strategic-merge patch of the workload's pod template (containers merge by name). */
    private static GenericKubernetesResource patch(
            Workload w, List<Container> initContainers, List<Container> containers) {
        String apiVersion = switch (w.kind()) {
            case "CronJob", "Job" -> "batch/v1";
            case "Pod" -> "v1";
            default -> "apps/v1";
        };
        PodSpecBuilder builder = new PodSpecBuilder().withContainers(containers);
        if (!initContainers.isEmpty()) {
            builder.withInitContainers(initContainers);
        }
        PodSpec podSpec = builder.build();
        Object spec = switch (w.kind()) {
            case "Pod" -> podSpec;
            case "CronJob" -> Map.of("jobTemplate", Map.of("spec", Map.of("template", Map.of("spec", podSpec))));
            default -> Map.of("template", Map.of("spec", podSpec));
        };
        GenericKubernetesResource patch = new GenericKubernetesResourceBuilder()
                .withApiVersion(apiVersion)
                .withKind(w.kind())
                .withMetadata(new ObjectMetaBuilder()
                        .withName(w.name())
                        .withNamespace(w.namespace())
                        .build())
                .build();
        patch.setAdditionalProperty("spec", spec);
        return patch;
    }
}
