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

    private static final byte[] FLOW =
            "{\"time\":\"2026-11-16T00:00:00Z\",\"verdict\":\"FORWARDED\"}".getBytes(StandardCharsets.UTF_8);

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

    @Test
    void theKeyIsTheHashsBytesInBase64url() {
        byte[] bytes = new byte[700];
        new java.util.Random(17).nextBytes(bytes);
        for (int length = 0; length <= 700; length += 3) {
            long[] hash = Keys.murmur3(bytes, 0, length);
            byte[] raw = java.nio.ByteBuffer.allocate(16)
                    .putLong(hash[0])
                    .putLong(hash[1])
                    .array();
            assertEquals(
                    java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw), Keys.hash(bytes, 0, length));
        }
    }

    @Test
    void aFlowsFingerprintIsTheFingerprintOfItsKey() {
        byte[] bytes = new byte[2048];
        new java.util.Random(11).nextBytes(bytes);
        long[] direct = new long[4];
        long[] viaKey = new long[2];
        for (int length = 0; length <= 2000; length += 7) {
            Keys.fingerprintOfHash(bytes, 3, length, direct, 2);
            Keys.fingerprint(Keys.hash(bytes, 3, length), viaKey, 0);
            assertEquals(viaKey[0], direct[2], "length " + length);
            assertEquals(viaKey[1], direct[3], "length " + length);
        }
        Keys.fingerprintOfHash(FLOW, 0, FLOW.length, direct, 0);
        Keys.fingerprint("prXIH-lBYcdxkQAtbFR4AQ", viaKey, 0);
        assertEquals(viaKey[0], direct[0]);
        assertEquals(viaKey[1], direct[1]);
    }

    @Test
    void murmur3IsCommonsCodecsHash128x64ForEveryTailLengthAndOffset() {
        byte[] bytes = new byte[512];
        new java.util.Random(7).nextBytes(bytes);
        int compared = 0;
        for (int length = 0; length <= 300; length++) {
            for (int offset = 0; offset < 9; offset++) {
                long[] expected = org.apache.commons.codec.digest.MurmurHash3.hash128x64(bytes, offset, length, 0);
                long[] actual = Keys.murmur3(bytes, offset, length);
                assertEquals(expected[0], actual[0], "h1 of " + length + " bytes at " + offset);
                assertEquals(expected[1], actual[1], "h2 of " + length + " bytes at " + offset);
                compared++;
            }
        }
        assertEquals(301 * 9, compared);
    }
}
