package dev.tailor.webhook.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Private keys in each PEM encoding cert-manager and openssl write, as BouncyCastle (another implementation) writes them. */
class PemKeysTest {

    static Stream<Arguments> keys() throws GeneralSecurityException {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPairGenerator ec384 = KeyPairGenerator.getInstance("EC");
        ec384.initialize(new ECGenParameterSpec("secp384r1"));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
        return Stream.of(
                Arguments.of("EC P-256, SEC1", ec.generateKeyPair(), false, "EC PRIVATE KEY"),
                Arguments.of("EC P-384, SEC1", ec384.generateKeyPair(), false, "EC PRIVATE KEY"),
                Arguments.of("EC P-256, PKCS#8", ec.generateKeyPair(), true, "PRIVATE KEY"),
                Arguments.of("RSA 2048, PKCS#1", rsa.generateKeyPair(), false, "RSA PRIVATE KEY"),
                Arguments.of("RSA 2048, PKCS#8", rsa.generateKeyPair(), true, "PRIVATE KEY"),
                Arguments.of("Ed25519, PKCS#8", ed.generateKeyPair(), true, "PRIVATE KEY"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void readsEachEncodingAsTheSameKey(String name, KeyPair pair, boolean pkcs8, String block) throws Exception {
        String pem = pkcs8
                ? pem(new JcaPKCS8Generator(pair.getPrivate(), null))
                : pair.getPrivate() instanceof ECPrivateKey ec ? sec1(ec, pair.getPublic()) : pem(pair.getPrivate());
        assertTrue(pem.startsWith("-----BEGIN " + block + "-----"), pem);

        PrivateKey read = PemKeys.privateKey(("# a comment line\n" + pem).getBytes(StandardCharsets.US_ASCII));

        assertEquals(pair.getPrivate().getAlgorithm().replace("Ed25519", "EdDSA"), read.getAlgorithm());
        // The same key: what it signs, the original public key verifies.
        String algorithm = switch (read.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> "Ed25519";
        };
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(read);
        signer.update(name.getBytes(StandardCharsets.UTF_8));
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(pair.getPublic());
        verifier.update(name.getBytes(StandardCharsets.UTF_8));
        assertTrue(verifier.verify(signer.sign()), name);
    }

    @Test
    void theKeyStoreGivesTheKeyToTheJdksKeyManager() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = ec.generateKeyPair();
        var ca = dev.tailor.harness.DevCertificates.newAuthority(java.time.Duration.ofMinutes(5));
        java.security.cert.X509Certificate[] chain = {ca.caCertificate()};

        var store = PemKeys.keyStore("serving", pair.getPrivate(), chain);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, PemKeys.keyStorePassword());
        X509KeyManager keys = (X509KeyManager) factory.getKeyManagers()[0];

        assertEquals("serving", keys.chooseServerAlias("EC", null, null));
        assertArrayEquals(
                pair.getPrivate().getEncoded(), keys.getPrivateKey("serving").getEncoded());
        assertArrayEquals(chain, keys.getCertificateChain("serving"));
    }

    @Test
    void whatIsNoUsableKeyIsSaid() {
        String encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        String legacyEncrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
                + "MIIB\n-----END RSA PRIVATE KEY-----\n";
        String certificateOnly = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        String truncated = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n";
        String notBase64 = "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n";

        assertEquals("the private key is encrypted; the webhook needs it unencrypted", problem(encrypted));
        assertEquals("the private key is encrypted; the webhook needs it unencrypted", problem(legacyEncrypted));
        assertEquals("no private key in the file", problem(certificateOnly));
        assertTrue(problem(truncated).contains("truncated"), problem(truncated));
        assertTrue(problem(notBase64).startsWith("the PRIVATE KEY block is not base64"), problem(notBase64));
    }

    private static String problem(String pem) {
        return assertThrows(
                        GeneralSecurityException.class,
                        () -> PemKeys.privateKey(pem.getBytes(StandardCharsets.US_ASCII)))
                .getMessage();
    }

    /**
     * SEC1 as openssl and Go's x509.MarshalECPrivateKey (cert-manager) write it: version 1, the key, [0] the named
     * curve, [1] the public key. (BouncyCastle's writer leaves the curve out for a JDK key, which nothing else does.)
     */
    private static String sec1(ECPrivateKey key, PublicKey publicKey) throws IOException {
        ASN1ObjectIdentifier curve = (ASN1ObjectIdentifier) PrivateKeyInfo.getInstance(key.getEncoded())
                .getPrivateKeyAlgorithm()
                .getParameters();
        byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(
                        key.getParams().getOrder().bitLength(),
                        key.getS(),
                        SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData(),
                        curve)
                .getEncoded();
        return pem(new PemObject("EC PRIVATE KEY", der));
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
