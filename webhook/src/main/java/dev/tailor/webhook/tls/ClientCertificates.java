package dev.tailor.webhook.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Client certificates as the webhook's endpoints judge them. The TLS layer takes any client certificate (an API
 * server may present one to every webhook it calls: AdmissionConfiguration's kubeConfigFile), so each endpoint that
 * gives a certificate meaning checks here that its own CA issued it, and to whom.
 */
public final class ClientCertificates {
    private ClientCertificates() {}

    /**
     * The CA certificates of a PEM file a setting names; a file that cannot be read or holds none stops the webhook at
     * start, naming the setting.
     */
    public static List<X509Certificate> readAuthorities(java.nio.file.Path file, String setting) {
        List<X509Certificate> out = new ArrayList<>();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            for (var c :
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
        } catch (java.io.IOException | java.security.cert.CertificateException e) {
            throw new IllegalStateException(setting + " " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(setting + " " + file + " holds no PEM certificate");
        }
        return out;
    }

    /** True when one of {@code authorities} signed {@code cert} and it is valid now. */
    public static boolean issuedByOneOf(X509Certificate cert, List<X509Certificate> authorities) {
        for (X509Certificate ca : authorities) {
            if (!ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                continue;
            }
            try {
                cert.verify(ca.getPublicKey());
                cert.checkValidity();
                return true;
            } catch (GeneralSecurityException notThisOne) {
                // another CA of the same name, or expired
            }
        }
        return false;
    }

    /** The certificate's subject common names, then its DNS names. */
    public static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(rdn.getValue().toString());
                }
            }
            if (cert.getSubjectAlternativeNames() != null) {
                cert.getSubjectAlternativeNames().stream()
                        .filter(san -> Integer.valueOf(2).equals(san.get(0)))
                        .forEach(san -> names.add(san.get(1).toString()));
            }
        } catch (InvalidNameException | CertificateParsingException unreadable) {
            return List.of();
        }
        return names;
    }

    /** The first common name of the certificate's subject, or "". */
    public static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return "";
        }
        return "";
    }
}
