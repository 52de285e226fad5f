package io.remora.core.admin;

import io.remora.core.metrics.JsonWriter;
import io.remora.core.tls.TlsContext;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** {@code GET /certs}: every certificate Remora presents or trusts, with what an operator checks before expiry. */
final class CertsJson {
    private CertsJson() {
    }

    static String render(List<TlsContext> contexts, Instant now) {
        JsonWriter w = JsonWriter.pretty();
        w.beginObject();
        w.name("certificates").beginArray();
        for (TlsContext t : contexts) {
            w.beginObject();
            w.field("owner", t.owner());
            w.field("side", t.isServer() ? "server" : "client");
            w.field("loaded_at", t.loadedAt().toString());
            w.field("rotation_failures", t.rotationFailures());
            X509Certificate leaf = t.material().leaf();
            if (leaf != null) {
                w.name("certificate");
                cert(w, leaf, now);
            }
            w.name("trust").beginArray();
            for (X509Certificate ca : t.material().trust()) {
                cert(w, ca, now);
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
        w.endObject();
        return w.toString();
    }

    private static void cert(JsonWriter w, X509Certificate c, Instant now) {
        w.beginObject();
        w.field("subject", c.getSubjectX500Principal().getName());
        w.field("issuer", c.getIssuerX500Principal().getName());
        w.field("serial", c.getSerialNumber().toString(16));
        w.name("sans").beginArray();
        for (String san : sans(c)) {
            w.value(san);
        }
        w.endArray();
        w.field("not_before", c.getNotBefore().toInstant().toString());
        w.field("not_after", c.getNotAfter().toInstant().toString());
        w.field("seconds_to_expiry", Duration.between(now, c.getNotAfter().toInstant()).getSeconds());
        w.endObject();
    }

    private static List<String> sans(X509Certificate c) {
        try {
            Collection<List<?>> all = c.getSubjectAlternativeNames();
            if (all == null) {
                return List.of();
            }
            return all.stream().map(san -> switch ((Integer) san.get(0)) {
                case 6 -> "URI:" + san.get(1);
                case 2 -> "DNS:" + san.get(1);
                case 7 -> "IP:" + san.get(1);
                default -> "other:" + san.get(1);
            }).toList();
        } catch (CertificateParsingException e) {
            return List.of("unparseable: " + e.getMessage());
        }
    }
}
