package io.remora.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    private static final Instant NOW = Instant.parse("2030-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String API = "spiffe://cluster.local/ns/shop/sa/api";

    @TempDir
    Path dir;

    private Path caDir;
    private X509Certificate ca;

    @BeforeEach
    void makeCa() throws IOException {
        caDir = dir.resolve("ca");
        ca = CertificateAuthority.initCa("cluster.local", caDir, CLOCK);
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private static byte[] extension(X509Certificate cert, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
        byte[] value = cert.getExtensionValue(oid.getId());
        return value == null ? null : ASN1OctetString.getInstance(value).getOctets();
    }

    private static List<String> sans(X509Certificate cert) throws Exception {
        List<String> out = new ArrayList<>();
        for (List<?> san : cert.getSubjectAlternativeNames()) {
            out.add(san.get(0) + ":" + san.get(1));
        }
        return out;
    }

    /** The JDK's own PKIX path validation, as a TLS peer would do it, at {@code at}. */
    private static void validate(X509Certificate leaf, X509Certificate root, Instant at) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
    }

    @Test
    void initCaWritesASelfSignedP256Root() throws Exception {
        assertEquals(List.of(ca), Pem.readCertificates(caDir.resolve("ca.crt")));
        assertEquals("rw-------", mode(caDir.resolve("ca.key")));
        assertEquals("rw-r--r--", mode(caDir.resolve("ca.crt")));
        PrivateKey key = Pem.readPrivateKey(caDir.resolve("ca.key"));
        assertTrue(Pem.keyMatchesCertificate(key, ca));

        ca.verify(ca.getPublicKey());
        assertEquals(new X500Principal("CN=Remora CA cluster.local, O=Remora"), ca.getSubjectX500Principal());
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        assertEquals(Integer.MAX_VALUE, ca.getBasicConstraints(), "CA:true without a path length");
        assertTrue(ca.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")),
                "basicConstraints and keyUsage are critical: " + ca.getCriticalExtensionOIDs());
        boolean[] ku = ca.getKeyUsage();
        assertFalse(ku[0], "digitalSignature");
        assertTrue(ku[5], "keyCertSign");
        assertTrue(ku[6], "cRLSign");
        assertEquals("spiffe://cluster.local", SpiffeId.fromCertificate(ca).orElseThrow().toString());
        assertEquals(NOW.minus(Duration.ofMinutes(5)), ca.getNotBefore().toInstant());
        assertEquals(NOW.plus(Duration.ofDays(3650)), ca.getNotAfter().toInstant());
        assertTrue(extension(ca, Extension.subjectKeyIdentifier) != null, "subject key identifier");
        assertTrue(ca.getSerialNumber().signum() > 0);
        assertTrue(ca.getSerialNumber().bitLength() <= 128);
        assertEquals("SHA256withECDSA", ca.getSigAlgName());
        assertEquals(256, ((ECPublicKey) ca.getPublicKey()).getParams().getCurve().getField().getFieldSize());
    }

    @Test
    void initCaRefusesAnInvalidTrustDomain() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CertificateAuthority.initCa("Cluster.Local", dir.resolve("bad"), CLOCK));
        assertTrue(e.getMessage().startsWith("\"Cluster.Local\": the trust domain may only contain"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("bad")), "nothing written");
        assertThrows(IllegalArgumentException.class,
                () -> CertificateAuthority.initCa("cluster.local/x", dir.resolve("bad"), CLOCK));
    }

    @Test
    void everyCaHasItsOwnKeyAndSerial() throws Exception {
        X509Certificate other = CertificateAuthority.initCa("cluster.local", dir.resolve("other"), CLOCK);
        assertNotEquals(ca.getSerialNumber(), other.getSerialNumber());
        assertNotEquals(ca.getPublicKey(), other.getPublicKey());
    }

    @Test
    void issuesAWorkloadCertificateSignedByTheCa() throws Exception {
        Path out = dir.resolve("api");
        X509Certificate leaf = CertificateAuthority.issue(caDir, API, List.of("api.shop.svc", "*.api.shop.svc"),
                Duration.ofHours(24), out, CLOCK);

        assertEquals(List.of(leaf), Pem.readCertificates(out.resolve("tls.crt")));
        assertArrayEquals(Files.readAllBytes(caDir.resolve("ca.crt")), Files.readAllBytes(out.resolve("ca.crt")),
                "ca.crt is a copy of the trust bundle");
        assertEquals("rw-------", mode(out.resolve("tls.key")));
        assertEquals("rw-r--r--", mode(out.resolve("tls.crt")));
        assertTrue(Pem.keyMatchesCertificate(Pem.readPrivateKey(out.resolve("tls.key")), leaf));
        assertFalse(Pem.keyMatchesCertificate(Pem.readPrivateKey(caDir.resolve("ca.key")), leaf));

        leaf.verify(ca.getPublicKey());
        validate(leaf, ca, NOW);
        assertEquals(ca.getSubjectX500Principal(), leaf.getIssuerX500Principal());
        assertEquals(new X500Principal("CN=api.shop.svc, O=Remora"), leaf.getSubjectX500Principal());
        assertEquals(List.of("6:" + API, "2:api.shop.svc", "2:*.api.shop.svc"), sans(leaf));
        assertEquals(API, SpiffeId.fromCertificate(leaf).orElseThrow().toString());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage(),
                "serverAuth and clientAuth");
        boolean[] ku = leaf.getKeyUsage();
        assertTrue(ku[0], "digitalSignature");
        assertTrue(ku[2], "keyEncipherment");
        assertFalse(ku[5], "keyCertSign");
        assertEquals(-1, leaf.getBasicConstraints(), "CA:false");
        assertTrue(leaf.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")),
                leaf.getCriticalExtensionOIDs().toString());
        assertEquals(NOW.minus(Duration.ofMinutes(5)), leaf.getNotBefore().toInstant(), "clock skew allowance");
        assertEquals(NOW.plus(Duration.ofHours(24)), leaf.getNotAfter().toInstant());
        byte[] caSki = SubjectKeyIdentifier.getInstance(extension(ca, Extension.subjectKeyIdentifier))
                .getKeyIdentifier();
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(
                extension(leaf, Extension.authorityKeyIdentifier));
        assertArrayEquals(caSki, aki.getKeyIdentifierObject().getOctets());
        assertNull(aki.getAuthorityCertIssuer(), "the key identifier alone");
        assertTrue(extension(leaf, Extension.subjectKeyIdentifier) != null);
        assertTrue(leaf.getSerialNumber().bitLength() <= 128);
    }

    @Test
    void theJdkRefusesTheCertificateOutsideItsValidity() throws Exception {
        X509Certificate leaf = CertificateAuthority.issue(caDir, API, List.of(), Duration.ofHours(1),
                dir.resolve("api"), CLOCK);
        validate(leaf, ca, NOW.minus(Duration.ofMinutes(4)));
        assertThrows(CertPathValidatorException.class, () -> validate(leaf, ca, NOW.minus(Duration.ofMinutes(6))));
        assertThrows(CertPathValidatorException.class, () -> validate(leaf, ca, NOW.plus(Duration.ofMinutes(61))));
        X509Certificate otherCa = CertificateAuthority.initCa("cluster.local", dir.resolve("other"), CLOCK);
        assertThrows(CertPathValidatorException.class, () -> validate(leaf, otherCa, NOW));
    }

    @Test
    void withoutDnsNamesTheSubjectIsTheOrganisationAlone() throws Exception {
        X509Certificate leaf = CertificateAuthority.issue(caDir, API, List.of(), Duration.ofMinutes(10),
                dir.resolve("api"), CLOCK);
        assertEquals(new X500Principal("O=Remora"), leaf.getSubjectX500Principal());
        assertEquals(List.of("6:" + API), sans(leaf));
    }

    @Test
    void issuingAgainRotatesKeyAndSerial() throws Exception {
        Path out = dir.resolve("api");
        X509Certificate first = CertificateAuthority.issue(caDir, API, List.of(), Duration.ofHours(1), out, CLOCK);
        byte[] firstKey = Files.readAllBytes(out.resolve("tls.key"));
        X509Certificate second = CertificateAuthority.issue(caDir, API, List.of(), Duration.ofHours(1), out, CLOCK);
        assertNotEquals(first.getSerialNumber(), second.getSerialNumber());
        assertNotEquals(first.getPublicKey(), second.getPublicKey());
        assertFalse(java.util.Arrays.equals(firstKey, Files.readAllBytes(out.resolve("tls.key"))));
        assertTrue(Pem.keyMatchesCertificate(Pem.readPrivateKey(out.resolve("tls.key")),
                Pem.readCertificates(out.resolve("tls.crt")).get(0)));
    }

    @Test
    void refusesAnIdOutsideTheCasTrustDomain() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, "spiffe://other.local/ns/shop/sa/api", List.of(), Duration.ofHours(1), dir.resolve("x"),
                CLOCK));
        assertEquals("spiffe://other.local/ns/shop/sa/api is outside the CA's trust domain cluster.local (expected"
                + " an ID starting spiffe://cluster.local/)", e.getMessage());
        assertFalse(Files.exists(dir.resolve("x")), "nothing written");
    }

    @Test
    void refusesInvalidRequests() {
        Path out = dir.resolve("x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, "spiffe://cluster.local", List.of(), Duration.ofHours(1), out, CLOCK));
        assertTrue(e.getMessage().startsWith("spiffe://cluster.local names a trust domain, not a workload"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, "https://cluster.local/x", List.of(), Duration.ofHours(1), out, CLOCK));
        assertTrue(e.getMessage().contains("expected a SPIFFE ID"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, API, List.of("bad_name.svc"), Duration.ofHours(1), out, CLOCK));
        assertTrue(e.getMessage().startsWith("DNS name \"bad_name.svc\": "), e.getMessage());
        for (String dns : List.of("", "10.0.0.1", "::1", "a..b", "-a.b", "a.b-", "x." + "a".repeat(64), "a.*.b")) {
            assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                    caDir, API, List.of(dns), Duration.ofHours(1), out, CLOCK), dns);
        }
        e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, API, List.of(), Duration.ZERO, out, CLOCK));
        assertEquals("ttl 0s: must be > 0", e.getMessage());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void refusesACertificateThatWouldOutliveTheCa() {
        Clock late = Clock.fixed(NOW.plus(Duration.ofDays(3649)), ZoneOffset.UTC);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, API, List.of(), Duration.ofHours(48), dir.resolve("x"), late));
        assertEquals("ttl 48h would outlive the CA, which expires 2040-02-27 12:00:00 UTC (expected a ttl of at most"
                + " 24h)", e.getMessage());
        Clock afterExpiry = Clock.fixed(NOW.plus(Duration.ofDays(3651)), ZoneOffset.UTC);
        e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, API, List.of(), Duration.ofHours(1), dir.resolve("x"), afterExpiry));
        assertEquals("the CA certificate " + caDir.resolve("ca.crt") + " expired on 2040-02-27 12:00:00 UTC",
                e.getMessage());
    }

    @Test
    void aMissingOrIncompleteCaDirectoryIsOneSentence() throws Exception {
        Path missing = dir.resolve("nope");
        IOException e = assertThrows(IOException.class, () -> CertificateAuthority.issue(
                missing, API, List.of(), Duration.ofHours(1), dir.resolve("x"), CLOCK));
        assertEquals("cannot read the CA in " + missing + ": no such directory", e.getMessage());

        Files.delete(caDir.resolve("ca.key"));
        e = assertThrows(IOException.class, () -> CertificateAuthority.issue(
                caDir, API, List.of(), Duration.ofHours(1), dir.resolve("x"), CLOCK));
        assertEquals("cannot read the CA in " + caDir + ": " + caDir.resolve("ca.key") + ": no such file (is "
                + caDir + " a directory made by remora certs init-ca?)", e.getMessage());

        Files.writeString(caDir.resolve("ca.key"), "not a key");
        e = assertThrows(IOException.class, () -> CertificateAuthority.issue(
                caDir, API, List.of(), Duration.ofHours(1), dir.resolve("x"), CLOCK));
        assertTrue(e.getMessage().startsWith("cannot read the CA in " + caDir + ": " + caDir.resolve("ca.key")
                + ": not a PEM private key"), e.getMessage());
    }

    @Test
    void refusesACaKeyThatIsNotTheCertificatesOrANonCaCertificate() throws Exception {
        Path other = dir.resolve("other");
        CertificateAuthority.initCa("cluster.local", other, CLOCK);
        Files.copy(other.resolve("ca.key"), caDir.resolve("ca.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                caDir, API, List.of(), Duration.ofHours(1), dir.resolve("x"), CLOCK));
        assertEquals(caDir.resolve("ca.key") + " is not the key of the CA certificate " + caDir.resolve("ca.crt"),
                e.getMessage());

        Path workload = dir.resolve("workload");
        CertificateAuthority.issue(other, API, List.of(), Duration.ofHours(1), workload, CLOCK);
        Path fake = Files.createDirectory(dir.resolve("fake"));
        Files.copy(workload.resolve("tls.crt"), fake.resolve("ca.crt"));
        Files.copy(workload.resolve("tls.key"), fake.resolve("ca.key"));
        e = assertThrows(IllegalArgumentException.class, () -> CertificateAuthority.issue(
                fake, API, List.of(), Duration.ofHours(1), dir.resolve("x"), CLOCK));
        assertEquals(fake.resolve("ca.crt") + " is not a CA certificate (it has no CA:true basic constraint)",
                e.getMessage());
    }

    @Test
    void describesACertificateInPlainWords() throws Exception {
        X509Certificate leaf = CertificateAuthority.issue(caDir, API, List.of("api.shop.svc"), Duration.ofHours(24),
                dir.resolve("api"), CLOCK);
        String text = CertificateAuthority.describe(leaf, CLOCK);
        String fingerprint = HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
        String serial = leaf.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
        assertEquals(String.join("\n",
                "Subject:             CN=api.shop.svc, O=Remora",
                "Issuer:              CN=Remora CA cluster.local, O=Remora",
                "Serial:              " + (serial.length() % 2 == 0 ? serial : "0" + serial),
                "SPIFFE ID:           " + API,
                "SANs:                URI:" + API + ", DNS:api.shop.svc",
                "CA:                  no",
                "Key usage:           digitalSignature, keyEncipherment",
                "Extended key usage:  serverAuth, clientAuth",
                "Not before:          2030-03-01 11:55:00 UTC",
                "Not after:           2030-03-02 12:00:00 UTC (expires in 24 h)",
                "Key:                 EC P-256, 256 bits",
                "Signature:           SHA256withECDSA",
                "SHA-256 fingerprint: " + fingerprint), text);

        Clock later = Clock.fixed(NOW.plus(Duration.ofHours(26)), ZoneOffset.UTC);
        assertTrue(CertificateAuthority.describe(leaf, later).contains("(EXPIRED 2 h ago)"),
                CertificateAuthority.describe(leaf, later));
        Clock earlier = Clock.fixed(NOW.minus(Duration.ofMinutes(30)), ZoneOffset.UTC);
        assertTrue(CertificateAuthority.describe(leaf, earlier).contains("(NOT YET VALID: starts in 25 min)"),
                CertificateAuthority.describe(leaf, earlier));

        String root = CertificateAuthority.describe(ca, CLOCK);
        assertTrue(root.contains("Issuer:              CN=Remora CA cluster.local, O=Remora (self-signed)\n"), root);
        assertTrue(root.contains("CA:                  yes\n"), root);
        assertTrue(root.contains("Key usage:           keyCertSign, cRLSign\n"), root);
        assertTrue(root.contains("(expires in 3650 days)"), root);
    }

    @Test
    void roughDurations() {
        assertEquals("0 s", CertificateAuthority.roughly(Duration.ZERO));
        assertEquals("59 s", CertificateAuthority.roughly(Duration.ofSeconds(59)));
        assertEquals("1 min", CertificateAuthority.roughly(Duration.ofSeconds(60)));
        assertEquals("119 min", CertificateAuthority.roughly(Duration.ofMinutes(119)));
        assertEquals("2 h", CertificateAuthority.roughly(Duration.ofHours(2)));
        assertEquals("23 h", CertificateAuthority.roughly(Duration.ofHours(24).minusSeconds(1)));
        assertEquals("47 h", CertificateAuthority.roughly(Duration.ofHours(47)));
        assertEquals("2 days", CertificateAuthority.roughly(Duration.ofHours(48)));
    }

    @Test
    void opensslVerifiesTheChainAndShowsTheSpiffeId() throws Exception {
        assumeTrue(Openssl.available(), "openssl is not on the PATH");
        // openssl checks validity against the real time, so this CA and certificate are made with the real clock
        Clock real = Clock.systemUTC();
        Path root = dir.resolve("real-ca");
        Path out = dir.resolve("real-api");
        CertificateAuthority.initCa("cluster.local", root, real);
        X509Certificate leaf = CertificateAuthority.issue(root, API, List.of("api.shop.svc"), Duration.ofHours(1),
                out, real);
        String ca = out.resolve("ca.crt").toString();
        String crt = out.resolve("tls.crt").toString();
        assertTrue(Openssl.ok("verify", "-CAfile", ca, crt).contains(": OK"));
        Openssl.ok("verify", "-purpose", "sslserver", "-CAfile", ca, crt);
        Openssl.ok("verify", "-purpose", "sslclient", "-CAfile", ca, crt);
        String text = Openssl.ok("x509", "-in", crt, "-noout", "-text");
        assertTrue(text.contains("URI:" + API), text);
        assertTrue(text.contains("DNS:api.shop.svc"), text);
        assertTrue(text.contains("CA:FALSE"), text);
        assertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text);
        assertTrue(text.contains("ASN1 OID: prime256v1"), text);
        String fingerprint = Openssl.ok("x509", "-in", crt, "-noout", "-fingerprint", "-sha256");
        assertTrue(CertificateAuthority.describe(leaf, real).contains(fingerprint.substring(
                fingerprint.indexOf('=') + 1).strip()), fingerprint);
        Openssl.ok("pkey", "-in", out.resolve("tls.key").toString(), "-noout");
        Openssl.ok("pkey", "-in", root.resolve("ca.key").toString(), "-noout");
        // and a certificate of another CA does not verify
        Path stranger = dir.resolve("stranger");
        CertificateAuthority.initCa("cluster.local", stranger, real);
        assertNotEquals(0, Openssl.run("verify", "-CAfile", stranger.resolve("ca.crt").toString(), crt).exit());
    }
}
