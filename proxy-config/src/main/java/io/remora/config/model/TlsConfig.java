package io.remora.config.model;

import java.util.List;

/**
 * TLS on a listener (inbound: terminate, optionally require and verify client certificates) or on a cluster
 * (outbound: originate, verify the upstream). Files are PEM and watched: new handshakes use rotated material.
 *
 * @param caFile            listener: presence requires client certificates chaining to it; cluster: verify the
 *                          upstream against it ({@code null}: the JDK's trust store)
 * @param mode              listener only: {@link TlsMode#STRICT} or {@link TlsMode#PERMISSIVE} (plaintext too)
 * @param allowedIdentities listener only: SPIFFE IDs a client may present, exact or ending in {@code /*}; empty = any
 * @param serverIdentity    cluster only: the URI SAN the upstream must present, or null
 * @param sni               cluster only: the SNI host name (also checked as a DNS SAN without serverIdentity)
 * @param minVersion        {@code 1.2} or {@code 1.3}
 */
public record TlsConfig(String certFile, String keyFile, String caFile, TlsMode mode, List<String> allowedIdentities,
        String serverIdentity, String sni, String minVersion) {

    public TlsConfig {
        allowedIdentities = List.copyOf(allowedIdentities);
    }

    /** Whether a listener plays mTLS: client certificates are required and verified. */
    public boolean requiresClientCertificate() {
        return caFile != null;
    }

    /** Listener modes. */
    public enum TlsMode {
        STRICT("strict"),
        PERMISSIVE("permissive");

        private final String configName;

        TlsMode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }
}
