package dev.tailor.seccomp;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A seccomp profile as runc and crun load it (the runtime spec's {@code linux.seccomp}, with Moby's
 * {@code archMap} and per-rule {@code includes}/{@code excludes}): what {@code tailor generate} writes and what the
 * impact preview evaluates, the runtime's default included. Fields a profile leaves out are null; fields Tailor does
 * not read (argument filters, flags, listener settings) are ignored.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OciSeccompProfile(
        String defaultAction,
        Integer defaultErrnoRet,
        List<String> architectures,
        List<ArchMap> archMap,
        List<Rule> syscalls) {

    /** A native architecture and the sub-architectures a profile for it also covers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ArchMap(String architecture, List<String> subArchitectures) {}

    /** What happens to the syscalls it names ({@code name} is the older single-name form). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Rule(
            List<String> names, String name, String action, Integer errnoRet, Filter includes, Filter excludes) {

        /** A rule for these syscalls, nothing else set. */
        public static Rule of(List<String> names, String action, Integer errnoRet) {
            return new Rule(names, null, action, errnoRet, null, null);
        }
    }

    /** Moby's conditions on a rule: the capabilities a container must add, the architectures it applies to. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Filter(List<String> caps, List<String> arches) {}
}
