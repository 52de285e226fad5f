package io.remora.core.tls;

import java.security.cert.CertificateException;

/**
 * Why a peer's certificate was refused during a handshake, thrown from Remora's trust managers so that the
 * handshake fails with an alert and the failure can be counted by a bounded reason.
 */
public final class TlsRefusal extends CertificateException {
    private static final long serialVersionUID = 1L;

    /** The {@code reason} label of {@code remora_tls_handshake_failures_total}. */
    public enum Reason {
        NO_CERTIFICATE("no_certificate"),
        UNKNOWN_CA("unknown_ca"),
        EXPIRED("expired"),
        NOT_YET_VALID("not_yet_valid"),
        IDENTITY_NOT_ALLOWED("identity_not_allowed"),
        WRONG_IDENTITY("wrong_identity"),
        PROTOCOL("protocol"),
        OTHER("other");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Reason reason;

    public TlsRefusal(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The refusal somewhere in {@code t}'s causes, or a reason guessed from the exception the TLS stack threw. */
    public static Reason classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TlsRefusal r) {
                return r.reason();
            }
            if (c instanceof java.security.cert.CertificateExpiredException) {
                return Reason.EXPIRED;
            }
            if (c instanceof java.security.cert.CertificateNotYetValidException) {
                return Reason.NOT_YET_VALID;
            }
        }
        String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("empty client certificate") || m.contains("null cert chain")
                || m.contains("certificate_required") || m.contains("peer sent no certificates")
                || m.contains("bad_certificate") && m.contains("empty")) {
            return Reason.NO_CERTIFICATE;
        }
        if (m.contains("protocol") || m.contains("version") || m.contains("unsupported") || m.contains("plaintext")
                || m.contains("not an ssl/tls record")) {
            return Reason.PROTOCOL;
        }
        if (m.contains("unknown_ca") || m.contains("unable to find valid certification path")
                || m.contains("pkix")) {
            return Reason.UNKNOWN_CA;
        }
        return Reason.OTHER;
    }
}
