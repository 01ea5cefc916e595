package dev.tailor.webhook.tls;

import dev.tailor.webhook.TailorConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The HTTPS server's TLS engine: BoringSSL (netty-tcnative, statically linked) where it loads, the JDK's otherwise.
 * A new connection costs the JDK 17 engine about 5 ms of CPU for the handshake and BoringSSL a fraction of that;
 * when the API server opens connections in a burst (a restart, a scale-up, a webhook that fell behind) that is the
 * difference between catching up and falling further behind. Certificates, client certificates and rotation are
 * unchanged: the engine asks the same key manager ({@link ServingCertificates}) and trust manager
 * ({@link ClientTrust}) on every handshake. A handshake not done within {@code tailor.tls.handshake-timeout} closes its
 * connection.
 */
@ApplicationScoped
public class NativeTls implements HttpServerOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(NativeTls.class);

    private final TailorConfig config;

    public NativeTls(TailorConfig config) {
        this.config = config;
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        options.setSslHandshakeTimeout(config.tls().handshakeTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
        if (OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        } else {
            LOG.infof(
                    "TLS: BoringSSL is not available on this platform (%s), the JDK's TLS serves",
                    io.netty.handler.ssl.OpenSsl.unavailabilityCause());
        }
    }
}
