package dev.tailor.webhook.tls;

import dev.tailor.webhook.TailorConfig;
import dev.tailor.webhook.api.FrontProxy;
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
 * The CAs whose client certificates the webhook's TLS accepts: {@code tailor.ingest.client-ca} (the audit webhook
 * backend of kube-apiserver may authenticate with one instead of a bearer token) and the API server's request-header
 * CA (its front proxy, which forwards requests to Tailor's aggregated API; {@link FrontProxy}). The server asks for a
 * client certificate but does not require one (admission calls come without); a certificate that is presented must
 * chain to one of these CAs or the handshake fails. Who may do what is checked per request: the ingest endpoint
 * checks the names, the API checks that the certificate is the front proxy's.
 */
@ApplicationScoped
@Identifier(ServingCertificates.TLS_CONFIGURATION)
public class IngestClientAuthorities implements TrustStoreProvider {

    private final TailorConfig config;
    private final FrontProxy frontProxy;

    public IngestClientAuthorities(TailorConfig config, FrontProxy frontProxy) {
        this.config = config;
        this.frontProxy = frontProxy;
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
            int n = 0;
            for (Certificate c : frontProxy.authorities()) {
                trust.setCertificateEntry("front-proxy-ca-" + n++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return new TrustStoreAndTrustOptions(trust, TrustOptions.wrap(tmf.getTrustManagers()[0]));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("tailor.ingest.client-ca: " + e.getMessage(), e);
        }
    }
}
