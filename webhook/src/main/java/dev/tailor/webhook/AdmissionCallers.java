package dev.tailor.webhook;

import dev.tailor.webhook.tls.ClientCertificates;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLSession;

/**
 * Who may be believed to be the API server: every caller when no API server identity is configured, else a caller
 * that presented a client certificate from {@code tailor.admission-callers.client-ca} issued to one of its names.
 */
@Singleton
public class AdmissionCallers {

    private static final String VOUCHED = "dev.tailor.admission-caller-is-the-api-server";

    private final TailorConfig config;
    private final List<X509Certificate> apiServerAuthorities;

    public AdmissionCallers(TailorConfig config) {
        this.config = config;
        this.apiServerAuthorities = config.admissionCallers()
                .clientCa()
                .map(file -> ClientCertificates.readAuthorities(file, "tailor.admission-callers.client-ca"))
                .orElse(List.of());
    }

    /** The CAs whose client certificates may prove a caller to be the API server: none when none is configured. */
    public List<X509Certificate> authorities() {
        return apiServerAuthorities;
    }

    /** Whether this request's caller may be believed to be the API server (see the class). */
    public boolean fromApiServer(HttpServerRequest http) {
        return config.admissionCallers().clientCa().isEmpty() || vouchedFor(http);
    }

    /**
     * Whether this request's caller proved with its client certificate to be the API server: never when no API server
     * identity is configured. The verdict is kept with the TLS session, so that a connection's requests check its
     * certificate once.
     */
    public boolean vouchedFor(HttpServerRequest http) {
        if (apiServerAuthorities.isEmpty() || http == null) {
            return false;
        }
        SSLSession session = http.sslSession();
        if (session == null) {
            return false;
        }
        if (session.getValue(VOUCHED) instanceof Boolean known) {
            return known;
        }
        boolean vouched = verified(session);
        session.putValue(VOUCHED, vouched);
        return vouched;
    }

    private boolean verified(SSLSession session) {
        try {
            var chain = session.getPeerCertificates();
            return chain.length > 0
                    && chain[0] instanceof X509Certificate peer
                    && ClientCertificates.issuedByOneOf(peer, apiServerAuthorities)
                    && ClientCertificates.names(peer).stream()
                            .anyMatch(config.admissionCallers().clientNames()::contains);
        } catch (javax.net.ssl.SSLPeerUnverifiedException noCertificate) {
            return false;
        }
    }
}
