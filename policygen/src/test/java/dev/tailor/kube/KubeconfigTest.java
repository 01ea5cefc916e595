package dev.tailor.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubeconfigTest {

    private static String pkcs8(String algorithm) throws Exception {
        byte[] der = KeyPairGenerator.getInstance(algorithm)
                .generateKeyPair()
                .getPrivate()
                .getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void aPkcs8KeyIsReadAsTheAlgorithmItHolds() throws Exception {
        assertEquals(Optional.of("RSA"), Kubeconfig.pkcs8Algorithm(pkcs8("RSA")));
        assertEquals(Optional.of("EC"), Kubeconfig.pkcs8Algorithm(pkcs8("EC")));
        assertEquals(Optional.of("Ed25519"), Kubeconfig.pkcs8Algorithm(pkcs8("Ed25519")));
    }

    @Test
    void otherKeyFormsAreLeftToFabric8() {
        // PKCS#1 RSA and SEC1 EC keys name their algorithm in the PEM header; fabric8 reads those itself.
        assertEquals(
                Optional.empty(),
                Kubeconfig.pkcs8Algorithm("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"));
        assertEquals(
                Optional.empty(),
                Kubeconfig.pkcs8Algorithm("-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n"));
        assertEquals(
                Optional.empty(),
                Kubeconfig.pkcs8Algorithm("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"));
    }

    @Test
    void anErrorIsDescribedWithItsCauses() {
        var e = new KubernetesClientException(
                "An error has occurred.",
                new IOException("Failed to connect", new ConnectException("Connection refused")));
        assertEquals("An error has occurred.: Failed to connect: Connection refused", Kubeconfig.describe(e));
        assertEquals("IllegalStateException", Kubeconfig.describe(new IllegalStateException()));
    }
}
