package io.remora.core.tls;

import io.remora.config.load.Durations;
import io.remora.config.validate.ValidationError;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A minimal certificate authority for a mesh, behind {@code remora certs}: an EC P-256 root and short-lived EC P-256
 * workload certificates (X.509 SVIDs) whose one URI SAN is the workload's SPIFFE ID, usable for both server and
 * client authentication. The files are PEM and follow the layout of a Kubernetes TLS secret, so standard tools
 * accept them ({@code openssl verify -CAfile ca.crt tls.crt}).
 *
 * <p>It is meant for trying and testing a mesh, not as a production PKI: the root key sits unencrypted (mode 0600)
 * in a directory, and nothing revokes a certificate; short TTLs are the revocation. Keys are made and certificates
 * signed by the JDK's default providers; BouncyCastle only assembles the X.509 structures.
 *
 * <p>Every time read goes through the {@link Clock} passed in, so tests can mint certificates that are expired or
 * not yet valid.
 */
public final class CertificateAuthority {
    /** The CA certificate (also the trust bundle copied next to each workload certificate). */
    public static final String CA_CERT_FILE = "ca.crt";
    /** The CA's private key, mode 0600. */
    public static final String CA_KEY_FILE = "ca.key";
    /** A workload's certificate. */
    public static final String CERT_FILE = "tls.crt";
    /** A workload's private key, mode 0600. */
    public static final String KEY_FILE = "tls.key";

    /** How long a root made by {@link #initCa} is valid. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** The default lifetime of a workload certificate. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    /**
     * How far before "now" every certificate starts to be valid, so that a peer whose clock is a little behind
     * does not refuse a certificate issued a moment ago as "not yet valid".
     */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final int MAX_COMMON_NAME = 64; // ub-common-name, RFC 5280
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private CertificateAuthority() {
    }

    /**
     * Creates a root CA for {@code trustDomain} in {@code outDir} (created if missing): {@code ca.crt} and
     * {@code ca.key} (0600), replacing any there. The certificate is self-signed with an EC P-256 key, subject
     * {@code O=Remora, CN=Remora CA <trust-domain>}, CA:true and keyCertSign|cRLSign (both critical), the URI SAN
     * {@code spiffe://<trust-domain>} (which {@link #issue} reads to keep workloads in the trust domain), valid
     * for {@link #CA_VALIDITY} from {@link #CLOCK_SKEW} before now. Refusing to overwrite an existing CA is the
     * caller's choice ({@code remora certs init-ca} asks for {@code --force}).
     *
     * @return the CA certificate written
     * @throws IllegalArgumentException if {@code trustDomain} is not a valid SPIFFE trust domain name
     */
    public static X509Certificate initCa(String trustDomain, Path outDir, Clock clock) throws IOException {
        SpiffeId domainId = SpiffeId.ofTrustDomain(trustDomain);
        Files.createDirectories(outDir);
        KeyPair keys = newKeyPair();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String cn = "Remora CA " + trustDomain;
        X500Name subject = name(cn.length() <= MAX_COMMON_NAME ? cn : "Remora CA");
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, randomSerial(),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                            new GeneralName(GeneralName.uniformResourceIdentifier, domainId.toString())));
            X509Certificate ca = sign(builder, keys.getPrivate());
            Pem.writePrivateKey(outDir.resolve(CA_KEY_FILE), keys.getPrivate());
            Pem.writeCertificates(outDir.resolve(CA_CERT_FILE), List.of(ca));
            return ca;
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Issues a workload certificate for {@code spiffeId}, signed by the CA in {@code caDir} ({@code ca.crt},
     * {@code ca.key}), and writes to {@code outDir} (created if missing) {@code ca.crt} (a copy of the CA's trust
     * bundle), {@code tls.key} (PKCS#8, 0600) and {@code tls.crt}, in that order, each atomically: a proxy watching
     * the files sees the new key before the new certificate, refuses that mismatched pair, and picks up the pair
     * when the certificate lands.
     *
     * <p>The certificate has a new EC P-256 key; subject {@code O=Remora} (with {@code CN=} the first DNS name, if
     * any); SANs: the SPIFFE ID as the one URI, then the DNS names; keyUsage digitalSignature|keyEncipherment and
     * CA:false (critical); extendedKeyUsage serverAuth, clientAuth; subject and authority key identifiers; valid
     * from {@link #CLOCK_SKEW} before now until now + {@code ttl}.
     *
     * @param dnsNames host names such as {@code api.shop.svc} or {@code *.shop.svc}; may be empty
     * @return the workload certificate written
     * @throws IllegalArgumentException if the SPIFFE ID is invalid, has no path, or is outside the CA's trust
     *                                  domain (the trust domain of the CA's own SPIFFE ID URI SAN, when it has
     *                                  one); if a DNS name is invalid; if {@code ttl} is not positive or would
     *                                  outlive the CA; if the CA has expired, is not a CA, or its key does not
     *                                  match its certificate
     * @throws IOException              if the CA files cannot be read (the message names the file and says why)
     *                                  or the output cannot be written
     */
    public static X509Certificate issue(Path caDir, String spiffeId, List<String> dnsNames, Duration ttl,
            Path outDir, Clock clock) throws IOException {
        SpiffeId id = SpiffeId.parse(spiffeId);
        if (id.path().isEmpty()) {
            throw new IllegalArgumentException(spiffeId + " names a trust domain, not a workload (expected a path,"
                    + " such as " + id + "/ns/shop/sa/api)");
        }
        for (String dns : dnsNames) {
            checkDnsName(dns);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl " + Durations.format(ttl) + ": must be > 0");
        }
        Path caCertFile = caDir.resolve(CA_CERT_FILE);
        Path caKeyFile = caDir.resolve(CA_KEY_FILE);
        List<X509Certificate> bundle = readCaCertificates(caDir, caCertFile);
        X509Certificate ca = bundle.get(0);
        PrivateKey caKey = readCaKey(caDir, caKeyFile);
        if (ca.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(caCertFile + " is not a CA certificate (it has no CA:true basic"
                    + " constraint)");
        }
        if (!Pem.keyMatchesCertificate(caKey, ca)) {
            throw new IllegalArgumentException(caKeyFile + " is not the key of the CA certificate " + caCertFile);
        }
        Optional<SpiffeId> caId = SpiffeId.fromCertificate(ca);
        if (caId.isPresent() && !id.isMemberOf(caId.get().trustDomain())) {
            throw new IllegalArgumentException(id + " is outside the CA's trust domain " + caId.get().trustDomain()
                    + " (expected an ID starting " + caId.get() + "/)");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant caNotAfter = ca.getNotAfter().toInstant();
        if (!now.isBefore(caNotAfter)) {
            throw new IllegalArgumentException("the CA certificate " + caCertFile + " expired on "
                    + TIME.format(caNotAfter));
        }
        Instant notAfter = now.plus(ttl);
        if (notAfter.isAfter(caNotAfter)) {
            throw new IllegalArgumentException("ttl " + Durations.format(ttl) + " would outlive the CA, which expires "
                    + TIME.format(caNotAfter) + " (expected a ttl of at most "
                    + Durations.format(Duration.between(now, caNotAfter).truncatedTo(ChronoUnit.HOURS)) + ")");
        }

        KeyPair keys = newKeyPair();
        List<GeneralName> sans = new ArrayList<>();
        sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.toString()));
        for (String dns : dnsNames) {
            sans.add(new GeneralName(GeneralName.dNSName, dns));
        }
        X500Name subject = dnsNames.isEmpty() || dnsNames.get(0).length() > MAX_COMMON_NAME
                ? new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Remora").build() : name(dnsNames.get(0));
        X509Certificate leaf;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, randomSerial(),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(ext, ca))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
            leaf = sign(builder, caKey);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the certificate: " + e.getMessage(), e);
        }
        Files.createDirectories(outDir);
        Pem.writeCertificates(outDir.resolve(CA_CERT_FILE), bundle);
        Pem.writePrivateKey(outDir.resolve(KEY_FILE), keys.getPrivate());
        Pem.writeCertificates(outDir.resolve(CERT_FILE), List.of(leaf));
        return leaf;
    }

    /** {@link #describe(X509Certificate, Clock)} against the system clock. */
    public static String describe(X509Certificate certificate) {
        return describe(certificate, Clock.systemUTC());
    }

    /**
     * A certificate in plain words, one {@code Label: value} per line, for {@code remora certs inspect}: subject,
     * issuer, serial (hex), SPIFFE ID, SANs (URI, DNS, IP), whether it is a CA, key usages, validity with how long
     * until it expires ({@code expires in 23 h}, {@code EXPIRED 2 h ago}, {@code NOT YET VALID}), key type and size,
     * signature algorithm and SHA-256 fingerprint (as {@code openssl x509 -fingerprint -sha256} prints it).
     */
    public static String describe(X509Certificate certificate, Clock clock) {
        List<String[]> rows = new ArrayList<>();
        String subject = certificate.getSubjectX500Principal().getName(X500Principal.RFC1779);
        String issuer = certificate.getIssuerX500Principal().getName(X500Principal.RFC1779);
        rows.add(new String[] {"Subject", subject.isEmpty() ? "(empty)" : subject});
        rows.add(new String[] {"Issuer", issuer + (certificate.getIssuerX500Principal().equals(
                certificate.getSubjectX500Principal()) ? " (self-signed)" : "")});
        rows.add(new String[] {"Serial", serialHex(certificate.getSerialNumber())});
        rows.add(new String[] {"SPIFFE ID", SpiffeId.fromCertificate(certificate).map(SpiffeId::toString)
                .orElse("none")});
        rows.add(new String[] {"SANs", subjectAltNames(certificate)});
        int pathLength = certificate.getBasicConstraints();
        rows.add(new String[] {"CA", pathLength < 0 ? "no"
                : "yes" + (pathLength == Integer.MAX_VALUE ? "" : " (path length " + pathLength + ")")});
        rows.add(new String[] {"Key usage", keyUsage(certificate)});
        rows.add(new String[] {"Extended key usage", extendedKeyUsage(certificate)});
        Instant now = clock.instant();
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        rows.add(new String[] {"Not before", TIME.format(notBefore) + (now.isBefore(notBefore)
                ? " (NOT YET VALID: starts in " + roughly(Duration.between(now, notBefore)) + ")" : "")});
        String expiry;
        if (now.isAfter(notAfter)) {
            expiry = "EXPIRED " + roughly(Duration.between(notAfter, now)) + " ago";
        } else {
            expiry = "expires in " + roughly(Duration.between(now, notAfter));
        }
        rows.add(new String[] {"Not after", TIME.format(notAfter) + " (" + expiry + ")"});
        rows.add(new String[] {"Key", keyDescription(certificate.getPublicKey())});
        rows.add(new String[] {"Signature", certificate.getSigAlgName()});
        rows.add(new String[] {"SHA-256 fingerprint", fingerprint(certificate)});
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2;
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(row[0]).append(':').append(" ".repeat(width - row[0].length() - 1)).append(row[1]);
        }
        return out.toString();
    }

    /**
     * A duration as a person would say it, rounded down: {@code 40 s}, {@code 17 min}, {@code 23 h},
     * {@code 364 days}.
     */
    static String roughly(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 2 * 3600) {
            return seconds / 60 + " min";
        }
        if (seconds < 2 * 86_400) {
            return seconds / 3600 + " h";
        }
        return seconds / 86_400 + " days";
    }

    private static List<X509Certificate> readCaCertificates(Path caDir, Path file) throws IOException {
        try {
            return Pem.readCertificates(file);
        } catch (IOException e) {
            throw caUnreadable(caDir, file, e);
        }
    }

    private static PrivateKey readCaKey(Path caDir, Path file) throws IOException {
        try {
            return Pem.readPrivateKey(file);
        } catch (IOException e) {
            throw caUnreadable(caDir, file, e);
        }
    }

    private static IOException caUnreadable(Path caDir, Path file, IOException e) {
        String why;
        if (e instanceof NoSuchFileException) {
            why = Files.isDirectory(caDir) ? file + ": no such file (is " + caDir + " a directory made by remora"
                    + " certs init-ca?)" : "no such directory";
        } else if (e instanceof AccessDeniedException) {
            why = file + ": permission denied";
        } else {
            why = e.getMessage();
        }
        return new IOException("cannot read the CA in " + caDir + ": " + why, e);
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Remora").addRDN(BCStyle.CN, commonName)
                .build();
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate EC P-256 keys: " + e.getMessage(), e);
        }
    }

    /** A random positive serial of up to 128 bits: unpredictable, as the CA/Browser Forum rules ask. */
    private static BigInteger randomSerial() {
        byte[] bytes = new byte[16];
        SecureRandom random = new SecureRandom();
        BigInteger serial;
        do {
            random.nextBytes(bytes);
            serial = new BigInteger(1, bytes);
        } while (serial.signum() == 0);
        return serial;
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws OperatorCreationException, CertificateException {
        ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signingKey);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    /** The key identifier the CA declares for itself, so that the two always agree; computed if it has none. */
    private static AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils ext, X509Certificate ca) {
        byte[] ski = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski != null) {
            byte[] keyId = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ski).getOctets())
                    .getKeyIdentifier();
            return new AuthorityKeyIdentifier(keyId);
        }
        return ext.createAuthorityKeyIdentifier(ca.getPublicKey());
    }

    private static void checkDnsName(String dns) {
        String host = dns.startsWith("*.") ? dns.substring(2) : dns;
        String problem = null;
        if (host.isEmpty() || dns.length() > 253) {
            problem = host.isEmpty() ? "empty" : "longer than 253 characters";
        } else if (host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.') || host.indexOf(':') >= 0) {
            problem = "an IP address, which is not a DNS name";
        } else {
            for (String label : host.split("\\.", -1)) {
                if (label.isEmpty() || label.length() > 63) {
                    problem = "each dot-separated label must have 1-63 characters";
                    break;
                }
                if (label.startsWith("-") || label.endsWith("-")
                        || !label.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9') || c == '-')) {
                    problem = "labels may only contain letters, digits and inner '-' (a '*.' prefix is allowed)";
                    break;
                }
            }
        }
        if (problem != null) {
            throw new IllegalArgumentException("DNS name " + ValidationError.quote(dns)
                    + ": " + problem);
        }
    }

    private static String serialHex(BigInteger serial) {
        String hex = serial.toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    private static String subjectAltNames(X509Certificate certificate) {
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
        if (sans == null || sans.isEmpty()) {
            return "none";
        }
        List<String> names = new ArrayList<>();
        for (List<?> san : sans) {
            Object type = san.get(0);
            Object value = san.size() > 1 ? san.get(1) : null;
            String label = switch (type instanceof Integer i ? i : -1) {
                case 1 -> "email";
                case 2 -> "DNS";
                case 6 -> "URI";
                case 7 -> "IP";
                default -> "type " + type;
            };
            names.add(label + ":" + (value instanceof String s ? s : "(binary)"));
        }
        return String.join(", ", names);
    }

    private static String keyUsage(X509Certificate certificate) {
        boolean[] bits = certificate.getKeyUsage();
        if (bits == null) {
            return "any (no key usage extension)";
        }
        String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
        List<String> set = new ArrayList<>();
        for (int i = 0; i < bits.length && i < names.length; i++) {
            if (bits[i]) {
                set.add(names[i]);
            }
        }
        return set.isEmpty() ? "none" : String.join(", ", set);
    }

    private static String extendedKeyUsage(X509Certificate certificate) {
        List<String> oids;
        try {
            oids = certificate.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
        if (oids == null) {
            return "any (no extended key usage extension)";
        }
        List<String> names = new ArrayList<>();
        for (String oid : oids) {
            names.add(switch (oid) {
                case "1.3.6.1.5.5.7.3.1" -> "serverAuth";
                case "1.3.6.1.5.5.7.3.2" -> "clientAuth";
                case "1.3.6.1.5.5.7.3.3" -> "codeSigning";
                case "1.3.6.1.5.5.7.3.4" -> "emailProtection";
                case "1.3.6.1.5.5.7.3.8" -> "timeStamping";
                case "1.3.6.1.5.5.7.3.9" -> "OCSPSigning";
                case "2.5.29.37.0" -> "any";
                default -> oid;
            });
        }
        return String.join(", ", names);
    }

    private static String keyDescription(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            String curve = null;
            try {
                SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
                if (info.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier oid) {
                    curve = NISTNamedCurves.getName(oid);
                    if (curve == null) {
                        curve = ECNamedCurveTable.getName(oid);
                    }
                }
            } catch (RuntimeException e) {
                // an encoding BouncyCastle cannot parse: the size alone still says enough
            }
            return "EC " + (curve == null ? "" : curve + ", ") + bits + " bits";
        }
        if (key instanceof RSAPublicKey rsa) {
            return "RSA " + rsa.getModulus().bitLength() + " bits";
        }
        return key.getAlgorithm();
    }

    private static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}
