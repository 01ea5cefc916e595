package dev.tailor.webhook.api;

import dev.tailor.webhook.tls.ClientCertificates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The API server's front proxy, as an aggregated API server trusts it: kube-apiserver authenticates the user, then
 * forwards the request to Tailor with a client certificate from its request-header CA and the user in headers
 * ({@code X-Remote-User}, {@code X-Remote-Group}, {@code X-Remote-Extra-*}). The CA, the names that certificate may
 * carry and the header names are what the API server publishes in {@code kube-system/extension-apiserver-authentication}
 * (readable through the {@code extension-apiserver-authentication-reader} Role). A request whose certificate was not
 * issued by that CA to one of those names has no user: its headers are never believed.
 */
@ApplicationScoped
public class FrontProxy {

    private static final Logger LOG = Logger.getLogger(FrontProxy.class);
    static final String NAMESPACE = "kube-system";
    static final String CONFIG_MAP = "extension-apiserver-authentication";

    /** A user as the API server authenticated it. */
    public record User(String name, List<String> groups, Map<String, List<String>> extra) {}

    /** What the API server publishes about its front proxy. */
    record Settings(
            List<X509Certificate> authorities,
            List<String> allowedNames,
            List<String> userHeaders,
            List<String> groupHeaders,
            List<String> extraPrefixes) {
        static final Settings NONE = new Settings(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** How often the API server's settings are read again: its front-proxy CA is rotated without telling anyone. */
    static final java.time.Duration REFRESH = java.time.Duration.ofMinutes(5);

    private final KubernetesClient client;
    private volatile Settings settings;
    private final java.util.concurrent.ScheduledExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tailor-front-proxy-settings");
                t.setDaemon(true);
                return t;
            });

    public FrontProxy(KubernetesClient client) {
        this.client = client;
    }

    /** The request-header CAs, for the TLS trust store; read from the API server on first use. */
    public List<X509Certificate> authorities() {
        return settings().authorities();
    }

    Settings settings() {
        Settings s = settings;
        return s != null ? s : firstSettings();
    }

    private synchronized Settings firstSettings() {
        if (settings == null) {
            settings = load(Settings.NONE);
            refresher.scheduleWithFixedDelay(
                    this::refresh, REFRESH.toMillis(), REFRESH.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return settings;
    }

    /**
     * Reads the settings again: a rotated request-header CA, or a front proxy added since the start, is believed
     * from then on (before, until a restart). A read that fails keeps what was read last.
     */
    synchronized void refresh() {
        Settings before = settings;
        settings = load(before == null ? Settings.NONE : before);
        if (before != null && !before.equals(settings)) {
            LOG.infof("%s/%s changed: the front proxy's settings were read again", NAMESPACE, CONFIG_MAP);
        }
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        refresher.shutdownNow();
    }

    /** The settings the API server publishes now; {@code previous} when they cannot be read. */
    private Settings load(Settings previous) {
        try {
            ConfigMap map = client.configMaps()
                    .inNamespace(NAMESPACE)
                    .withName(CONFIG_MAP)
                    .get();
            if (map == null || map.getData() == null || !map.getData().containsKey("requestheader-client-ca-file")) {
                if (previous != Settings.NONE || settings == null) {
                    LOG.warnf(
                            "%s/%s has no requestheader-client-ca-file: the API server runs no front proxy, so "
                                    + "Tailor's API (tailor enforce from a laptop) is unavailable",
                            NAMESPACE, CONFIG_MAP);
                }
                return Settings.NONE;
            }
            Map<String, String> data = map.getData();
            List<X509Certificate> cas = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(
                            data.get("requestheader-client-ca-file").getBytes(StandardCharsets.US_ASCII)))) {
                cas.add((X509Certificate) c);
            }
            return new Settings(
                    List.copyOf(cas),
                    jsonList(data.get("requestheader-allowed-names")),
                    jsonList(data.get("requestheader-username-headers")),
                    jsonList(data.get("requestheader-group-headers")),
                    jsonList(data.get("requestheader-extra-headers-prefix")));
        } catch (RuntimeException | GeneralSecurityException e) {
            LOG.warnf(
                    "%s/%s could not be read (%s): %s",
                    NAMESPACE,
                    CONFIG_MAP,
                    e.getMessage(),
                    previous == Settings.NONE
                            ? "Tailor's API (tailor enforce from a laptop) is unavailable until it can be"
                            : "the settings read before stay in force");
            return previous;
        }
    }

    private static List<String> jsonList(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            List<String> out = new ArrayList<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).forEach(n -> out.add(n.asText()));
            return out;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return List.of();
        }
    }

    /**
     * The user the API server vouches for, when the peer certificate (already verified by TLS against the trust
     * store) was issued by the request-header CA to an allowed name; empty otherwise.
     *
     * @param headers the request's headers, each name in lower case with all its values
     */
    public Optional<User> authenticate(X509Certificate peer, Map<String, List<String>> headers) {
        return authenticate(settings(), peer, headers);
    }

    static Optional<User> authenticate(Settings s, X509Certificate peer, Map<String, List<String>> headers) {
        if (peer == null || !ClientCertificates.issuedByOneOf(peer, s.authorities())) {
            return Optional.empty();
        }
        if (!s.allowedNames().isEmpty() && !s.allowedNames().contains(ClientCertificates.commonName(peer))) {
            return Optional.empty();
        }
        String name = s.userHeaders().stream()
                .map(h -> first(headers.get(h.toLowerCase(java.util.Locale.ROOT))))
                .filter(v -> v != null && !v.isEmpty())
                .findFirst()
                .orElse(null);
        if (name == null) {
            return Optional.empty();
        }
        List<String> groups = new ArrayList<>();
        s.groupHeaders()
                .forEach(h -> groups.addAll(headers.getOrDefault(h.toLowerCase(java.util.Locale.ROOT), List.of())));
        Map<String, List<String>> extra = new java.util.TreeMap<>();
        for (String prefix : s.extraPrefixes()) {
            String p = prefix.toLowerCase(java.util.Locale.ROOT);
            headers.forEach((header, values) -> {
                if (header.startsWith(p) && header.length() > p.length()) {
                    extra.computeIfAbsent(
                                    java.net.URLDecoder.decode(header.substring(p.length()), StandardCharsets.UTF_8),
                                    k -> new ArrayList<>())
                            .addAll(values);
                }
            });
        }
        return Optional.of(new User(name, List.copyOf(groups), extra));
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
