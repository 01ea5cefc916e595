package dev.tailor.impact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.generate.Generated;
import dev.tailor.kube.Documents;
import dev.tailor.kube.KubeObjects;
import dev.tailor.kube.LabelSelector;
import dev.tailor.rbac.RbacAuthorizer;
import dev.tailor.seccomp.OciSeccompProfile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A set of policies as the evaluators need them: RBAC objects, NetworkPolicies, namespaces' labels and seccomp
 * profiles by {@code namespace/kind.name/container}. Read from a tree of YAML and JSON files — what
 * {@code tailor generate} writes, or a dump of the cluster ({@code kubectl get … -A -o yaml}).
 */
public final class PolicySet {

    private static final ObjectMapper PROFILES = new ObjectMapper();
    /** Where the Security Profiles Operator installs a SeccompProfile, as a pod's {@code localhostProfile} names it. */
    private static final java.util.regex.Pattern OPERATOR_PROFILE =
            java.util.regex.Pattern.compile("operator/([^/]+)/([^/]+)\\.json");

    final List<HasMetadata> rbacObjects = new ArrayList<>();
    final List<NetworkPolicy> networkPolicies = new ArrayList<>();
    final Map<String, Map<String, String>> namespaceLabels = new TreeMap<>();
    /** {@code namespace/kind.name/container} → OCI profile. */
    final java.util.NavigableMap<String, OciSeccompProfile> seccomp = new TreeMap<>();
    /**
     * Profiles read from files, by the same key, until {@link #settle()}: the OCI JSON and the Security Profiles
     * Operator's SeccompProfile beside it (the one the pod template's patch makes the pod run).
     */
    private final Map<String, Sourced> ociFiles = new TreeMap<>();

    private final Map<String, Sourced> operatorFiles = new TreeMap<>();
    /** Every SeccompProfile read, by {@code namespace/name}: what a pod template's {@code localhostProfile} names. */
    private final Map<String, Sourced> operatorByName = new TreeMap<>();
    /** What each {@code seccomp-patch.yaml} makes a container run, by {@code namespace/kind.name/container}. */
    private final Map<String, Patched> patched = new TreeMap<>();
    /**
     * Containers whose profile the proposal does not show, by the same key, and why: their patch makes them run a
     * profile from the nodes' disks, or none that it sets. Their syscalls are not judged (the preview is never clean).
     */
    final Map<String, String> unjudged = new TreeMap<>();

    /** A profile and the file it is in. */
    private record Sourced(OciSeccompProfile profile, String path) {}

    /** What a patch gives a container: the seccomp type ("" when it sets none) and, for Localhost, the file. */
    private record Patched(String path, String type, String localhostProfile) {}

    public static PolicySet empty() {
        return new PolicySet();
    }

    /**
     * Every file under {@code root} (a directory or one file). The files are read beside each other (SnakeYAML is
     * most of the time) and taken in their sorted order: the same set, and the same first error, as one by one.
     */
    public static PolicySet read(Path root) throws IOException {
        boolean tree = Files.isDirectory(root);
        List<Path> files;
        if (tree) {
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
                        .sorted()
                        .toList();
            }
        } else {
            files = List.of(root);
        }
        List<FileRead> read = files.parallelStream()
                .map(f -> FileRead.of(
                        f,
                        tree
                                ? root.relativize(f).toString().replace('\\', '/')
                                : f.getFileName().toString()))
                .toList();
        PolicySet set = new PolicySet();
        for (FileRead r : read) {
            if (r.error() != null) {
                throw r.error();
            }
            set.rbacObjects.addAll(r.set().rbacObjects);
            set.networkPolicies.addAll(r.set().networkPolicies);
            set.namespaceLabels.putAll(r.set().namespaceLabels);
            set.ociFiles.putAll(r.set().ociFiles);
            set.operatorFiles.putAll(r.set().operatorFiles);
            set.operatorByName.putAll(r.set().operatorByName);
            set.patched.putAll(r.set().patched);
        }
        set.settle();
        return set;
    }

    /** One file's policies, or why it cannot be read. */
    private record FileRead(PolicySet set, IOException error) {
        static FileRead of(Path f, String rel) {
            PolicySet set = new PolicySet();
            try {
                List<JsonNode> docs = Documents.read(f);
                for (int i = 0; i < docs.size(); i++) {
                    try {
                        set.add(docs.get(i), rel);
                    } catch (IllegalArgumentException e) {
                        throw new IOException(f + ": document " + (i + 1) + ": " + e.getMessage(), e);
                    }
                }
            } catch (IOException e) {
                return new FileRead(null, e);
            }
            return new FileRead(set, null);
        }
    }

    /** Policies given as objects (from the Kubernetes API). */
    public static PolicySet of(List<? extends HasMetadata> objects) {
        PolicySet set = new PolicySet();
        objects.forEach(set::add);
        return set;
    }

    /** Policies given as documents ({@code kubectl get -o json} output, manifests). */
    public static PolicySet parsed(List<JsonNode> documents) {
        PolicySet set = new PolicySet();
        documents.forEach(d -> set.add(d, ""));
        return set;
    }

    /** The policies of a generation in this process, as objects: nothing written, nothing parsed. */
    public static PolicySet of(Generated generated) {
        PolicySet set = new PolicySet();
        generated.forEachObject((path, o) -> {
            if (o instanceof HasMetadata object) {
                set.add(object);
            } else if (o instanceof OciSeccompProfile profile) {
                String key = profileKey(path, "seccomp-", ".json");
                if (key != null) {
                    set.seccomp.put(key, profile);
                }
            }
        });
        return set;
    }

    /** Adds policies read from generated text (file path → content), as {@code tailor generate} returns them. */
    public static PolicySet of(Map<String, String> files) throws IOException {
        PolicySet set = new PolicySet();
        for (var e : files.entrySet()) {
            if (!e.getKey().matches(".*\\.(ya?ml|json)$")) {
                continue;
            }
            ObjectMapper mapper = e.getKey().endsWith(".json") ? new ObjectMapper() : new YAMLMapper();
            try (var it = mapper.readerFor(JsonNode.class).<JsonNode>readValues(e.getValue())) {
                while (it.hasNext()) {
                    try {
                        set.add(it.next(), e.getKey());
                    } catch (IllegalArgumentException bad) {
                        throw new IOException(e.getKey() + ": " + bad.getMessage(), bad);
                    }
                }
            }
        }
        set.settle();
        return set;
    }

    /** Adds a document's objects: Lists opened, the kinds Tailor evaluates typed, OCI profiles by their path. */
    private void add(JsonNode document, String path) {
        for (JsonNode d : KubeObjects.items(document)) {
            if (KubeObjects.evaluated(d)) {
                add(KubeObjects.typed(d));
            } else {
                addOther(d, path);
            }
        }
    }

    private void add(HasMetadata object) {
        if (object instanceof NetworkPolicy p) {
            networkPolicies.add(p);
        } else if (object instanceof Namespace n && n.getMetadata().getName() != null) {
            namespaceLabels.put(n.getMetadata().getName(), LabelSelector.labels(n));
        } else if (object instanceof Role
                || object instanceof ClusterRole
                || object instanceof RoleBinding
                || object instanceof ClusterRoleBinding) {
            rbacObjects.add(object);
        }
    }

    private void addOther(JsonNode d, String path) {
        String kind = d.path("kind").asText("");
        if (kind.equals("SeccompProfile")) {
            JsonNode spec = d.path("spec");
            if (spec.hasNonNull("baseProfileName")) {
                throw new IllegalArgumentException("SeccompProfile " + path + " names a baseProfileName ("
                        + spec.get("baseProfileName").asText()
                        + "): what it allows is not in the file, so impact cannot judge it");
            }
            Sourced profile = new Sourced(profile(spec, path), path);
            operatorByName.put(
                    d.path("metadata").path("namespace").asText("") + "/"
                            + d.path("metadata").path("name").asText(""),
                    profile);
            String key = profileKey(path, "seccompprofile-", ".yaml");
            if (key != null) {
                operatorFiles.put(key, profile);
            }
            return;
        }
        if (path.matches("[^/]+/[^/]+/seccomp-patch\\.yaml")) {
            String workload = path.substring(0, path.lastIndexOf('/') + 1);
            JsonNode pod = switch (kind) {
                case "Pod" -> d.path("spec");
                case "CronJob" ->
                    d.path("spec")
                            .path("jobTemplate")
                            .path("spec")
                            .path("template")
                            .path("spec");
                default -> d.path("spec").path("template").path("spec");
            };
            JsonNode podLevel = pod.path("securityContext").path("seccompProfile");
            for (String field : List.of("initContainers", "containers")) {
                for (JsonNode c : pod.path(field)) {
                    JsonNode own = c.path("securityContext").path("seccompProfile");
                    JsonNode seccomp = own.isMissingNode() ? podLevel : own;
                    patched.put(
                            workload + c.path("name").asText(""),
                            new Patched(
                                    path,
                                    seccomp.path("type").asText(""),
                                    seccomp.path("localhostProfile").asText("")));
                }
            }
            return;
        }
        String key = profileKey(path, "seccomp-", ".json");
        if (d.has("defaultAction") && key != null) {
            ociFiles.put(key, new Sourced(profile(d, path), path));
        }
    }

    /**
     * Puts the profiles read into {@link #seccomp}: for a container, what its workload's {@code seccomp-patch.yaml}
     * makes it run — the SeccompProfile it names (the Security Profiles Operator installs it at
     * {@code operator/<namespace>/<name>.json}; one the proposal does not hold is an error, its pods would not start),
     * the runtime's default, or no profile at all (Unconfined) — else the SeccompProfile beside it, else the OCI JSON.
     * Where the patch runs the SeccompProfile and the OCI JSON is there too, the two must let the same syscalls run: a
     * reviewer who edits one of them is told so, instead of a preview of the one that will not run. A container the
     * patch gives a profile from the nodes' disks, or none, is {@link #unjudged}: the proposal does not show what it
     * runs.
     */
    private void settle() throws IOException {
        Map<String, Sourced> runs = new TreeMap<>(operatorFiles);
        Map<String, OciSeccompProfile> chosen = new TreeMap<>(); // RuntimeDefault and Unconfined, by the patch
        for (var e : patched.entrySet()) {
            Patched p = e.getValue();
            String container = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            String runsWhat = p.path() + " makes container " + container + " run ";
            switch (p.type()) {
                case "Localhost" -> {
                    java.util.regex.Matcher m = OPERATOR_PROFILE.matcher(p.localhostProfile());
                    if (!m.matches()) {
                        unjudged.put(
                                e.getKey(),
                                runsWhat + p.localhostProfile()
                                        + " from the nodes' disks, which the proposal does not hold");
                        continue;
                    }
                    Sourced profile = operatorByName.get(m.group(1) + "/" + m.group(2));
                    if (profile == null) {
                        // One of that name without metadata.namespace is made in whatever namespace it is applied
                        // to (the generated tree has no kustomization to set one): not necessarily the pods'.
                        Sourced unplaced = operatorByName.get("/" + m.group(2));
                        throw new IOException(runsWhat + p.localhostProfile()
                                + ", but the proposal holds no SeccompProfile " + m.group(1) + "/" + m.group(2)
                                + (unplaced == null
                                        ? ""
                                        : " (" + unplaced.path() + " has no metadata.namespace: it is made in"
                                                + " whatever namespace it is applied to — give it namespace: "
                                                + m.group(1) + ")")
                                + " — its pods would not start");
                    }
                    runs.put(e.getKey(), profile);
                }
                case "RuntimeDefault" -> chosen.put(e.getKey(), SeccompEvaluator.runtimeDefaultProfile());
                case "Unconfined" -> chosen.put(e.getKey(), UNCONFINED);
                default ->
                    unjudged.put(
                            e.getKey(),
                            p.path()
                                    + (p.type().isEmpty()
                                            ? " sets no seccomp profile for container " + container
                                                    + ": it runs what the workload's own template says (in an"
                                                    + " enforced namespace, a pod that sets none gets the approved"
                                                    + " one)"
                                            : " gives container " + container + " the seccomp type " + p.type()
                                                    + ", which impact does not know"));
            }
        }
        // The files beside a container the patch runs otherwise are not what it runs: not compared.
        runs.keySet().removeAll(chosen.keySet());
        runs.keySet().removeAll(unjudged.keySet());
        for (var e : ociFiles.entrySet()) {
            Sourced operator = runs.get(e.getKey());
            if (operator != null) {
                String oci = e.getValue().path();
                List<String> differ =
                        SeccompEvaluator.differences(e.getValue().profile(), operator.profile(), 5).stream()
                                .map(d -> d.syscall() + " on " + d.architecture() + " runs under "
                                        + (d.runsUnderFirst() ? oci : operator.path()) + " only")
                                .toList();
                if (!differ.isEmpty()) {
                    throw new IOException(oci + " and " + operator.path()
                            + " are one container's profile but differ in what they let run: "
                            + String.join("; ", differ)
                            + " — make them the same (the pod template's patch runs the SeccompProfile)");
                }
            }
            seccomp.put(e.getKey(), e.getValue().profile());
        }
        runs.forEach((key, operator) -> seccomp.put(key, operator.profile()));
        seccomp.putAll(chosen);
        seccomp.keySet().removeAll(unjudged.keySet());
        ociFiles.clear();
        operatorFiles.clear();
        operatorByName.clear();
        patched.clear();
    }

    /** What {@code Unconfined} runs a container with: no filter, every syscall allowed. */
    private static final OciSeccompProfile UNCONFINED =
            new OciSeccompProfile("SCMP_ACT_ALLOW", null, null, null, List.of());

    /** The key of a profile at {@code <ns>/<kind.name>/<prefix><container><suffix>}; null for another path. */
    private static String profileKey(String path, String prefix, String suffix) {
        String[] parts = path.split("/", -1);
        if (parts.length != 3
                || parts[0].isEmpty()
                || parts[1].isEmpty()
                || !parts[2].startsWith(prefix)
                || !parts[2].endsWith(suffix)
                || parts[2].length() == prefix.length() + suffix.length()) {
            return null;
        }
        return parts[0] + "/" + parts[1] + "/"
                + parts[2].substring(prefix.length(), parts[2].length() - suffix.length());
    }

    private static OciSeccompProfile profile(JsonNode d, String path) {
        try {
            return PROFILES.convertValue(d, OciSeccompProfile.class);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage() == null
                    ? ""
                    : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException("seccomp profile " + path + " is not a valid profile: " + why, e);
        }
    }

    /** This set and another together. */
    public PolicySet with(PolicySet other) {
        PolicySet both = new PolicySet();
        for (PolicySet s : List.of(this, other)) {
            both.rbacObjects.addAll(s.rbacObjects);
            both.networkPolicies.addAll(s.networkPolicies);
            both.namespaceLabels.putAll(s.namespaceLabels);
            both.seccomp.putAll(s.seccomp);
            both.unjudged.putAll(s.unjudged);
        }
        return both;
    }

    /** This set's RBAC plus {@code others}. */
    RbacAuthorizer rbac(List<? extends HasMetadata> others) {
        RbacAuthorizer a = new RbacAuthorizer();
        others.forEach(a::add);
        rbacObjects.forEach(a::add);
        return a;
    }

    public boolean hasRbac() {
        return !rbacObjects.isEmpty();
    }
}
