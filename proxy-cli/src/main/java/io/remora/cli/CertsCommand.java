package io.remora.cli;

import io.remora.config.load.Durations;
import io.remora.core.tls.CertificateAuthority;
import io.remora.core.tls.Pem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code remora certs init-ca | issue | inspect}: a small CA and workload certificates for mTLS between sidecars
 * (see {@link CertificateAuthority}), and certificates described in plain words.
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Make a CA and workload certificates (SPIFFE IDs) for mTLS between sidecars, or describe a"
                + " certificate.",
        subcommands = {CertsCommand.InitCa.class, CertsCommand.Issue.class, CertsCommand.Inspect.class},
        footer = {"", "Examples:",
                "  remora certs init-ca --trust-domain cluster.local --out ca",
                "  remora certs issue --ca ca --spiffe-id spiffe://cluster.local/ns/shop/sa/api \\",
                "      --dns api.shop.svc --ttl 24h --out api",
                "  remora certs inspect api/tls.crt",
                "  openssl verify -CAfile ca/ca.crt api/tls.crt    # standard tools accept them"})
final class CertsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code remora certs init-ca}: a new root CA. */
    @Command(name = "init-ca", mixinStandardHelpOptions = true,
            description = "Create an EC P-256 root CA for a trust domain: DIR/ca.crt and DIR/ca.key (mode 0600),"
                    + " valid for 10 years. Keep ca.key secret: whoever has it can mint any identity of the trust"
                    + " domain.",
            footer = {"", "Example:", "  remora certs init-ca --trust-domain cluster.local --out /etc/remora/ca"})
    static final class InitCa implements Callable<Integer> {
        @Option(names = "--trust-domain", required = true, paramLabel = "TD",
                description = "the SPIFFE trust domain, such as cluster.local (lowercase letters, digits, '.', '-',"
                        + " '_')")
        String trustDomain;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "the directory to write ca.crt and ca.key to (created if missing)")
        Path out;

        @Option(names = "--force", description = "replace an existing ca.key (every certificate the old CA issued"
                + " stops being trusted by proxies given the new ca.crt)")
        boolean force;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            Path key = out.resolve(CertificateAuthority.CA_KEY_FILE);
            if (!force && Files.exists(key)) {
                err.println("remora: " + key + " already exists; replacing it would orphan every certificate it"
                        + " issued (use --force to replace it anyway)");
                return 1;
            }
            try {
                X509Certificate ca = CertificateAuthority.initCa(trustDomain, out, Clock.systemUTC());
                spec.commandLine().getOut().println("Created a CA for trust domain " + trustDomain + ": "
                        + out.resolve(CertificateAuthority.CA_CERT_FILE) + " and " + key + " (valid until "
                        + ca.getNotAfter().toInstant() + ")");
                return 0;
            } catch (IllegalArgumentException e) {
                err.println("remora: --trust-domain " + e.getMessage());
                return 1;
            } catch (IOException e) {
                err.println("remora: cannot write the CA: " + reason(e));
                return 1;
            }
        }
    }

    /** {@code remora certs issue}: a workload certificate signed by the CA. */
    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Issue a workload certificate whose URI SAN is a SPIFFE ID, signed by the CA in --ca,"
                    + " for both server and client authentication: DIR/tls.crt, DIR/tls.key (mode 0600) and a copy"
                    + " of the trust bundle as DIR/ca.crt (the layout of a Kubernetes TLS secret).",
                    "Issuing again into the same directory rotates the certificate: a running Remora that uses"
                    + " these files picks the new one up for new connections."},
            footer = {"", "Examples:",
                    "  remora certs issue --ca ca --out api \\",
                    "      --spiffe-id spiffe://cluster.local/ns/shop/sa/api",
                    "  remora certs issue --ca ca --spiffe-id spiffe://cluster.local/ns/shop/sa/web \\",
                    "      --dns web.shop.svc --dns web.shop.svc.cluster.local --ttl 1h --out web"})
    static final class Issue implements Callable<Integer> {
        @Option(names = "--ca", required = true, paramLabel = "DIR",
                description = "the CA directory, as made by remora certs init-ca (ca.crt and ca.key)")
        Path ca;

        @Option(names = "--spiffe-id", required = true, paramLabel = "ID",
                description = "the workload's identity, such as spiffe://cluster.local/ns/shop/sa/api; it must be"
                        + " in the CA's trust domain")
        String spiffeId;

        @Option(names = "--dns", paramLabel = "NAME",
                description = "a DNS name to add as a SAN, such as api.shop.svc (repeatable)")
        List<String> dns = new ArrayList<>();

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h",
                description = "how long the certificate is valid, such as 1h or 720h (default: ${DEFAULT-VALUE})")
        String ttl;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "the directory to write tls.crt, tls.key and ca.crt to (created if missing)")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            Duration lifetime;
            try {
                lifetime = Durations.parse(ttl);
            } catch (IllegalArgumentException e) {
                err.println("remora: --ttl " + e.getMessage());
                return 1;
            }
            try {
                X509Certificate cert = CertificateAuthority.issue(ca, spiffeId, dns, lifetime, out,
                        Clock.systemUTC());
                spec.commandLine().getOut().println("Issued " + spiffeId + " (serial "
                        + cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT) + ", valid until "
                        + cert.getNotAfter().toInstant()
                        + "): " + out.resolve(CertificateAuthority.CERT_FILE) + ", "
                        + out.resolve(CertificateAuthority.KEY_FILE) + ", "
                        + out.resolve(CertificateAuthority.CA_CERT_FILE));
                return 0;
            } catch (IllegalArgumentException e) {
                err.println("remora: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                // reading the CA fails with a sentence of its own; a FileSystemException is about the output
                err.println("remora: " + (e instanceof FileSystemException ? "cannot write " : "") + reason(e));
                return 1;
            }
        }
    }

    /** {@code remora certs inspect}: every certificate of a PEM file, in plain words. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Describe the certificates of a PEM file: subject, issuer, serial, SPIFFE ID, SANs,"
                    + " validity and time to expiry, key, SHA-256 fingerprint.",
            footer = {"", "Examples:", "  remora certs inspect /etc/remora/certs/tls.crt",
                    "  remora certs inspect ca/ca.crt"})
    static final class Inspect implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "a PEM file with one or more certificates")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<X509Certificate> certificates;
            try {
                certificates = Pem.readCertificates(file);
            } catch (IOException e) {
                spec.commandLine().getErr().println("remora: " + reason(e));
                return 1;
            }
            PrintWriter out = spec.commandLine().getOut();
            for (int i = 0; i < certificates.size(); i++) {
                if (certificates.size() > 1) {
                    out.println((i == 0 ? "" : "\n") + "Certificate " + (i + 1) + " of " + certificates.size() + ":");
                }
                out.println(CertificateAuthority.describe(certificates.get(i), Clock.systemUTC()));
            }
            out.flush();
            return 0;
        }
    }

    /** An I/O failure as the end of a sentence that names the file. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getFile() != null) {
            String why;
            if (e instanceof NoSuchFileException) {
                why = "no such file or directory";
            } else if (e instanceof AccessDeniedException) {
                why = "permission denied";
            } else if (e instanceof NotDirectoryException) {
                why = "not a directory";
            } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
                why = "exists and is not a directory";
            } else {
                why = fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason();
            }
            return fse.getFile() + ": " + why;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
