package dev.tailor.webhook;

import dev.tailor.webhook.tls.ClientCertificates;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Who may be believed to be the API server: every caller when no API server identity is configured, else a caller
 * that presented a client certificate from {@code tailor.admission-callers.client-ca} issued to one of its names.
 */
@Singleton
public class AdmissionCallers {

    private final TailorConfig config;
    private final List<X509Certificate> apiServerAuthorities;

    public AdmissionCallers(TailorConfig config) {
        this.config = config;
        this.apiServerAuthorities = config.admissionCallers()
                .clientCa()
                .map(file -> ClientCertificates.readAuthorities(file, "tailor.admission-callers.client-ca"))
                .orElse(List.of());
    }

    /** Whether this request's caller proved to be the API server (see the class). */
    public boolean fromApiServer(HttpServerRequest http) {
        if (config.admissionCallers().clientCa().isEmpty()) {
            return true;
        }
        try {
            var chain = http == null || http.sslSession() == null
                    ? null
                    : http.sslSession().getPeerCertificates();
            return chain != null
                    && chain.length > 0
                    && chain[0] instanceof X509Certificate peer
                    && ClientCertificates.issuedByOneOf(peer, apiServerAuthorities)
                    && ClientCertificates.names(peer).stream()
                            .anyMatch(config.admissionCallers().clientNames()::contains);
        } catch (javax.net.ssl.SSLPeerUnverifiedException noCertificate) {
            return false;
        }
    }
}
