package dev.tailor.observe.syscalls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.observe.UnknownFormatException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContainerMapTest {

    private static final String INSPECTED = "{\"status\":{\"startedAt\":\"2026-11-16T08:00:00.123456789Z\",\"labels\":{"
            + "\"io.kubernetes.pod.namespace\":\"shop\",\"io.kubernetes.pod.name\":\"cart-7d4b9c6f8-x2x8z\","
            + "\"io.kubernetes.container.name\":\"server\"}},\"info\":{\"pid\":4242}}";

    private static ContainerMap read(String text) throws Exception {
        ContainerMap map = new ContainerMap();
        map.read("crictl.json", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        return map;
    }

    /** Bad input is an UnknownFormatException naming the file and the document, never a parser's own exception. */
    @Test
    void whatIsNotCrictlInspectOutputIsNamedWithTheDocument() throws Exception {
        assertEquals(
                2, read(INSPECTED + "\n" + INSPECTED.replace("4242", "4343")).size());
        UnknownFormatException cut =
                assertThrows(UnknownFormatException.class, () -> read(INSPECTED + "\n{\"status\": "));
        assertTrue(
                cut.getMessage().startsWith("crictl.json: not `crictl inspect` JSON after document 1: "),
                cut.getMessage());
        UnknownFormatException noPid = assertThrows(
                UnknownFormatException.class, () -> read(INSPECTED + INSPECTED.replace("\"pid\":4242", "\"pid\":0")));
        assertTrue(noPid.getMessage().startsWith("crictl.json: document 2 is not a container"), noPid.getMessage());
        UnknownFormatException badTime = assertThrows(
                UnknownFormatException.class,
                () -> read(INSPECTED.replace("2026-11-16T08:00:00.123456789Z", "yesterday")));
        assertEquals("crictl.json: document 1: status.startedAt is no RFC 3339 time", badTime.getMessage());
    }
}
