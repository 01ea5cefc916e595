package dev.tailor.webhook.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.PBEParameterSpec;

/**
 * A serving certificate's PEM files, read into what the TLS engine takes: the certificate chain, the private key in
 * any of the encodings cert-manager and openssl write (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY},
 * SEC1 {@code EC PRIVATE KEY}), and an in-memory key store holding both.
 *
 * <p>Vert.x's PEM options did this through a PKCS#12 store whose key entry is protected by 10,000 rounds of PBKDF2,
 * done again for every read of the key: about 0.4 s of CPU at each start and rotation, still interpreted, for a
 * store that never leaves the process. Here the store's protection is one round, since it protects nothing.
 */
final class PemKeys {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** AlgorithmIdentifier OIDs (DER): rsaEncryption 1.2.840.113549.1.1.1 and id-ecPublicKey 1.2.840.10045.2.1. */
    private static final byte[] RSA_ENCRYPTION = {
        0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01
    };

    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] DER_NULL = {0x05, 0x00};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};
    private static final char[] NO_SECRET = "in-memory".toCharArray();

    private PemKeys() {}

    /** The certificates of a PEM file, leaf first as the file has them. */
    static X509Certificate[] certificates(byte[] pem) throws GeneralSecurityException {
        List<X509Certificate> chain =
                CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).stream()
                        .map(X509Certificate.class::cast)
                        .toList();
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the file");
        }
        return chain.toArray(X509Certificate[]::new);
    }

    /** The private key of a PEM file: its first key block, unencrypted. */
    static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
        Matcher block = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (block.find()) {
            String type = block.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            if (block.group(2).contains("ENCRYPTED") || type.startsWith("ENCRYPTED")) {
                throw new GeneralSecurityException("the private key is encrypted; the webhook needs it unencrypted");
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(block.group(2).replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException("the " + type + " block is not base64: " + e.getMessage());
            }
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(der, "EC", "RSA", "EdDSA", "RSASSA-PSS");
                case "RSA PRIVATE KEY" -> pkcs8(pkcs8Of(RSA_ENCRYPTION, DER_NULL, der), "RSA");
                case "EC PRIVATE KEY" -> pkcs8(pkcs8Of(EC_PUBLIC_KEY, curveOf(der), der), "EC");
                default -> throw new GeneralSecurityException("unsupported key type " + type);
            };
        }
        throw new GeneralSecurityException("no private key in the file");
    }

    /** A key store held in memory only, with the key and its chain under {@code alias}. */
    static KeyStore keyStore(String alias, PrivateKey key, X509Certificate[] chain) throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            byte[] salt = new byte[16];
            new java.security.SecureRandom().nextBytes(salt);
            store.setEntry(
                    alias,
                    new KeyStore.PrivateKeyEntry(key, chain),
                    new KeyStore.PasswordProtection(
                            NO_SECRET, "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(salt, 1)));
            return store;
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** The password of {@link #keyStore}'s entries. */
    static char[] keyStorePassword() {
        return NO_SECRET.clone();
    }

    private static PrivateKey pkcs8(byte[] der, String... algorithms) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("the private key cannot be read: " + last.getMessage(), last);
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier { oid, parameters }, OCTET STRING key }. */
    private static byte[] pkcs8Of(byte[] algorithm, byte[] parameters, byte[] key) {
        return der(0x30, VERSION_0, der(0x30, algorithm, parameters), der(0x04, key));
    }

    /**
     * The named curve of a SEC1 ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters, [1]
     * publicKey }: the parameters' DER, which PKCS#8 needs beside the key.
     */
    private static byte[] curveOf(byte[] sec1) throws GeneralSecurityException {
        int[] outer = header(sec1, 0);
        if (sec1[0] != 0x30) {
            throw new GeneralSecurityException("the EC private key is not a SEC1 sequence");
        }
        for (int at = outer[0]; at < outer[0] + outer[1]; ) {
            int[] element = header(sec1, at);
            if ((sec1[at] & 0xff) == 0xa0) {
                return java.util.Arrays.copyOfRange(sec1, element[0], element[0] + element[1]);
            }
            at = element[0] + element[1];
        }
        throw new GeneralSecurityException("the EC private key does not name its curve");
    }

    /** The offset of a DER element's content and its length, for the element whose tag is at {@code at}. */
    private static int[] header(byte[] der, int at) throws GeneralSecurityException {
        if (at + 1 >= der.length) {
            throw new GeneralSecurityException("the private key is truncated");
        }
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return check(der, at + 2, first);
        }
        int bytes = first & 0x7f;
        if (bytes == 0 || bytes > 3 || at + 2 + bytes > der.length) {
            throw new GeneralSecurityException("the private key has a malformed length");
        }
        int length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xff);
        }
        return check(der, at + 2 + bytes, length);
    }

    private static int[] check(byte[] der, int content, int length) throws GeneralSecurityException {
        if (content + length > der.length) {
            throw new GeneralSecurityException("the private key is truncated");
        }
        return new int[] {content, length};
    }

    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        int length = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
