package dev.tailor.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tree is written whole, its directories beside each other, or not at all. */
class OwnedTreeTest {

    @TempDir
    Path tmp;

    /** A cluster's shape: namespaces of workloads, a few files each, and files at the root. */
    private static Map<String, String> proposal(int namespaces, String version) {
        Map<String, String> files = new TreeMap<>();
        files.put("REPORT.md", "# report " + version + "\n");
        for (int n = 0; n < namespaces; n++) {
            for (int w = 0; w < 5; w++) {
                String dir = "tenant-" + n + "/deployment.svc-" + w + "/";
                files.put(dir + "role.yaml", "kind: Role # " + n + "." + w + " " + version + "\n");
                files.put(dir + "networkpolicy.yaml", "kind: NetworkPolicy # " + n + "." + w + "\n");
                files.put(dir + "seccomp-app.json", "{\"defaultAction\":\"SCMP_ACT_ERRNO\"}\n");
            }
        }
        return files;
    }

    private static Map<String, String> read(Path root) throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                found.put(root.relativize(f).toString(), Files.readString(f));
            }
        }
        return found;
    }

    @Test
    void everyFileIsWrittenWithItsContentAndListedInTheMarker() throws IOException {
        Path out = tmp.resolve("proposal");
        Map<String, String> files = proposal(40, "v1");

        OwnedTree.write(out, files);

        Map<String, String> found = read(out);
        found.remove(OwnedTree.MARKER);
        assertEquals(files, found);
        assertEquals(files.keySet(), OwnedTree.listed(out));
        try (Stream<Path> beside = Files.list(tmp)) {
            assertEquals(List.of(out), beside.toList(), "nothing left beside the tree");
        }
    }

    @Test
    void aFileThatCannotBeWrittenLeavesThePreviousTreeAsItWas() throws IOException {
        Path out = tmp.resolve("proposal");
        OwnedTree.write(out, proposal(10, "v1"));
        Map<String, String> before = read(out);

        // A file where another file's directory has to be: that directory cannot be made.
        Map<String, String> broken = proposal(40, "v2");
        broken.put("tenant-7/deployment.svc-2/role.yaml/extra.yaml", "kind: Role\n");

        IOException e = assertThrows(IOException.class, () -> OwnedTree.write(out, broken));

        assertTrue(e.getMessage().contains("tenant-7/deployment.svc-2/role.yaml"), e.getMessage());
        assertEquals(before, read(out), "the previous tree is untouched");
        try (Stream<Path> beside = Files.list(tmp)) {
            assertEquals(List.of(out), beside.toList(), "the half-written new tree is gone");
        }
        assertFalse(read(out).get("REPORT.md").contains("v2"));
    }

    /**
     * A file someone else put in the tree, named as a directory the new tree needs (or inside a name the new tree
     * gives a file), stops the write with both named: it is carried over, never deleted, and the two cannot both be.
     */
    @Test
    void aFileOfSomeoneElsesInTheNewTreesWayStopsTheWrite() throws IOException {
        Path out = tmp.resolve("proposal");
        OwnedTree.write(out, proposal(3, "v1"));
        Files.writeString(out.resolve("tenant-7"), "the team's notes\n"); // a namespace the next run adds
        Map<String, String> before = read(out);

        IOException e = assertThrows(IOException.class, () -> OwnedTree.write(out, proposal(10, "v2")));

        assertEquals(
                out.resolve("tenant-7") + " was not written by Tailor (not in .tailor-tree) and generated files need"
                        + " a directory of that name (tenant-7/deployment.svc-0/networkpolicy.yaml): move it away first",
                e.getMessage());
        assertEquals(before, read(out), "the previous tree is untouched");

        Files.delete(out.resolve("tenant-7"));
        Files.writeString(out.resolve("tenant-1/deployment.svc-1/role.yaml.orig"), "kept\n");
        Map<String, String> files = proposal(3, "v3");
        files.put("tenant-1/deployment.svc-1/role.yaml.orig/extra", "x\n");
        e = assertThrows(IOException.class, () -> OwnedTree.write(out, files));
        assertEquals(
                out.resolve("tenant-1/deployment.svc-1/role.yaml.orig") + " was not written by Tailor (not in"
                        + " .tailor-tree) and generated files need a directory of that name"
                        + " (tenant-1/deployment.svc-1/role.yaml.orig/extra): move it away first",
                e.getMessage());

        Map<String, String> inside = proposal(3, "v4");
        Files.createDirectories(out.resolve("tenant-2/deployment.svc-0/notes"));
        Files.writeString(out.resolve("tenant-2/deployment.svc-0/notes/today.md"), "kept\n");
        inside.put("tenant-2/deployment.svc-0/notes", "a file\n");
        e = assertThrows(IOException.class, () -> OwnedTree.write(out, inside));
        assertEquals(
                out.resolve("tenant-2/deployment.svc-0/notes/today.md") + " was not written by Tailor (not in"
                        + " .tailor-tree) and a generated file has the name of its directory"
                        + " (tenant-2/deployment.svc-0/notes): move it away first",
                e.getMessage());
    }
}
