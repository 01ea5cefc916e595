package dev.tailor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.fixtures.TenantsWeek;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's archiving run reaches what it is for: on the week ./tailor writes for it (1 namespace, 2 services,
 * 7 days), generate proposes each kind of policy and impact writes its reports — so the archive holds the classes of
 * the generators and the evaluators, not only observe's.
 */
class ClassDataTrainingTest {

    @Test
    void theTrainingWeekProposesEveryKindOfPolicy(@TempDir Path tmp) throws Exception {
        Path week = tmp.resolve("week");
        TenantsWeek.write(week, 1, 2, 7, TenantsWeek.DEFAULT_SEED);

        assertEquals(TailorCli.OK, ClassDataTraining.run(week, tmp.resolve("work")));

        Path proposal = tmp.resolve("work/proposal");
        try (Stream<Path> files = Files.walk(proposal)) {
            var names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.contains("networkpolicy.yaml"), names.toString());
            assertTrue(names.contains("rbac.yaml"), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("seccomp-")), names.toString());
        }
        assertTrue(Files.isRegularFile(proposal.resolve("impact.html")));
    }
}
