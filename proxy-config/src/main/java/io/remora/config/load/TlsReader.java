package io.remora.config.load;

import io.remora.config.model.TlsConfig;
import io.remora.config.model.TlsConfig.TlsMode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads {@code tls} on a listener (terminate; {@code ca_file} requires client certificates) or on a cluster
 * (originate; verify the upstream). Only the shape is checked here; whether the files hold a matching certificate
 * and key is checked when they are loaded (at start, at reload and at every rotation).
 */
final class TlsReader {
    /** A SPIFFE ID: {@code spiffe://trust-domain/path}, the path optional. */
    private static final Pattern SPIFFE = Pattern.compile("spiffe://[a-z0-9._-]+(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private TlsReader() {
    }

    static TlsConfig readListener(MapReader listener) {
        if (!listener.has("tls")) {
            return null;
        }
        MapReader m = listener.section("tls", ConfigKeys.LISTENER_TLS,
                "a map such as { cert_file: /etc/remora/tls.crt, key_file: /etc/remora/tls.key }");
        if (m == null) {
            return null;
        }
        String cert = file(m, "cert_file", true);
        String key = file(m, "key_file", true);
        String ca = file(m, "ca_file", false);
        TlsMode mode = m.choice("mode", TlsMode.STRICT, TlsMode.values(), TlsMode::configName, List.of());
        List<String> allowed = new ArrayList<>();
        if (m.has("allowed_identities")) {
            List<Object> items = m.list("allowed_identities", "a list of SPIFFE IDs such as"
                    + " [\"spiffe://cluster.local/ns/shop/sa/frontend\", \"spiffe://cluster.local/ns/ops/*\"]");
            if (items != null) {
                for (int i = 0; i < items.size(); i++) {
                    String path = m.path("allowed_identities") + "[" + i + "]";
                    Object v = items.get(i);
                    if (!(v instanceof String s)) {
                        m.errors().wrongType(path, v, "a SPIFFE ID such as spiffe://cluster.local/ns/shop/sa/web");
                        continue;
                    }
                    String id = s.endsWith("/*") ? s.substring(0, s.length() - 2) : s;
                    if (!SPIFFE.matcher(id).matches()) {
                        m.errors().add(path, s, "expected a SPIFFE ID such as spiffe://cluster.local/ns/shop/sa/web,"
                                + " or one ending in /* to allow a whole subtree");
                        continue;
                    }
                    allowed.add(s);
                }
            }
            if (ca == null && !allowed.isEmpty()) {
                m.errors().add(m.path("allowed_identities"), "needs ca_file: without it no client certificate is"
                        + " asked for, so no identity could be checked");
            }
        }
        String minVersion = minVersion(m);
        if (cert == null || key == null || mode == null || minVersion == null) {
            return null;
        }
        return new TlsConfig(cert, key, ca, mode, allowed, null, null, minVersion);
    }

    static TlsConfig readCluster(MapReader cluster) {
        if (!cluster.has("tls")) {
            return null;
        }
        MapReader m = cluster.section("tls", ConfigKeys.CLUSTER_TLS,
                "a map such as { cert_file: /etc/remora/tls.crt, key_file: /etc/remora/tls.key, ca_file: ... }");
        if (m == null) {
            return null;
        }
        String cert = file(m, "cert_file", false);
        String key = file(m, "key_file", false);
        if (m.has("cert_file") != m.has("key_file")) {
            m.errors().add(m.path(m.has("cert_file") ? "key_file" : "cert_file"),
                    "missing: cert_file and key_file go together (the client certificate and its key)");
        }
        String ca = file(m, "ca_file", false);
        String serverIdentity = m.string("server_identity", "a SPIFFE ID such as spiffe://cluster.local/ns/shop/sa/api");
        if (serverIdentity != null && !SPIFFE.matcher(serverIdentity).matches()) {
            m.errors().add(m.path("server_identity"), serverIdentity,
                    "expected a SPIFFE ID such as spiffe://cluster.local/ns/shop/sa/api");
            serverIdentity = null;
        }
        String sni = m.string("sni", "a host name such as api.shop.svc.cluster.local");
        if (sni != null && (!HOST_NAME.matcher(sni).matches() || sni.length() > 253)) {
            m.errors().add(m.path("sni"), sni, "expected a host name such as api.shop.svc.cluster.local");
            sni = null;
        }
        String minVersion = minVersion(m);
        if (minVersion == null) {
            return null;
        }
        return new TlsConfig(cert, key, ca, TlsMode.STRICT, List.of(), serverIdentity, sni, minVersion);
    }

    private static String file(MapReader m, String key, boolean required) {
        String form = "a path to a PEM file";
        if (!m.has(key)) {
            if (required) {
                m.errors().missing(m.path(key), form);
            }
            return null;
        }
        String path = m.string(key, form);
        if (path != null && (path.isBlank() || path.indexOf('\0') >= 0)) {
            m.errors().add(m.path(key), path, "expected " + form);
            return null;
        }
        return path;
    }

    private static String minVersion(MapReader m) {
        if (!m.has("min_version")) {
            return "1.2";
        }
        Object v = m.get("min_version");
        String s = v instanceof Number n ? n.toString() : v instanceof String str ? str : null;
        if (s == null || !(s.equals("1.2") || s.equals("1.3"))) {
            m.errors().add(m.path("min_version"), v, "expected 1.2 or 1.3 (older TLS versions are not offered)");
            return null;
        }
        return s;
    }
}
