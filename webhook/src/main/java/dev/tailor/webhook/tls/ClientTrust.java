package dev.tailor.webhook.tls;

import dev.tailor.webhook.AdmissionCallers;
import dev.tailor.webhook.StartupWork;
import dev.tailor.webhook.TailorConfig;
import dev.tailor.webhook.api.FrontProxy;
import io.quarkus.tls.runtime.TrustStoreAndTrustOptions;
import io.quarkus.tls.runtime.TrustStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What the webhook's TLS does with client certificates: it asks for one, requires none, and lets every one through
 * to the endpoint that gives it a meaning. kube-apiserver may present a client certificate to every webhook it calls
 * (AdmissionConfiguration's {@code kubeConfigFile}, a documented hardening); refusing one the webhook does not know
 * would fail the handshake, and every admission call of the cluster with it — open, silently. So the certificate is
 * judged where it matters: the ingest endpoint accepts only one that {@code tailor.ingest.client-ca} issued to an
 * allowed name, Tailor's API only the API server's front proxy's ({@link FrontProxy}), and the admission endpoints
 * believe what a review says of the cluster only from the API server's own ({@link AdmissionCallers}). Those three CAs
 * are named to clients as the ones wanted: a client that sends only a certificate the server names (Go's TLS, unless
 * told otherwise) would otherwise send none — the API server's reviews would then be answered and recorded nowhere.
 */
@ApplicationScoped
@Identifier(ServingCertificates.TLS_CONFIGURATION)
public class ClientTrust implements TrustStoreProvider {

    private final TailorConfig config;
    private final FrontProxy frontProxy;
    private final AdmissionCallers admissionCallers;
    private final StartupWork startupWork;

    public ClientTrust(
            TailorConfig config, FrontProxy frontProxy, AdmissionCallers admissionCallers, StartupWork startupWork) {
        this.config = config;
        this.frontProxy = frontProxy;
        this.admissionCallers = admissionCallers;
        this.startupWork = startupWork;
    }

    /** Asked for first of Tailor's code at start: the rest of the start begins beside the front proxy's read. */
    @Override
    public TrustStoreAndTrustOptions getTrustStore(Vertx vertx) {
        startupWork.buildPolicies();
        List<X509Certificate> wanted = java.util.stream.Stream.of(
                        IngestAuthorities.read(config), frontProxy.authorities(), admissionCallers.authorities())
                .flatMap(List::stream)
                .distinct() // one CA may issue two of them
                .toList();
        startupWork.begin();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < wanted.size(); i++) {
                store.setCertificateEntry("wanted-client-ca-" + i, wanted.get(i));
            }
            return new TrustStoreAndTrustOptions(
                    store, TrustOptions.wrap(new AnyClient(wanted.toArray(X509Certificate[]::new))));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("the client certificate trust store: " + e.getMessage(), e);
        }
    }

    /** Takes every client certificate (each endpoint judges it); trusts no server (this is a server). */
    static final class AnyClient extends X509ExtendedTrustManager {
        private final X509Certificate[] wanted;

        AnyClient(X509Certificate[] wanted) {
            this.wanted = wanted;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // judged by the endpoint that gives a client certificate a meaning
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // as above
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // as above
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the webhook trusts no server");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("the webhook trusts no server");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("the webhook trusts no server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return wanted.clone();
        }
    }
}
