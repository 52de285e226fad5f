package io.remora.core.tls;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a peer's chain against Remora's own trust bundle (PKIX, validity included) and then checks who the
 * peer is: inbound, its SPIFFE ID against {@code allowed_identities}; outbound, the URI SAN against
 * {@code server_identity}, or the SNI name against its DNS SANs. Runs inside the handshake, so a refused peer
 * never gets a byte through; every refusal is a {@link TlsRefusal} with a countable reason.
 */
public final class IdentityTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    private final List<String> allowedIdentities;
    private final String serverIdentity;
    private final String sni;

    private IdentityTrustManager(List<X509Certificate> trust, List<String> allowedIdentities, String serverIdentity,
            String sni) {
        this.pkix = pkix(trust);
        this.allowedIdentities = List.copyOf(allowedIdentities);
        this.serverIdentity = serverIdentity;
        this.sni = sni;
    }

    /** For a listener: client certificates must chain to {@code trust} and match {@code allowed} (empty: any). */
    public static IdentityTrustManager forClients(List<X509Certificate> trust, List<String> allowed) {
        return new IdentityTrustManager(trust, allowed, null, null);
    }

    /**
     * For a cluster: the upstream must chain to {@code trust} (the JDK's default trust store when empty) and carry
     * {@code serverIdentity} as a URI SAN, or, without one, {@code sni} as a DNS SAN (when given).
     */
    public static IdentityTrustManager forServers(List<X509Certificate> trust, String serverIdentity, String sni) {
        return new IdentityTrustManager(trust, List.of(), serverIdentity, sni);
    }

    private static X509ExtendedTrustManager pkix(List<X509Certificate> trust) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (trust.isEmpty()) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                for (int i = 0; i < trust.size(); i++) {
                    ks.setCertificateEntry("ca-" + i, trust.get(i));
                }
                tmf.init(ks);
            }
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509ExtendedTrustManager in " + tmf.getAlgorithm());
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust manager: " + e.getMessage(), e);
        }
    }

    private void checkClient(X509Certificate[] chain, Runnable pkixCheck) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new TlsRefusal(TlsRefusal.Reason.NO_CERTIFICATE, "the client sent no certificate", null);
        }
        verifyChain(pkixCheck);
        if (allowedIdentities.isEmpty()) {
            return;
        }
        Optional<SpiffeId> id = SpiffeId.fromCertificate(chain[0]);
        if (id.isEmpty()) {
            throw new TlsRefusal(TlsRefusal.Reason.IDENTITY_NOT_ALLOWED, "the client certificate has no SPIFFE ID",
                    null);
        }
        for (String pattern : allowedIdentities) {
            if (id.get().matches(pattern)) {
                return;
            }
        }
        throw new TlsRefusal(TlsRefusal.Reason.IDENTITY_NOT_ALLOWED, "identity " + id.get()
                + " is not in allowed_identities", null);
    }

    private void checkServer(X509Certificate[] chain, Runnable pkixCheck) throws CertificateException {
        verifyChain(pkixCheck);
        if (serverIdentity != null) {
            Optional<SpiffeId> id = SpiffeId.fromCertificate(chain[0]);
            if (id.isEmpty() || !id.get().toString().equals(serverIdentity)) {
                throw new TlsRefusal(TlsRefusal.Reason.WRONG_IDENTITY, "the upstream presented "
                        + id.map(SpiffeId::toString).orElse("no SPIFFE ID") + ", expected " + serverIdentity, null);
            }
        } else if (sni != null && !hasDnsName(chain[0], sni)) {
            throw new TlsRefusal(TlsRefusal.Reason.WRONG_IDENTITY, "the upstream certificate does not name " + sni,
                    null);
        }
    }

    private static boolean hasDnsName(X509Certificate cert, String host) throws CertificateException {
        var sans = cert.getSubjectAlternativeNames();
        if (sans == null) {
            return false;
        }
        for (List<?> san : sans) {
            if (Integer.valueOf(2).equals(san.get(0))) { // dNSName
                String name = String.valueOf(san.get(1)).toLowerCase(java.util.Locale.ROOT);
                String h = host.toLowerCase(java.util.Locale.ROOT);
                if (name.equals(h) || (name.startsWith("*.") && h.endsWith(name.substring(1))
                        && h.indexOf('.') == h.length() - name.length() + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Runs the PKIX check, turning its exceptions into refusals with a reason. */
    private static void verifyChain(Runnable pkixCheck) throws CertificateException {
        try {
            pkixCheck.run();
        } catch (Wrapped w) {
            CertificateException e = w.cause;
            TlsRefusal.Reason reason = TlsRefusal.classify(e);
            throw new TlsRefusal(reason == TlsRefusal.Reason.OTHER ? TlsRefusal.Reason.UNKNOWN_CA : reason,
                    e.getMessage(), e);
        }
    }

    /** Carries a checked exception through {@link Runnable}. */
    private static final class Wrapped extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient CertificateException cause;

        Wrapped(CertificateException cause) {
            super(cause);
            this.cause = cause;
        }
    }

    private interface Check {
        void run() throws CertificateException;
    }

    private static Runnable wrap(Check c) {
        return () -> {
            try {
                c.run();
            } catch (CertificateException e) {
                throw new Wrapped(e);
            }
        };
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClient(chain, wrap(() -> pkix.checkClientTrusted(chain, authType, socket)));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClient(chain, wrap(() -> pkix.checkClientTrusted(chain, authType, engine)));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkClient(chain, wrap(() -> pkix.checkClientTrusted(chain, authType)));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServer(chain, wrap(() -> pkix.checkServerTrusted(chain, authType, socket)));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServer(chain, wrap(() -> pkix.checkServerTrusted(chain, authType, engine)));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkServer(chain, wrap(() -> pkix.checkServerTrusted(chain, authType)));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
