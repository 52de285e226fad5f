package io.remora.core.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
    /** The DER of the prime256v1 OID, as {@code openssl ecparam -genkey} writes it before the key. */
    private static final String EC_PARAMETERS = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
            + "-----END EC PARAMETERS-----\n";

    /**
     * Only to write encrypted keys for the tests (the JDK cannot): passed as an object, never registered, as
     * Remora's own code never needs it.
     */
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    @TempDir
    Path dir;

    /** Writes {@code objects} with BouncyCastle's PEM writer, which uses the traditional forms for keys. */
    private Path writeTraditional(String name, Object... objects) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        }
        Path file = dir.resolve(name);
        Files.writeString(file, text.toString());
        return file;
    }

    @Test
    void pkcs8EcKeyRoundTripsWithMode0600() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        Path file = dir.resolve("tls.key");
        Pem.writePrivateKey(file, keys.getPrivate());
        String text = Files.readString(file);
        assertTrue(text.startsWith("-----BEGIN PRIVATE KEY-----\n"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        PrivateKey read = Pem.readPrivateKey(file);
        assertInstanceOf(ECPrivateKey.class, read);
        assertArrayEquals(keys.getPrivate().getEncoded(), read.getEncoded());
    }

    @Test
    void pkcs8RsaKeyRoundTrips() throws Exception {
        KeyPair keys = CertificateFixtures.rsaKeyPair();
        Path file = dir.resolve("rsa.key");
        Pem.writePrivateKey(file, keys.getPrivate());
        assertArrayEquals(keys.getPrivate().getEncoded(), Pem.readPrivateKey(file).getEncoded());
    }

    /** The SEC 1 form OpenSSL writes ({@code BEGIN EC PRIVATE KEY}): the curve and public key inside the key. */
    private Path writeSec1(String name, KeyPair keys) throws IOException {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ASN1ObjectIdentifier curve = (ASN1ObjectIdentifier) pkcs8.getPrivateKeyAlgorithm().getParameters();
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                ((ECPrivateKey) keys.getPrivate()).getS(),
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(), curve);
        StringWriter text = new StringWriter();
        try (PemWriter w = new PemWriter(text)) {
            w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        Path file = dir.resolve(name);
        Files.writeString(file, text.toString());
        return file;
    }

    @Test
    void readsTraditionalEcKeys() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        Path file = writeSec1("ec.key", keys);
        assertTrue(Files.readString(file).startsWith("-----BEGIN EC PRIVATE KEY-----"), Files.readString(file));
        PrivateKey read = Pem.readPrivateKey(file);
        assertEquals("EC", read.getAlgorithm());
        assertEquals(((ECPrivateKey) keys.getPrivate()).getS(), ((ECPrivateKey) read).getS());
        assertTrue(Pem.keyMatchesCertificate(read, CertificateFixtures.selfSigned(keys)));
        // as openssl ecparam -genkey writes it: EC PARAMETERS first
        Files.writeString(file, EC_PARAMETERS + Files.readString(file));
        assertEquals(((ECPrivateKey) keys.getPrivate()).getS(), ((ECPrivateKey) Pem.readPrivateKey(file)).getS());
    }

    @Test
    void readsTraditionalEcKeysWhoseCurveIsOnlyInEcParameters() throws Exception {
        // BouncyCastle's own writer leaves the curve out of the key when the JDK made it
        KeyPair keys = CertificateFixtures.ecKeyPair();
        Path file = writeTraditional("ec.key", keys.getPrivate());
        assertTrue(Files.readString(file).startsWith("-----BEGIN EC PRIVATE KEY-----"), Files.readString(file));
        IOException e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertEquals(file + ": the EC private key does not name its curve (expected it inside the key or in an EC"
                + " PARAMETERS block before it)", e.getMessage());
        Files.writeString(file, EC_PARAMETERS + Files.readString(file));
        PrivateKey read = Pem.readPrivateKey(file);
        assertEquals(((ECPrivateKey) keys.getPrivate()).getS(), ((ECPrivateKey) read).getS());
        assertTrue(Pem.keyMatchesCertificate(read, CertificateFixtures.selfSigned(keys)));
    }

    @Test
    void readsPkcs1RsaKeys() throws Exception {
        KeyPair keys = CertificateFixtures.rsaKeyPair();
        Path file = writeTraditional("rsa.key", keys.getPrivate());
        assertTrue(Files.readString(file).startsWith("-----BEGIN RSA PRIVATE KEY-----"), Files.readString(file));
        PrivateKey read = Pem.readPrivateKey(file);
        assertInstanceOf(RSAPrivateCrtKey.class, read);
        assertEquals(((RSAPrivateCrtKey) keys.getPrivate()).getPrivateExponent(),
                ((RSAPrivateCrtKey) read).getPrivateExponent());
        assertTrue(Pem.keyMatchesCertificate(read, CertificateFixtures.selfSigned(keys)));
    }

    @Test
    void readsTheKeyOfACombinedFileWhateverTheOrder() throws Exception {
        KeyPair keys = CertificateFixtures.rsaKeyPair();
        X509Certificate cert = CertificateFixtures.selfSigned(keys);
        for (Path file : List.of(writeTraditional("a.pem", cert, keys.getPrivate()),
                writeTraditional("b.pem", keys.getPrivate(), cert))) {
            assertArrayEquals(keys.getPrivate().getEncoded(), Pem.readPrivateKey(file).getEncoded());
            assertEquals(List.of(cert), Pem.readCertificates(file));
        }
    }

    @Test
    void refusesEncryptedTraditionalKeys() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(keys.getPrivate(), new JcePEMEncryptorBuilder("AES-128-CBC")
                    .setProvider(BC).build("secret".toCharArray()));
        }
        Path file = dir.resolve("enc.key");
        Files.writeString(file, text.toString());
        assertTrue(text.toString().contains("Proc-Type: 4,ENCRYPTED"), text.toString());
        IOException e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertTrue(e.getMessage().startsWith(file + ": encrypted keys are not supported"), e.getMessage());
    }

    @Test
    void refusesEncryptedPkcs8Keys() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(new JcaPKCS8Generator(keys.getPrivate(), new JceOpenSSLPKCS8EncryptorBuilder(
                    JcaPKCS8Generator.AES_256_CBC).setProvider(BC).setPassword("secret".toCharArray()).build()));
        }
        assertTrue(text.toString().startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), text.toString());
        Path file = dir.resolve("enc8.key");
        Files.writeString(file, text.toString());
        IOException e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertTrue(e.getMessage().startsWith(file + ": encrypted keys are not supported"), e.getMessage());
    }

    @Test
    void aCertificateIsNotAPrivateKey() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        Path file = dir.resolve("tls.crt");
        Pem.writeCertificates(file, List.of(CertificateFixtures.selfSigned(keys)));
        IOException e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertEquals(file + ": not a PEM private key (it holds a certificate)", e.getMessage());
    }

    @Test
    void garbageIsNotAPrivateKey() throws Exception {
        Path file = dir.resolve("garbage.key");
        Files.writeString(file, "hello\n");
        IOException e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertTrue(e.getMessage().startsWith(file + ": not a PEM private key (expected a block starting -----BEGIN"
                + " PRIVATE KEY-----"), e.getMessage());
        Files.writeString(file, "");
        assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
    }

    @Test
    void twoKeysAreAmbiguous() throws Exception {
        Path file = writeTraditional("two.key", CertificateFixtures.ecKeyPair().getPrivate(),
                CertificateFixtures.ecKeyPair().getPrivate());
        IOException e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertEquals(file + ": more than one private key (expected exactly one)", e.getMessage());
    }

    @Test
    void malformedBase64OrDerIsAnIoExceptionNamingTheFile() throws Exception {
        Path file = dir.resolve("bad.pem");
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n");
        IOException e = assertThrows(IOException.class, () -> Pem.readCertificates(file));
        assertTrue(e.getMessage().startsWith(file + ": malformed PEM"), e.getMessage());
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfp\n");
        e = assertThrows(IOException.class, () -> Pem.readCertificates(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }

    @Test
    void binaryFilesAreNotPem() throws Exception {
        Path file = dir.resolve("cert.der");
        X509Certificate cert = CertificateFixtures.selfSigned(CertificateFixtures.ecKeyPair());
        Files.write(file, cert.getEncoded());
        IOException e = assertThrows(IOException.class, () -> Pem.readCertificates(file));
        assertEquals(file + ": not PEM but binary, probably DER (convert it to PEM with openssl x509 -inform der,"
                + " or openssl pkey -inform der for a key)", e.getMessage());
        Files.write(file, CertificateFixtures.ecKeyPair().getPrivate().getEncoded());
        e = assertThrows(IOException.class, () -> Pem.readPrivateKey(file));
        assertTrue(e.getMessage().startsWith(file + ": not PEM but binary"), e.getMessage());
    }

    @Test
    void bundlesWithUtf8CommentsAreRead() throws Exception {
        X509Certificate cert = CertificateFixtures.selfSigned(CertificateFixtures.ecKeyPair());
        Path file = dir.resolve("bundle.pem");
        Pem.writeCertificates(file, List.of(cert));
        Files.writeString(file, "# Issuer: CN=Zürich Ünïcode CA — test\n" + Files.readString(file),
                StandardCharsets.UTF_8);
        assertEquals(List.of(cert), Pem.readCertificates(file));
    }

    @Test
    void missingFilesAreNoSuchFile() {
        Path file = dir.resolve("nope.key");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Pem.readPrivateKey(file));
        assertEquals(file.toString(), e.getFile());
        assertThrows(NoSuchFileException.class, () -> Pem.readCertificates(file));
    }

    @Test
    void certificatesRoundTripInOrderWithMode0644() throws Exception {
        X509Certificate a = CertificateFixtures.selfSigned(CertificateFixtures.ecKeyPair(), "spiffe://td/a");
        X509Certificate b = CertificateFixtures.selfSigned(CertificateFixtures.rsaKeyPair(), "spiffe://td/b");
        Path file = dir.resolve("bundle.crt");
        Pem.writeCertificates(file, List.of(a, b));
        assertEquals(List.of(a, b), Pem.readCertificates(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertThrows(IllegalArgumentException.class, () -> Pem.writeCertificates(file, List.of()));
    }

    @Test
    void readingCertificatesSkipsTextAndOtherBlocks() throws Exception {
        KeyPair keys = CertificateFixtures.ecKeyPair();
        X509Certificate cert = CertificateFixtures.selfSigned(keys);
        Path file = writeTraditional("mixed.pem", keys.getPrivate(), cert);
        Files.writeString(file, "subject=CN = fixture\nissuer=CN = fixture\n" + EC_PARAMETERS + Files.readString(file)
                + "trailing words\n");
        assertEquals(List.of(cert), Pem.readCertificates(file));
    }

    @Test
    void aKeyFileHasNoCertificate() throws Exception {
        Path file = dir.resolve("tls.key");
        Pem.writePrivateKey(file, CertificateFixtures.ecKeyPair().getPrivate());
        IOException e = assertThrows(IOException.class, () -> Pem.readCertificates(file));
        assertEquals("no certificate in " + file + " (it holds a private key)", e.getMessage());
        Files.writeString(file, "nothing here");
        e = assertThrows(IOException.class, () -> Pem.readCertificates(file));
        assertEquals("no certificate in " + file + " (expected PEM blocks starting -----BEGIN CERTIFICATE-----)",
                e.getMessage());
    }

    @Test
    void writesReplaceAtomicallyTighteningTheModeAndLeaveNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("tls.key");
        Files.writeString(file, "old, world-readable");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Pem.writePrivateKey(file, CertificateFixtures.ecKeyPair().getPrivate());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void writingIntoAMissingDirectoryFailsWithoutLeftovers() {
        Path file = dir.resolve("missing/tls.key");
        assertThrows(NoSuchFileException.class,
                () -> Pem.writePrivateKey(file, CertificateFixtures.ecKeyPair().getPrivate()));
        assertFalse(Files.exists(file));
    }

    @Test
    void keyMatchesOnlyItsOwnCertificate() throws Exception {
        KeyPair ec = CertificateFixtures.ecKeyPair();
        KeyPair otherEc = CertificateFixtures.ecKeyPair();
        KeyPair rsa = CertificateFixtures.rsaKeyPair();
        KeyPair otherRsa = CertificateFixtures.rsaKeyPair();
        X509Certificate ecCert = CertificateFixtures.selfSigned(ec);
        X509Certificate rsaCert = CertificateFixtures.selfSigned(rsa);
        assertTrue(Pem.keyMatchesCertificate(ec.getPrivate(), ecCert));
        assertFalse(Pem.keyMatchesCertificate(otherEc.getPrivate(), ecCert));
        assertTrue(Pem.keyMatchesCertificate(rsa.getPrivate(), rsaCert));
        assertFalse(Pem.keyMatchesCertificate(otherRsa.getPrivate(), rsaCert));
        assertFalse(Pem.keyMatchesCertificate(rsa.getPrivate(), ecCert));
        assertFalse(Pem.keyMatchesCertificate(ec.getPrivate(), rsaCert));
    }

    @Test
    void readsKeysWrittenByOpenssl() throws Exception {
        assumeTrue(Openssl.available(), "openssl is not on the PATH");
        Path pkcs8 = dir.resolve("pkcs8.key");
        Path sec1 = dir.resolve("sec1.key");
        Path pkcs1 = dir.resolve("pkcs1.key");
        Openssl.ok("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", pkcs8.toString());
        Openssl.ok("ecparam", "-name", "prime256v1", "-genkey", "-out", sec1.toString());
        Openssl.ok("genrsa", "-traditional", "-out", pkcs1.toString(), "2048");
        assertTrue(Files.readString(pkcs8).contains("BEGIN PRIVATE KEY"));
        assertTrue(Files.readString(sec1).contains("BEGIN EC PARAMETERS"));
        assertTrue(Files.readString(sec1).contains("BEGIN EC PRIVATE KEY"));
        assertTrue(Files.readString(pkcs1).contains("BEGIN RSA PRIVATE KEY"));
        assertEquals("EC", Pem.readPrivateKey(pkcs8).getAlgorithm());
        assertEquals("EC", Pem.readPrivateKey(sec1).getAlgorithm());
        assertEquals("RSA", Pem.readPrivateKey(pkcs1).getAlgorithm());
    }
}
