package dev.tailor.observe.syscalls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailor.contract.Names;
import dev.tailor.identity.Workload;
import dev.tailor.observe.Keys;
import dev.tailor.observe.UnknownFormatException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads seccomp profiles other recorders wrote and turns the syscalls they allow into observations of the
 * workload's container they are for — an OCI seccomp profile (what {@code runc}/{@code crun} load, and what
 * Inspektor Gadget's {@code advise seccomp-profile} prints), or Security Profiles Operator {@code SeccompProfile}
 * objects (YAML or JSON, several documents allowed; Inspektor Gadget can write those too).
 *
 * <p>A profile does not say which workload it was recorded from, so it is given with its target:
 * {@code --profile NS/KIND.NAME/CONTAINER=FILE}. A {@code SeccompProfile} that carries the label
 * {@code tailor.dev/workload: KIND.NAME} and the annotation {@code tailor.dev/container} names its own target in
 * its namespace. Only the syscalls of rules whose action lets them run ({@code SCMP_ACT_ALLOW},
 * {@code SCMP_ACT_LOG}) count; a profile whose default action lets everything run says nothing about what the
 * container needs and is skipped with that reason. A rule's argument conditions are not kept: the syscall counts
 * as used.
 */
public final class SeccompProfileReader {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Set<String> RUNS = Set.of("SCMP_ACT_ALLOW", "SCMP_ACT_LOG");

    /** What a profile file gave: its records, and the profiles skipped with why. */
    public record Result(List<SyscallRecord> records, Map<String, Long> skipped, int profiles) {}

    /** A target as given on the command line: {@code NS/KIND.NAME/CONTAINER}. */
    public record Target(Workload workload, String container) {
        public static Target parse(String spec) {
            String[] parts = spec.split("/", -1);
            if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()) {
                throw new IllegalArgumentException("a profile's target is NAMESPACE/KIND.NAME/CONTAINER "
                        + "(e.g. shop/deployment.checkout/server), got " + spec);
            }
            return new Target(Workload.parse(parts[0], parts[1]), parts[2]);
        }
    }

    /**
     * Reads one file. {@code target} may be null for SeccompProfile objects that name their own; {@code fileTime}
     * dates the observations of a profile that carries no {@code creationTimestamp}.
     */
    public Result read(String name, byte[] content, Target target, Instant fileTime) throws UnknownFormatException {
        List<JsonNode> docs = documents(name, content);
        String digest = Keys.digest(content);
        List<SyscallRecord> records = new ArrayList<>();
        Map<String, Long> skipped = new TreeMap<>();
        for (int i = 0; i < docs.size(); i++) {
            String where = docs.size() == 1 ? name : name + " (document " + (i + 1) + ")";
            Located profile = locate(docs.get(i), where, name, target, fileTime);
            String defaultAction = profile.profile().path("defaultAction").asText("");
            if (RUNS.contains(defaultAction)) {
                skipped.merge(
                        "profiles that let every syscall run (defaultAction " + defaultAction + ")", 1L, Long::sum);
                continue;
            }
            records.addAll(allowed(profile, digest + ":" + i + ":"));
        }
        return new Result(records, skipped, docs.size());
    }

    /** The file's documents (one JSON, or YAML documents), empty ones left out. */
    private static List<JsonNode> documents(String name, byte[] content) throws UnknownFormatException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(content)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    docs.add(doc);
                }
            }
        } catch (IOException | RuntimeException e) {
            // The YAML parser reports a syntax error met while iterating as a RuntimeException around its own.
            Throwable cause = e instanceof RuntimeException && e.getCause() != null ? e.getCause() : e;
            throw new UnknownFormatException(name + ": not a seccomp profile (neither JSON nor YAML: "
                    + (cause instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage()) + ")");
        }
        if (docs.isEmpty()) {
            throw new UnknownFormatException(
                    name + ": empty; expected an OCI seccomp profile or SeccompProfile objects");
        }
        return docs;
    }

    /** A profile, whose container it is for, and since when. */
    private record Located(JsonNode profile, Target target, Instant time) {}

    /**
     * The profile in a document — an OCI profile, or a SeccompProfile object's spec — with the container it is for
     * (given, or named by the object's label and annotation) and its time (the object's creation, or the file's).
     */
    private static Located locate(JsonNode doc, String where, String name, Target target, Instant fileTime)
            throws UnknownFormatException {
        if (doc.has("defaultAction") && !doc.path("kind").asText("").equals("SeccompProfile")) {
            if (target == null) {
                throw new UnknownFormatException(where + ": an OCI seccomp profile does not say which workload it is "
                        + "for: give it as --profile NS/KIND.NAME/CONTAINER=" + name);
            }
            return new Located(doc, target, fileTime);
        }
        if (!doc.path("kind").asText("").equals("SeccompProfile")) {
            throw new UnknownFormatException(
                    where + ": not a seccomp profile (no defaultAction, not a SeccompProfile)");
        }
        JsonNode meta = doc.path("metadata");
        Target to = target;
        if (to == null) {
            String workload = meta.path("labels").path(Names.WORKLOAD).asText("");
            String container = meta.path("annotations").path(Names.CONTAINER).asText("");
            String ns = meta.path("namespace").asText("");
            if (workload.isEmpty() || container.isEmpty() || ns.isEmpty()) {
                throw new UnknownFormatException(
                        where + ": SeccompProfile " + meta.path("name").asText("")
                                + " does not say which workload it is for: give it as --profile NS/KIND.NAME/CONTAINER="
                                + name);
            }
            to = new Target(Workload.parse(ns, workload), container);
        }
        Instant time = fileTime;
        if (meta.hasNonNull("creationTimestamp")) {
            try {
                time = Instant.parse(meta.path("creationTimestamp").asText());
            } catch (DateTimeParseException e) {
                throw new UnknownFormatException(where + ": metadata.creationTimestamp is no RFC 3339 time");
            }
        }
        return new Located(doc.path("spec"), to, time);
    }

    /** A record per syscall the profile lets run, keyed by {@code keyPrefix}. */
    private static List<SyscallRecord> allowed(Located located, String keyPrefix) {
        JsonNode profile = located.profile();
        Target to = located.target();
        String architecture = architecture(profile.path("architectures").path(0).asText(""));
        Set<String> syscalls = new TreeSet<>();
        for (JsonNode rule : profile.path("syscalls")) {
            if (!RUNS.contains(rule.path("action").asText(""))) {
                continue;
            }
            rule.path("names").forEach(n -> syscalls.add(n.asText()));
            if (rule.hasNonNull("name")) {
                syscalls.add(rule.path("name").asText()); // the format before "names" (Docker's old profiles)
            }
        }
        List<SyscallRecord> records = new ArrayList<>();
        for (String syscall : syscalls) {
            int number = architecture.isEmpty()
                    ? -1
                    : SyscallTable.number(architecture, syscall).orElse(-1);
            records.add(new SyscallRecord(
                    keyPrefix + syscall,
                    located.time(),
                    0,
                    "",
                    architecture,
                    number,
                    syscall,
                    "profile",
                    to.workload().namespace(),
                    "",
                    to.container(),
                    to.workload()));
        }
        return records;
    }

    /** {@code SCMP_ARCH_X86_64} → {@code x86_64}, as the syscall tables name architectures; "" when none is given. */
    private static String architecture(String scmp) {
        return scmp.isEmpty()
                ? ""
                : SyscallTable.fromSeccomp(scmp)
                        .orElse(scmp.replaceFirst("^SCMP_ARCH_", "").toLowerCase(Locale.ROOT));
    }
}
