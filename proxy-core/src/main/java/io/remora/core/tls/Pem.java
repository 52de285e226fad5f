package io.remora.core.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Reading and writing the PEM files of mTLS: certificate chains and unencrypted private keys.
 *
 * <p>Keys are read in every form the usual tools write: PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code remora
 * certs}, {@code openssl genpkey} and cert-manager write) and the traditional OpenSSL forms {@code BEGIN EC PRIVATE
 * KEY} (SEC 1, possibly after an {@code EC PARAMETERS} block) and {@code BEGIN RSA PRIVATE KEY} (PKCS#1).
 * BouncyCastle only parses the PEM and ASN.1; the key and certificate objects come from the JDK's own providers
 * ({@link KeyFactory}, {@code CertificateFactory}), so they work with any {@code SSLContext} or
 * {@code SslContextBuilder}, and BouncyCastle never has to be registered as a JCE provider (it could not be, from
 * the shaded, unsigned {@code remora.jar}, under every JDK).
 *
 * <p>Every problem with a file is an {@link IOException} whose message names the file: a missing or unreadable
 * file ({@link java.nio.file.NoSuchFileException}, {@link java.nio.file.AccessDeniedException}, whose message is
 * the path), or content that is not what was asked for ({@code no certificate in /x/tls.crt},
 * {@code /x/tls.key: not a PEM private key}, {@code /x/tls.key: encrypted keys are not supported}). Nothing
 * unchecked escapes for bad content, so a caller reloading rotated files needs one {@code catch}.
 *
 * <p>Writes are atomic: the content goes to a temporary file in the same directory, created with its final
 * permissions (0600 for keys, 0644 for certificates), and is then renamed over the target. A reader watching the
 * file (certificate rotation) never sees half a file, and a key is never readable by others, not even briefly.
 */
public final class Pem {
    private static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> CERT_MODE = PosixFilePermissions.fromString("rw-r--r--");
    /** Far above any real chain or trust bundle; a bound, so that pointing at a huge file cannot exhaust memory. */
    private static final int MAX_FILE_BYTES = 16 << 20;

    private Pem() {
    }

    /**
     * Reads every certificate of a PEM file ({@code BEGIN CERTIFICATE} blocks, in file order: a leaf and its
     * chain, or a trust bundle). Text outside the blocks and blocks of other types (a key in a combined file)
     * are skipped.
     *
     * @return at least one certificate
     * @throws IOException if the file cannot be read, has no certificate ({@code no certificate in FILE}) or has
     *                     a malformed one
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        boolean sawKey = false;
        for (Object o : readObjects(file)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new IOException(file + ": malformed certificate: " + e.getMessage(), e);
                }
            } else if (o instanceof PrivateKeyInfo || o instanceof PEMKeyPair || o instanceof PEMEncryptedKeyPair
                    || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                sawKey = true;
            }
        }
        if (certificates.isEmpty()) {
            throw new IOException("no certificate in " + file + (sawKey ? " (it holds a private key)"
                    : " (expected PEM blocks starting -----BEGIN CERTIFICATE-----)"));
        }
        return List.copyOf(certificates);
    }

    /**
     * Reads the one unencrypted private key of a PEM file: PKCS#8 ({@code BEGIN PRIVATE KEY}), SEC 1
     * ({@code BEGIN EC PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). Certificates and EC parameters in
     * the same file are skipped.
     *
     * @return a key made by the JDK's {@link KeyFactory} ({@code EC}, {@code RSA}, {@code EdDSA}, ...)
     * @throws IOException if the file cannot be read, holds no private key ({@code FILE: not a PEM private key}),
     *                     more than one, an encrypted one ({@code FILE: encrypted keys are not supported}) or a
     *                     malformed one
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        PrivateKeyInfo info = null;
        boolean sawCertificate = false;
        ASN1ObjectIdentifier ecParameters = null;
        for (Object o : readObjects(file)) {
            PrivateKeyInfo found = null;
            if (o instanceof PrivateKeyInfo pkcs8) {
                found = pkcs8;
            } else if (o instanceof PEMKeyPair traditional) {
                found = traditional.getPrivateKeyInfo();
            } else if (o instanceof ASN1ObjectIdentifier curve) {
                ecParameters = curve; // an EC PARAMETERS block: the named curve of the EC key that follows
            } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new IOException(file + ": encrypted keys are not supported (decrypt it first, for example"
                        + " with: openssl pkey -in ENCRYPTED.key -out tls.key)");
            } else if (o instanceof X509CertificateHolder) {
                sawCertificate = true;
            }
            if (found != null) {
                if (info != null) {
                    throw new IOException(file + ": more than one private key (expected exactly one)");
                }
                info = found;
            }
        }
        if (info == null) {
            throw new IOException(file + ": not a PEM private key" + (sawCertificate ? " (it holds a certificate)"
                    : " (expected a block starting -----BEGIN PRIVATE KEY-----, -----BEGIN EC PRIVATE KEY----- or"
                    + " -----BEGIN RSA PRIVATE KEY-----)"));
        }
        return toPrivateKey(file, withCurve(file, info, ecParameters));
    }

    /** Writes {@code certificates} as PEM, in order, atomically, with mode 0644 where the file system has modes. */
    public static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate to write to " + file);
        }
        StringWriter pem = new StringWriter();
        try (PemWriter w = new PemWriter(pem)) {
            for (X509Certificate c : certificates) {
                try {
                    w.writeObject(new PemObject("CERTIFICATE", c.getEncoded()));
                } catch (CertificateException e) {
                    throw new IOException("cannot encode certificate " + c.getSubjectX500Principal() + ": "
                            + e.getMessage(), e);
                }
            }
        }
        writeAtomically(file, pem.toString(), CERT_MODE);
    }

    /**
     * Writes {@code key} as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), atomically, in a file that has
     * mode 0600 from the moment it is created.
     *
     * @throws IllegalArgumentException if the key has no PKCS#8 encoding (a key held in a hardware token)
     */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        byte[] encoded = key.getEncoded();
        if (encoded == null || !"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("cannot write the " + key.getAlgorithm() + " key to " + file
                    + ": it has no PKCS#8 encoding (format " + key.getFormat() + ")");
        }
        StringWriter pem = new StringWriter();
        try (PemWriter w = new PemWriter(pem)) {
            w.writeObject(new PemObject("PRIVATE KEY", encoded));
        }
        writeAtomically(file, pem.toString(), KEY_MODE);
    }

    /**
     * Whether {@code key} is the private half of {@code certificate}'s public key: RSA keys compare modulus and
     * exponent, other keys (EC, EdDSA) sign a random challenge that the certificate's key must verify. Used to
     * refuse a rotated key that does not belong to the rotated certificate.
     *
     * @return false also when the key types differ, and for a key type it cannot check (neither RSA, EC nor
     *         EdDSA), so that such a key is refused rather than trusted; never throws
     */
    public static boolean keyMatchesCertificate(PrivateKey key, X509Certificate certificate) {
        PublicKey publicKey = certificate.getPublicKey();
        if (key instanceof RSAPrivateCrtKey rsa) {
            return publicKey instanceof RSAPublicKey pub && rsa.getModulus().equals(pub.getModulus())
                    && rsa.getPublicExponent().equals(pub.getPublicExponent());
        }
        String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA"; // an RSA key without its CRT parameters
            case "EDDSA", "ED25519", "ED448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // the certificate's key is of another type or curve: it cannot be this key's public half
            return false;
        }
    }

    private static List<Object> readObjects(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new IOException(file + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB, not a PEM file");
        }
        List<Object> objects = new ArrayList<>();
        // Latin-1 maps every byte to a char: PEM is ASCII, and comments in other encodings (bundles often name
        // their CAs in UTF-8) are skipped as text outside the blocks
        try (PEMParser parser = new PEMParser(new StringReader(new String(bytes, StandardCharsets.ISO_8859_1)))) {
            for (Object o; (o = parser.readObject()) != null; ) {
                objects.add(o);
            }
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports bad base64 or ASN.1 with PEMException, DecoderException, IllegalStateException...
            throw new IOException(file + ": malformed PEM: " + e.getMessage(), e);
        }
        if (objects.isEmpty() && bytes.length > 0 && bytes[0] == 0x30) {
            throw new IOException(file + ": not PEM but binary, probably DER (convert it to PEM with openssl x509"
                    + " -inform der, or openssl pkey -inform der for a key)");
        }
        return objects;
    }

    /**
     * A traditional EC key names its curve inside the key (OpenSSL always writes it there), or, from some writers,
     * only in an {@code EC PARAMETERS} block before it; PKCS#8 wants it in the algorithm identifier.
     */
    private static PrivateKeyInfo withCurve(Path file, PrivateKeyInfo info, ASN1ObjectIdentifier ecParameters)
            throws IOException {
        AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
        if (!algorithm.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)
                || (algorithm.getParameters() != null && !(algorithm.getParameters() instanceof ASN1Null))) {
            return info;
        }
        if (ecParameters == null) {
            throw new IOException(file + ": the EC private key does not name its curve (expected it inside the key"
                    + " or in an EC PARAMETERS block before it)");
        }
        try {
            return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ecParameters),
                    info.parsePrivateKey());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": malformed EC private key: " + e.getMessage(), e);
        }
    }

    private static PrivateKey toPrivateKey(Path file, PrivateKeyInfo info) throws IOException {
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm;
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            algorithm = "EC";
        } else if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            algorithm = "RSA";
        } else if (oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
            algorithm = "RSASSA-PSS";
        } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            algorithm = "Ed25519";
        } else if (oid.equals(EdECObjectIdentifiers.id_Ed448)) {
            algorithm = "Ed448";
        } else {
            algorithm = oid.getId(); // the JDK knows some algorithms by their OID
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IOException(file + ": unsupported or malformed " + algorithm + " private key: "
                    + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path file, String content, Set<PosixFilePermission> mode) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                && target.getFileSystem() == FileSystems.getDefault();
        FileAttribute<?>[] attributes = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attributes);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    ch.write(bytes);
                }
                ch.force(true);
            }
            if (posix) {
                // the umask may have cleared bits of the mode asked for at creation (0644 -> 0600 under 077)
                Files.setPosixFilePermissions(temp, mode);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
