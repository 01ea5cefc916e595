package dev.tailor.observe;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/** Short stable keys for observations that carry no ID of their own. */
public final class Keys {
    private Keys() {}

    /**
     * The 128-bit MurmurHash3 (x64) of a key's UTF-8 bytes into {@code out[at]} and {@code out[at + 1]}: what the
     * store remembers an event by. Not cryptographic — the keys come from the cluster's own components (audit IDs,
     * Hubble flows), and two distinct keys share a fingerprint with a probability near 2^-128 per pair. Never (0, 0).
     */
    public static void fingerprint(String key, long[] out, int at) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        long[] hash = org.apache.commons.codec.digest.MurmurHash3.hash128x64(bytes, 0, bytes.length, 0);
        out[at] = hash[0];
        out[at + 1] = hash[0] == 0 && hash[1] == 0 ? 1 : hash[1];
    }

    /** 128 bits of the SHA-256 of {@code bytes} as 22 base64url characters. */
    public static String digest(byte[] bytes) {
        return digest(sha256(), bytes, 0, bytes.length);
    }

    /**
     * 128 bits of the SHA-256 of {@code bytes[offset, offset + length)} as 22 base64url characters, with a digest
     * the caller keeps (a reader digesting every line saves looking one up each time).
     */
    public static String digest(MessageDigest sha256, byte[] bytes, int offset, int length) {
        sha256.reset();
        sha256.update(bytes, offset, length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(sha256.digest(), 16));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
