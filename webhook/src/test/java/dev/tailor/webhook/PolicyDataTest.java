package dev.tailor.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Exempt subjects as configured become the policies' subjects; a malformed one is refused with a clear message. */
class PolicyDataTest {

    @Test
    void subjectsOfEachKind() {
        assertEquals(
                "{\"kind\":\"User\",\"name\":\"system:apiserver\"}",
                PolicyData.parseSubject("User:system:apiserver").toString());
        assertEquals(
                "{\"kind\":\"Group\",\"name\":\"ops\"}",
                PolicyData.parseSubject("Group:ops").toString());
        assertEquals(
                "{\"kind\":\"ServiceAccount\",\"namespace\":\"argocd\",\"name\":\"argocd-server\"}",
                PolicyData.parseSubject("ServiceAccount:argocd:argocd-server").toString());
    }

    @Test
    void malformedSubjectsAreRefused() {
        for (String bad : new String[] {"alice", "Robot:x", "ServiceAccount:argocd", "ServiceAccount::x", "User:"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> PolicyData.parseSubject(bad), bad);
            assertTrue(e.getMessage().startsWith("tailor.rbac.exempt-subjects: \"" + bad + "\""), e.getMessage());
        }
    }
}
