package dev.tailor.webhook.tls;

import dev.tailor.webhook.TailorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** The CAs of {@code tailor.ingest.client-ca}, whose client certificates may POST to /ingest/*. */
public final class IngestAuthorities {
    private IngestAuthorities() {}

    /** The certificates of the file, none when it is not set; a file that holds none stops the webhook at start. */
    public static List<X509Certificate> read(TailorConfig config) {
        if (config.ingest().clientCa().isEmpty()) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(config.ingest().clientCa().get())) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("tailor.ingest.client-ca: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("tailor.ingest.client-ca " + config.ingest().clientCa().get()
                    + " holds no PEM certificate");
        }
        return out;
    }
}
