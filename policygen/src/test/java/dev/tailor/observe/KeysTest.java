package dev.tailor.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A flow's key is what the store remembers it by: if it changed between versions, re-reading a file would count its
 * flows again. So it is pinned to a value computed by another implementation of MurmurHash3 x64 128 (Python's
 * {@code mmh3.hash128(text, 0, True, False)}, its two 64-bit halves big-endian, base64url).
 */
class KeysTest {

    private static final byte[] FLOW = "{\"time\":\"2026-11-16T00:00:00Z\",\"verdict\":\"FORWARDED\"}"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void aFlowsKeyIsTheMurmurHash3OfItsTextAsAnotherImplementationComputesIt() {
        assertEquals("prXIH-lBYcdxkQAtbFR4AQ", Keys.hash(FLOW, 0, FLOW.length));
    }

    @Test
    void theKeyIsOfTheSliceOnly() {
        byte[] line = new byte[FLOW.length + 20];
        System.arraycopy(FLOW, 0, line, 7, FLOW.length);
        assertEquals(Keys.hash(FLOW, 0, FLOW.length), Keys.hash(line, 7, FLOW.length));
        assertNotEquals(Keys.hash(FLOW, 0, FLOW.length), Keys.hash(line, 6, FLOW.length));
    }
}
