package dev.tailor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tailor.seccomp.OciSeccompProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seccomp semantics, case by case, and the runtime default (Moby's profile) on calls everyone knows. */
class SeccompEvaluatorTest {

    private static SeccompEvaluator profile(String json) throws Exception {
        return new SeccompEvaluator(oci(json));
    }

    private static OciSeccompProfile oci(String json) throws Exception {
        return new ObjectMapper().readValue(json, OciSeccompProfile.class);
    }

    @Test
    void twoProfilesDifferOnlyInWhatTheyLetRun() throws Exception {
        OciSeccompProfile generated =
                oci("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                        + " \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        OciSeccompProfile rewritten = oci(
                "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                        + " \"syscalls\": [{\"names\": [\"write\"], \"action\": \"SCMP_ACT_LOG\"},"
                        + " {\"name\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
        assertEquals(List.of(), SeccompEvaluator.differences(generated, rewritten, 5), "the same syscalls run");
        OciSeccompProfile wider = oci("{\"defaultAction\": \"SCMP_ACT_ERRNO\","
                + " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_AARCH64\"],"
                + " \"syscalls\": [{\"names\": [\"read\", \"write\", \"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        assertEquals(
                List.of(
                        new SeccompEvaluator.Difference("ptrace", "aarch64", false),
                        new SeccompEvaluator.Difference("read", "aarch64", false),
                        new SeccompEvaluator.Difference("write", "aarch64", false),
                        new SeccompEvaluator.Difference("ptrace", "x86_64", false)),
                SeccompEvaluator.differences(generated, wider, 5),
                "aarch64 listed by one only; ptrace allowed by one only");
        assertEquals(2, SeccompEvaluator.differences(wider, generated, 2).size(), "at most the limit");
        assertTrue(SeccompEvaluator.differences(wider, generated, 5).get(0).runsUnderFirst());
    }

    @Test
    void defaultActionRulesAndArchitectures() throws Exception {
        SeccompEvaluator p =
                profile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_64\"],"
                        + " \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                        + " {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},"
                        + " {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_LOG\"}]}");
        assertTrue(p.allows("read", "x86_64"));
        assertFalse(p.allows("mount", "x86_64"), "the default action");
        assertFalse(p.allows("clone3", "x86_64"), "ENOSYS is still a refusal");
        assertTrue(p.allows("ptrace", "x86_64"), "LOG lets it run");
        assertFalse(p.allows("read", "aarch64"), "an architecture the profile does not list");
        assertTrue(p.allows("read", ""), "no architecture named: judged by the rules");
        SeccompEvaluator complain =
                profile("{\"defaultAction\": \"SCMP_ACT_LOG\", \"architectures\": [\"SCMP_ARCH_X86_64\"]}");
        assertTrue(
                complain.allows("mount", "aarch64"), "a default that lets everything run does so on any architecture");
    }

    @Test
    void theRuntimeDefaultAllowsTheUsualAndRefusesTheDangerous() {
        SeccompEvaluator d = SeccompEvaluator.runtimeDefault();
        for (String s : new String[] {"read", "write", "openat", "futex", "epoll_wait", "clone", "execve"}) {
            assertTrue(d.allows(s, "x86_64"), s);
        }
        assertFalse(d.allows("mount", "x86_64"), "needs CAP_SYS_ADMIN: not for an unprivileged container");
        assertFalse(d.allows("kexec_load", "x86_64"));
        assertFalse(d.allows("clone3", "x86_64"), "Moby answers ENOSYS so that glibc falls back to clone");
        assertTrue(d.allows("ptrace", "x86_64"), "allowed on kernels from 4.8");
        assertFalse(d.allows("sync_file_range2", "x86_64"), "a rule for ppc64le and arm only");
    }
}
