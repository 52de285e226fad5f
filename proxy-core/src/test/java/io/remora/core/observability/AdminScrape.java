package io.remora.core.observability;

import io.remora.core.admin.JsonReader;
import io.remora.core.metrics.Exposition;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Reads a running proxy's admin API the way an operator's scraper does: over loopback, one request each. */
final class AdminScrape {
    private AdminScrape() {
    }

    static String get(ProxyHarness p, String path) {
        try (RawHttpClient c = new RawHttpClient(p.server().adminAddress().getPort())) {
            RawResponse r = c.get(path);
            if (r.status() != 200) {
                throw new AssertionError("GET " + path + ": " + r);
            }
            return r.bodyText();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        }
    }

    /** {@code GET /stats/prometheus}, parsed strictly (format rules checked as it parses). */
    static Exposition prometheus(ProxyHarness p) {
        return Exposition.parse(get(p, "/stats/prometheus"));
    }

    /** {@code GET /stats}. */
    static Map<String, Object> stats(ProxyHarness p) {
        return JsonReader.parseObject(get(p, "/stats"));
    }

    /** The element of the {@code listeners} or {@code clusters} array of {@code /stats} named {@code name}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> named(Map<String, Object> stats, String array, String name) {
        for (Object o : (List<Object>) stats.get(array)) {
            Map<String, Object> m = (Map<String, Object>) o;
            if (name.equals(m.get("name"))) {
                return m;
            }
        }
        throw new AssertionError("no " + array + " entry named " + name + " in /stats");
    }

    /** The number at {@code path} (member names) under {@code root}. */
    @SuppressWarnings("unchecked")
    static long number(Map<String, Object> root, String... path) {
        Object o = root;
        for (String p : path) {
            if (!(o instanceof Map)) {
                throw new AssertionError("no " + String.join(".", path) + " in " + root);
            }
            o = ((Map<String, Object>) o).get(p);
        }
        if (!(o instanceof Number n)) {
            throw new AssertionError(String.join(".", path) + " is " + o + ", not a number");
        }
        return n.longValue();
    }
}
