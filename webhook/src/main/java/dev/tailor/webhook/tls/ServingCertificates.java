package dev.tailor.webhook.tls;

import dev.tailor.webhook.TailorConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.jboss.logging.Logger;

/**
 * The webhook's serving certificate, from the PEM files cert-manager writes ({@code tls.crt}, {@code tls.key}),
 * swapped in place when they are rotated — no restart, and no handshake fails during the swap.
 *
 * <p>The HTTPS server gets one key manager for its whole life; each handshake asks it for the certificate, and
 * it answers from whichever certificate is current (the way controller-runtime's certwatcher answers Go's
 * {@code GetCertificate}). Rebuilding the server's TLS context instead, as a TLS registry reload does, fails the
 * handshakes under way while it happens — Tailor's rotation test caught that. A watcher re-reads the files every
 * {@code tailor.tls.watch-period}; it swaps only when both files have stopped changing and the key matches the
 * certificate, so a half-written rotation is never served.
 */
@ApplicationScoped
@Identifier(ServingCertificates.TLS_CONFIGURATION)
public class ServingCertificates implements KeyStoreProvider {

    /** The TLS configuration of the HTTPS server ({@code quarkus.http.tls-configuration-name}). */
    public static final String TLS_CONFIGURATION = "webhook";

    /** The management interface's ({@code quarkus.management.tls-configuration-name}). */
    public static final String MANAGEMENT_TLS_CONFIGURATION = "management";

    private static final Logger LOG = Logger.getLogger(ServingCertificates.class);

    private final Path certificate;
    private final Path key;
    private final long periodMillis;
    private final AtomicReference<Generation> current = new AtomicReference<>();
    private final Map<Integer, Generation> recent = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tailor-certificate-watcher");
        t.setDaemon(true);
        return t;
    });
    private byte[] lastSeen;

    /** One loaded certificate and key. Aliases handed to the TLS engine carry the generation number. */
    private record Generation(
            int number, byte[] fingerprint, X509KeyManager keys, X509Certificate leaf, KeyStore store) {}

    public ServingCertificates(TailorConfig config) {
        this.certificate = config.tls().cert();
        this.key = config.tls().key();
        this.periodMillis = config.tls().watchPeriod().toMillis();
    }

    /**
     * The management interface's TLS configuration ({@code quarkus.management.tls-configuration-name}): the same
     * certificate and key manager, with HTTP/1.1 alone (no ALPN) — see application.properties.
     */
    @ApplicationScoped
    @Identifier(ServingCertificates.MANAGEMENT_TLS_CONFIGURATION)
    public static class Management implements KeyStoreProvider {
        private final ServingCertificates serving;

        public Management(@Identifier(TLS_CONFIGURATION) ServingCertificates serving) {
            this.serving = serving;
        }

        @Override
        public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
            return serving.getKeyStore(vertx);
        }
    }

    /** The key store and key manager every TLS configuration here gets: loaded, and watched, once. */
    private KeyStoreAndKeyCertOptions served;

    @Override
    public synchronized KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        if (served != null) {
            return served;
        }
        Pem files = read();
        if (files == null) {
            throw new IllegalStateException("cannot read the serving certificate " + certificate + " and key " + key);
        }
        Generation first;
        try {
            first = load(files, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot load the serving certificate " + certificate + ": " + e.getMessage(), e);
        }
        install(first);
        lastSeen = first.fingerprint();
        watcher.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        served = new KeyStoreAndKeyCertOptions(first.store(), KeyCertOptions.wrap(new SwappingKeyManager()));
        return served;
    }

    void stop(@Observes ShutdownEvent event) {
        watcher.shutdownNow();
    }

    /** The certificate new handshakes get. */
    public X509Certificate current() {
        return current.get().leaf();
    }

    private synchronized void check() {
        try {
            Pem files = read();
            byte[] now = files == null ? null : files.fingerprint();
            boolean stable = Arrays.equals(now, lastSeen);
            lastSeen = now;
            if (now == null || !stable || Arrays.equals(now, current.get().fingerprint())) {
                return;
            }
            Generation next = load(files, current.get().number() + 1);
            install(next);
            LOG.infof(
                    "serving certificate rotated: serial %s, valid until %s",
                    next.leaf().getSerialNumber().toString(16),
                    next.leaf().getNotAfter().toInstant());
        } catch (Exception e) {
            LOG.warnf(
                    "serving certificate in %s changed but cannot be used (%s); still serving the previous one",
                    certificate, e.getMessage());
        }
    }

    private void install(Generation next) {
        recent.put(next.number(), next);
        current.set(next);
        // Keep the previous generation for handshakes that chose its alias just before the swap.
        recent.keySet().removeIf(n -> n < next.number() - 1);
    }

    /** The certificate and key of {@code files}, checked to belong together, as a key manager. */
    private static Generation load(Pem files, int number) throws GeneralSecurityException {
        X509Certificate[] chain = PemKeys.certificates(files.certificate());
        PrivateKey privateKey = PemKeys.privateKey(files.key());
        requireMatchingPair(chain[0], privateKey);
        KeyStore store = PemKeys.keyStore("serving", privateKey, chain);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, PemKeys.keyStorePassword());
        X509KeyManager keys = (X509KeyManager) factory.getKeyManagers()[0];
        return new Generation(number, files.fingerprint(), keys, chain[0], store);
    }

    /** Signs and verifies a probe: a key that does not belong to the certificate would fail every handshake. */
    private static void requireMatchingPair(X509Certificate leaf, PrivateKey privateKey)
            throws GeneralSecurityException {
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> privateKey.getAlgorithm();
        };
        byte[] probe = "tailor serving certificate".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(privateKey);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the key does not belong to the certificate");
        }
    }

    /** Both files as read now, or null while either cannot be read. */
    private Pem read() {
        try {
            return new Pem(Files.readAllBytes(certificate), Files.readAllBytes(key));
        } catch (IOException e) {
            return null;
        }
    }

    /** The bytes of the certificate and key files, read once: what is fingerprinted is what is loaded. */
    private record Pem(byte[] certificate, byte[] key) {
        /** SHA-256 over both files. */
        byte[] fingerprint() {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                digest.update(certificate);
                digest.update(key);
                return digest.digest();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Answers every handshake from the current generation; an alias names its generation. */
    private final class SwappingKeyManager extends X509ExtendedKeyManager {

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            Generation g = current.get();
            String alias = g.keys() instanceof X509ExtendedKeyManager x
                    ? x.chooseEngineServerAlias(keyType, issuers, engine)
                    : g.keys().chooseServerAlias(keyType, issuers, null);
            return alias == null ? null : g.number() + "/" + alias;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            Generation g = current.get();
            String alias = g.keys().chooseServerAlias(keyType, issuers, socket);
            return alias == null ? null : g.number() + "/" + alias;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            Generation g = current.get();
            String[] aliases = g.keys().getServerAliases(keyType, issuers);
            return aliases == null
                    ? null
                    : Arrays.stream(aliases).map(a -> g.number() + "/" + a).toArray(String[]::new);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Generation g = generationOf(alias);
            return g == null ? null : g.keys().getCertificateChain(inner(alias));
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Generation g = generationOf(alias);
            return g == null ? null : g.keys().getPrivateKey(inner(alias));
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        private Generation generationOf(String alias) {
            int slash = alias == null ? -1 : alias.indexOf('/');
            if (slash <= 0) {
                return null;
            }
            try {
                return recent.get(Integer.parseInt(alias.substring(0, slash)));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static String inner(String alias) {
            return alias.substring(alias.indexOf('/') + 1);
        }
    }
}
