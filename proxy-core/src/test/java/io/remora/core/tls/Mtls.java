package io.remora.core.tls;

import io.remora.config.model.AccessLogConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.TlsConfig;
import io.remora.config.model.TlsConfig.TlsMode;
import io.remora.core.admin.JsonReader;
import io.remora.core.metrics.Exposition;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Shared pieces of the mTLS integration tests: certificates minted with {@link CertificateAuthority} (the code
 * behind {@code remora certs}) into a test's temporary directory, config records with a {@code tls} block, JDK
 * client contexts made from the same PEM files, and reads of a running proxy's admin API.
 */
final class Mtls {
    static final String TRUST_DOMAIN = "cluster.local";
    static final String FRONTEND = "spiffe://cluster.local/ns/shop/sa/frontend";
    static final String API = "spiffe://cluster.local/ns/shop/sa/api";
    static final String STRANGER = "spiffe://cluster.local/ns/other/sa/stranger";

    private Mtls() {
    }

    /** A new root CA in {@code dir} ({@code ca.crt}, {@code ca.key}). */
    static Path ca(Path dir) throws IOException {
        CertificateAuthority.initCa(TRUST_DOMAIN, dir, Clock.systemUTC());
        return dir;
    }

    /** A workload certificate for {@code id} (plus DNS names), valid for a day, in {@code dir}. */
    static Path workload(Path caDir, Path dir, String id, String... dns) throws IOException {
        CertificateAuthority.issue(caDir, id, List.of(dns), Duration.ofHours(24), dir, Clock.systemUTC());
        return dir;
    }

    static String file(Path dir, String name) {
        return dir.resolve(name).toString();
    }

    /** A listener's tls block: the workload's certificate; with {@code mtls}, client certificates required. */
    static TlsConfig serverTls(Path workload, boolean mtls, TlsMode mode, String... allowed) {
        return new TlsConfig(file(workload, CertificateAuthority.CERT_FILE), file(workload, CertificateAuthority.KEY_FILE),
                mtls ? file(workload, CertificateAuthority.CA_CERT_FILE) : null, mode, List.of(allowed), null, null,
                "1.2");
    }

    /** A cluster's tls block: the workload's certificate as client certificate, its CA bundle as trust. */
    static TlsConfig clientTls(Path workload, String serverIdentity, String sni) {
        return new TlsConfig(file(workload, CertificateAuthority.CERT_FILE), file(workload, CertificateAuthority.KEY_FILE),
                file(workload, CertificateAuthority.CA_CERT_FILE), TlsMode.STRICT, List.of(), serverIdentity, sni,
                "1.2");
    }

    static ListenerConfig withTls(ListenerConfig l, TlsConfig tls) {
        return with(l, "tls", tls);
    }

    static ListenerConfig withAccessLog(ListenerConfig l, Path log) {
        return with(l, "accessLog", new AccessLogConfig(log.toString(), AccessLogConfig.JSON));
    }

    static ClusterConfig withTls(ClusterConfig c, TlsConfig tls) {
        return with(c, "tls", tls);
    }

    /**
     * A copy of {@code record} with one component replaced, every other kept: config records gain components as
     * features land, and a copy through the canonical constructor keeps up with them.
     */
    @SuppressWarnings("unchecked")
    static <R extends Record> R with(R record, String component, Object value) {
        try {
            RecordComponent[] components = record.getClass().getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            boolean found = false;
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                if (components[i].getName().equals(component)) {
                    args[i] = value;
                    found = true;
                } else {
                    args[i] = components[i].getAccessor().invoke(record);
                }
            }
            if (!found) {
                throw new IllegalArgumentException(record.getClass().getSimpleName() + " has no " + component);
            }
            return (R) record.getClass().getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JDK client context: presents the workload certificate in {@code clientCert} (none when null) and trusts
     * the CA certificate {@code trustCa}. Host names are not checked (the tests connect to 127.0.0.1).
     */
    static SSLContext clientContext(Path clientCert, Path trustCa) {
        try {
            KeyManagerFactory kmf = null;
            if (clientCert != null) {
                List<X509Certificate> chain = Pem.readCertificates(clientCert.resolve(CertificateAuthority.CERT_FILE));
                PrivateKey key = Pem.readPrivateKey(clientCert.resolve(CertificateAuthority.KEY_FILE));
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("me", key, new char[0], chain.toArray(X509Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            List<X509Certificate> cas = Pem.readCertificates(trustCa);
            for (int i = 0; i < cas.size(); i++) {
                trust.setCertificateEntry("ca" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code GET path} on the admin API, which must answer 200. */
    static String admin(ProxyHarness p, String path) {
        try (RawHttpClient c = new RawHttpClient(p.server().adminAddress().getPort())) {
            RawResponse r = c.get(path);
            if (r.status() != 200) {
                throw new AssertionError("GET " + path + ": " + r);
            }
            return r.bodyText();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        }
    }

    /** One sample of a fresh {@code /stats/prometheus} scrape. */
    static double metric(ProxyHarness p, String name, String... labels) {
        return Exposition.parse(admin(p, "/stats/prometheus")).value(name, labels);
    }

    /** {@code remora_tls_handshake_failures_total{listener, reason}}. */
    static double handshakeFailures(ProxyHarness p, String listener, TlsRefusal.Reason reason) {
        return metric(p, "remora_tls_handshake_failures_total", "listener", listener, "reason", reason.label());
    }

    /** The {@code certificates} of {@code GET /certs}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> certs(ProxyHarness p) {
        return (List<Map<String, Object>>) JsonReader.parseObject(admin(p, "/certs")).get("certificates");
    }

    /** The {@code /certs} entry of {@code owner} ({@code "listener NAME"} or {@code "cluster NAME"}). */
    static Map<String, Object> certsOf(ProxyHarness p, String owner) {
        for (Map<String, Object> c : certs(p)) {
            if (owner.equals(c.get("owner"))) {
                return c;
            }
        }
        throw new AssertionError("no " + owner + " in GET /certs: " + admin(p, "/certs"));
    }

    /** The serial {@code /certs} shows for {@code owner}'s certificate. */
    @SuppressWarnings("unchecked")
    static String servedSerial(ProxyHarness p, String owner) {
        return (String) ((Map<String, Object>) certsOf(p, owner).get("certificate")).get("serial");
    }
}
