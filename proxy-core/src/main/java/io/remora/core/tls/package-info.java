/**
 * Mutual TLS between sidecars: who a peer is, and the files that prove it.
 *
 * <p>A workload's identity is a {@link io.remora.core.tls.SpiffeId} ({@code spiffe://cluster.local/ns/shop/sa/api})
 * carried as the one URI SAN of its X.509 certificate; inbound listeners admit callers whose identity matches
 * {@code allowed_identities}, outbound clusters check the upstream's. {@link io.remora.core.tls.Pem} reads and
 * writes the PEM files (PKCS#8 and traditional EC/RSA keys) with BouncyCastle, and
 * {@link io.remora.core.tls.CertificateAuthority} mints a small EC P-256 CA and workload certificates for
 * {@code remora certs}, so that a mesh can be tried, and tested end to end, without an external PKI.
 *
 * <p>BouncyCastle is used for parsing and building ASN.1 only; keys, signatures and certificates are the JDK's
 * own objects, made by its default providers, so BouncyCastle never needs registering as a JCE provider (which a
 * shaded, unsigned jar cannot reliably do).
 */
package io.remora.core.tls;
