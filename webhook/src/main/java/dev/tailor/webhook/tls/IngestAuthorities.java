package dev.tailor.webhook.tls;

import dev.tailor.webhook.TailorConfig;
import java.security.cert.X509Certificate;
import java.util.List;

/** The CAs of {@code tailor.ingest.client-ca}, whose client certificates may POST to /ingest/*. */
public final class IngestAuthorities {
    private IngestAuthorities() {}

    /** The certificates of the file, none when it is not set; a file that holds none stops the webhook at start. */
    public static List<X509Certificate> read(TailorConfig config) {
        return config.ingest()
                .clientCa()
                .map(file -> ClientCertificates.readAuthorities(file, "tailor.ingest.client-ca"))
                .orElse(List.of());
    }
}
