package dev.tailor.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The CLI's way to the cluster: the user's kubeconfig, read as kubectl reads it. fabric8 reads a client key in
 * PKCS#8 ({@code BEGIN PRIVATE KEY}, what openssl and cert-manager write by default) as RSA unless told otherwise,
 * and then fails with "An error has occurred."; here the key's own algorithm (RSA, EC or Ed25519) is found first.
 */
public final class Kubeconfig {
    private Kubeconfig() {}

    /** A client for the kubeconfig's current context ({@code KUBECONFIG}, else {@code ~/.kube/config}). */
    public static KubernetesClient client() {
        Config config = Config.autoConfigure(null);
        pkcs8Algorithm(config).ifPresent(config::setClientKeyAlgo);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The algorithm of a PKCS#8 client key, if the config has one; empty for any other key form (read as it is). */
    static Optional<String> pkcs8Algorithm(Config config) {
        String pem;
        try {
            if (config.getClientKeyData() != null && !config.getClientKeyData().isBlank()) {
                pem = new String(
                        Base64.getMimeDecoder().decode(config.getClientKeyData().strip()), StandardCharsets.US_ASCII);
            } else if (config.getClientKeyFile() != null) {
                pem = Files.readString(Path.of(config.getClientKeyFile()), StandardCharsets.US_ASCII);
            } else {
                return Optional.empty();
            }
        } catch (IOException | IllegalArgumentException unreadable) {
            return Optional.empty(); // fabric8 reports it, naming the file
        }
        return pkcs8Algorithm(pem);
    }

    static Optional<String> pkcs8Algorithm(String pem) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < from) {
            return Optional.empty();
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return Optional.of(algorithm);
            } catch (GeneralSecurityException notThisOne) {
                // try the next
            }
        }
        return Optional.empty();
    }

    /**
     * What went wrong, with every cause: fabric8's own message is often only "An error has occurred.", and the
     * reason (a refused connection, an unreadable key, an unknown certificate authority) is in a cause.
     */
    public static String describe(Throwable e) {
        Set<String> messages = new LinkedHashSet<>();
        for (Throwable t = e; t != null && messages.size() < 6; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() != null && !t.getMessage().isBlank()
                    ? t.getMessage().strip()
                    : t.getClass().getSimpleName();
            if (messages.stream().noneMatch(m -> m.contains(message))) {
                messages.add(message);
            }
        }
        return String.join(": ", messages);
    }
}
