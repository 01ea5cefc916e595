package dev.tailor.impact;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Seccomp semantics, case by case, and the runtime default (Moby's profile) on calls everyone knows. */
class SeccompEvaluatorTest {

    private static SeccompEvaluator profile(String json) throws Exception {
        return new SeccompEvaluator(new ObjectMapper().readValue(json, dev.tailor.seccomp.OciSeccompProfile.class));
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
