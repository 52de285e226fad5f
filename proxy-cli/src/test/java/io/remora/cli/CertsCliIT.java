package io.remora.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: {@code remora certs} from the packaged, shaded {@code remora.jar}, which also proves that
 * BouncyCastle works there without being a (signed) JCE provider.
 */
@Timeout(120)
class CertsCliIT {
    private static final Path JAR = Path.of(System.getProperty("remora.jar", "target/remora.jar"));
    private static final String API = "spiffe://cluster.local/ns/shop/sa/api";

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
        /** Exit 1 and one line on stderr, without a stack trace: how every operator error ends. */
        void assertOneSentenceError(String expectedStart) {
            assertEquals(1, exit, err);
            assertEquals("", out);
            assertTrue(err.startsWith("remora: " + expectedStart), err);
            assertEquals(1, err.strip().lines().count(), err);
            assertFalse(err.contains("Exception"), err);
        }
    }

    private static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private static Result exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        // the outputs are a few lines, far below a pipe's buffer: read them after exit
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " did not exit");
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private static boolean opensslAvailable() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void initCaThenIssueThenInspect() throws Exception {
        Path ca = dir.resolve("ca");
        Result init = run("certs", "init-ca", "--trust-domain", "cluster.local", "--out", ca.toString());
        assertEquals(0, init.exit(), init.err());
        assertTrue(init.out().startsWith("Created a CA for trust domain cluster.local: " + ca.resolve("ca.crt")
                + " and " + ca.resolve("ca.key")), init.out());
        assertEquals("rw-------", mode(ca.resolve("ca.key")));

        Path api = dir.resolve("api");
        Result issue = run("certs", "issue", "--ca", ca.toString(), "--spiffe-id", API, "--dns", "api.shop.svc",
                "--dns", "api.shop.svc.cluster.local", "--ttl", "2h", "--out", api.toString());
        assertEquals(0, issue.exit(), issue.err());
        assertTrue(issue.out().startsWith("Issued " + API + " (serial "), issue.out());
        assertEquals("rw-------", mode(api.resolve("tls.key")));
        assertTrue(Files.readString(api.resolve("tls.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertArrayEquals(Files.readAllBytes(ca.resolve("ca.crt")), Files.readAllBytes(api.resolve("ca.crt")));

        Result inspect = run("certs", "inspect", api.resolve("tls.crt").toString());
        assertEquals(0, inspect.exit(), inspect.err());
        String out = inspect.out();
        assertTrue(out.startsWith("Subject:             CN=api.shop.svc, O=Remora\n"), out);
        assertTrue(out.contains("Issuer:              CN=Remora CA cluster.local, O=Remora\n"), out);
        assertTrue(out.contains("SPIFFE ID:           " + API + "\n"), out);
        assertTrue(out.contains("SANs:                URI:" + API
                + ", DNS:api.shop.svc, DNS:api.shop.svc.cluster.local\n"), out);
        assertTrue(out.contains("Extended key usage:  serverAuth, clientAuth\n"), out);
        assertTrue(out.matches("(?s).*Not after: .* UTC \\(expires in (119|120) min\\)\n.*"), out);
        assertTrue(out.contains("Key:                 EC P-256, 256 bits\n"), out);
        assertTrue(out.matches("(?s).*SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}\n"), out);

        Result root = run("certs", "inspect", ca.resolve("ca.crt").toString());
        assertEquals(0, root.exit(), root.err());
        assertTrue(root.out().contains("(self-signed)"), root.out());
        assertTrue(root.out().contains("CA:                  yes\n"), root.out());

        if (opensslAvailable()) {
            Result verify = exec(List.of("openssl", "verify", "-CAfile", api.resolve("ca.crt").toString(),
                    api.resolve("tls.crt").toString()));
            assertEquals(0, verify.exit(), verify.out() + verify.err());
            assertEquals(api.resolve("tls.crt") + ": OK", verify.out().strip());
        }
    }

    @Test
    void inspectNumbersTheCertificatesOfABundle() throws Exception {
        Path ca = dir.resolve("ca");
        assertEquals(0, run("certs", "init-ca", "--trust-domain", "td", "--out", ca.toString()).exit());
        Path bundle = dir.resolve("bundle.crt");
        String one = Files.readString(ca.resolve("ca.crt"));
        Files.writeString(bundle, one + one);
        Result r = run("certs", "inspect", bundle.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Certificate 1 of 2:\nSubject:"), r.out());
        assertTrue(r.out().contains("\n\nCertificate 2 of 2:\nSubject:"), r.out());
    }

    @Test
    void initCaRefusesToReplaceACaUnlessForced() throws Exception {
        Path ca = dir.resolve("ca");
        assertEquals(0, run("certs", "init-ca", "--trust-domain", "cluster.local", "--out", ca.toString()).exit());
        byte[] key = Files.readAllBytes(ca.resolve("ca.key"));
        run("certs", "init-ca", "--trust-domain", "cluster.local", "--out", ca.toString())
                .assertOneSentenceError(ca.resolve("ca.key") + " already exists");
        assertArrayEquals(key, Files.readAllBytes(ca.resolve("ca.key")), "the CA key is untouched");

        Result forced = run("certs", "init-ca", "--trust-domain", "cluster.local", "--out", ca.toString(),
                "--force");
        assertEquals(0, forced.exit(), forced.err());
        assertFalse(java.util.Arrays.equals(key, Files.readAllBytes(ca.resolve("ca.key"))), "a new CA key");
    }

    @Test
    void mistakesAreOneSentenceAndExitOne() throws Exception {
        Path ca = dir.resolve("ca");
        assertEquals(0, run("certs", "init-ca", "--trust-domain", "cluster.local", "--out", ca.toString()).exit());
        Path out = dir.resolve("out");

        run("certs", "init-ca", "--trust-domain", "Cluster.Local", "--out", dir.resolve("x").toString())
                .assertOneSentenceError("--trust-domain \"Cluster.Local\": the trust domain may only contain");
        run("certs", "issue", "--ca", ca.toString(), "--spiffe-id", "spiffe://other.local/ns/a/sa/b", "--out",
                out.toString()).assertOneSentenceError("spiffe://other.local/ns/a/sa/b is outside the CA's trust"
                + " domain cluster.local");
        run("certs", "issue", "--ca", ca.toString(), "--spiffe-id", API, "--ttl", "5", "--out", out.toString())
                .assertOneSentenceError("--ttl \"5\": missing unit");
        run("certs", "issue", "--ca", ca.toString(), "--spiffe-id", API, "--ttl", "0s", "--out", out.toString())
                .assertOneSentenceError("ttl 0s: must be > 0");
        run("certs", "issue", "--ca", ca.toString(), "--spiffe-id", "not-an-id", "--out", out.toString())
                .assertOneSentenceError("\"not-an-id\": expected a SPIFFE ID");
        Path nope = dir.resolve("nope");
        run("certs", "issue", "--ca", nope.toString(), "--spiffe-id", API, "--out", out.toString())
                .assertOneSentenceError("cannot read the CA in " + nope + ": no such directory");
        run("certs", "issue", "--ca", dir.toString(), "--spiffe-id", API, "--out", out.toString())
                .assertOneSentenceError("cannot read the CA in " + dir + ": " + dir.resolve("ca.crt")
                        + ": no such file");
        assertFalse(Files.exists(out), "nothing was written");

        run("certs", "inspect", ca.resolve("ca.key").toString())
                .assertOneSentenceError("no certificate in " + ca.resolve("ca.key") + " (it holds a private key)");
        run("certs", "inspect", dir.resolve("missing.crt").toString())
                .assertOneSentenceError(dir.resolve("missing.crt") + ": no such file or directory");

        Result usage = run("certs", "issue", "--ca", ca.toString());
        assertEquals(2, usage.exit(), usage.err());
        assertTrue(usage.err().contains("(see 'remora certs issue --help')"), usage.err());
    }

    @Test
    void helpShowsTheSubcommandsAndExamples() throws Exception {
        Result r = run("certs", "--help");
        assertEquals(0, r.exit(), r.err());
        for (String s : List.of("init-ca", "issue", "inspect", "Examples:")) {
            assertTrue(r.out().contains(s), r.out());
        }
        Result issue = run("certs", "issue", "--help");
        assertEquals(0, issue.exit(), issue.err());
        assertTrue(issue.out().contains("--spiffe-id=ID"), issue.out());
        assertTrue(issue.out().contains("(default: 24h)"), issue.out());
        Result top = run("--help");
        assertTrue(top.out().contains("certs"), top.out());
    }
}
