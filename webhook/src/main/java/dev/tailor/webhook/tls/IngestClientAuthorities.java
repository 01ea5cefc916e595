package dev.tailor.webhook.tls;

import dev.tailor.webhook.TailorConfig;
import io.quarkus.tls.runtime.TrustStoreAndTrustOptions;
import io.quarkus.tls.runtime.TrustStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CAs whose client certificates the webhook's TLS accepts ({@code tailor.ingest.client-ca}): the audit webhook
 * backend of kube-apiserver may authenticate with one instead of a bearer token. The server asks for a client
 * certificate but does not require one (admission calls come without); a certificate that is presented must chain
 * to one of these CAs or the handshake fails. Which names may ingest is checked per request by the ingest endpoint.
 */
@ApplicationScoped
@Identifier(ServingCertificates.TLS_CONFIGURATION)
public class IngestClientAuthorities implements TrustStoreProvider {

    private final TailorConfig config;

    public IngestClientAuthorities(TailorConfig config) {
        this.config = config;
    }

    @Override
    public TrustStoreAndTrustOptions getTrustStore(Vertx vertx) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            if (config.ingest().clientCa().isPresent()) {
                try (InputStream in = Files.newInputStream(config.ingest().clientCa().get())) {
                    int n = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        trust.setCertificateEntry("ingest-client-ca-" + n++, c);
                    }
                    if (n == 0) {
                        throw new IllegalStateException("tailor.ingest.client-ca " + config.ingest().clientCa().get()
                                + " holds no PEM certificate");
                    }
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return new TrustStoreAndTrustOptions(trust, TrustOptions.wrap(tmf.getTrustManagers()[0]));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("tailor.ingest.client-ca: " + e.getMessage(), e);
        }
    }
}
