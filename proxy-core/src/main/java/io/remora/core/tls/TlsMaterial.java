package io.remora.core.tls;

import io.remora.config.model.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One loaded set of TLS files: the certificate chain and its key (checked to match), and the trust bundle. Loaded
 * whole or not at all, so a rotation that leaves the files half-written or mismatched is refused and the material
 * in use keeps serving.
 *
 * @param trust the CA certificates to verify the peer against, or empty for none given
 */
public record TlsMaterial(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> trust) {

    public TlsMaterial {
        chain = List.copyOf(chain);
        trust = List.copyOf(trust);
    }

    /** Reads the files a {@code tls} block names; the message of any exception names the file and the problem. */
    public static TlsMaterial load(TlsConfig config) throws IOException {
        List<X509Certificate> chain = List.of();
        PrivateKey key = null;
        if (config.certFile() != null) {
            chain = Pem.readCertificates(Path.of(config.certFile()));
            key = Pem.readPrivateKey(Path.of(config.keyFile()));
            if (!Pem.keyMatchesCertificate(key, chain.get(0))) {
                throw new IOException(config.keyFile() + " is not the key of the certificate in " + config.certFile());
            }
        }
        List<X509Certificate> trust = config.caFile() == null ? List.of() : Pem.readCertificates(Path.of(config.caFile()));
        return new TlsMaterial(chain, key, trust);
    }

    /** The leaf certificate, or null when no certificate is presented (a cluster without a client certificate). */
    public X509Certificate leaf() {
        return chain.isEmpty() ? null : chain.get(0);
    }
}
