package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.HealthCheckConfig;
import java.time.Duration;
import java.util.List;

/**
 * Reads a cluster's {@code health_check}: how often and how patiently hosts are probed, and the probe itself,
 * exactly one of {@code http: { path: /healthz, expected_statuses: [200] }} or {@code tcp: {}}.
 */
final class HealthCheckReader {

    private static final String FORM = "a map such as { interval: 5s, http: { path: /healthz } } or"
            + " { interval: 5s, tcp: {} }";
    private static final String PROBE_FORM = "http: { path: /healthz } or tcp: {}";
    private static final String STATUSES_FORM = "a list of HTTP statuses such as [200, 204]";

    private HealthCheckReader() {
    }

    /** The health check of {@code cluster}; {@code null} if it has none (or it is not a map, reported). */
    static HealthCheckConfig read(MapReader cluster) {
        if (!cluster.has("health_check")) {
            return null;
        }
        MapReader m = cluster.section("health_check", ConfigKeys.HEALTH_CHECK, FORM);
        if (m == null) {
            return null;
        }
        Duration interval = m.positiveDuration("interval", Defaults.HEALTH_CHECK_INTERVAL);
        Duration timeout = m.positiveDuration("timeout", Defaults.HEALTH_CHECK_TIMEOUT);
        int unhealthyThreshold = m.integer("unhealthy_threshold", Defaults.HEALTH_CHECK_UNHEALTHY_THRESHOLD, 1,
                Integer.MAX_VALUE);
        int healthyThreshold = m.integer("healthy_threshold", Defaults.HEALTH_CHECK_HEALTHY_THRESHOLD, 1,
                Integer.MAX_VALUE);
        String httpPath = null;
        List<Integer> expectedStatuses = List.of();
        if (m.has("http") && m.has("tcp")) {
            m.errors().add(m.path(), "give either http or tcp, not both");
        } else if (!m.has("http") && !m.has("tcp")) {
            m.errors().add(m.path(), "missing a probe, expected " + PROBE_FORM);
        }
        if (m.has("http")) {
            MapReader http = m.section("http", ConfigKeys.HEALTH_CHECK_HTTP,
                    "a map such as { path: /healthz, expected_statuses: [200] }");
            if (http != null) {
                httpPath = path(http);
                expectedStatuses = statuses(http);
            }
        }
        if (m.has("tcp")) {
            m.section("tcp", ConfigKeys.HEALTH_CHECK_TCP, "{} (a connect probe has nothing to configure)");
        }
        return new HealthCheckConfig(interval, timeout, unhealthyThreshold, healthyThreshold, httpPath,
                expectedStatuses);
    }

    /** The probe's request target: origin-form, sent as written, so no spaces or control characters. */
    private static String path(MapReader http) {
        String form = "a path starting with \"/\", such as /healthz";
        if (!http.has("path")) {
            http.errors().missing(http.path("path"), form);
            return null;
        }
        String s = http.string("path", form);
        if (s == null) {
            return null;
        }
        if (!s.startsWith("/")) {
            http.errors().add(http.path("path"), s, "must start with \"/\"");
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                http.errors().add(http.path("path"), s,
                        "must not contain spaces, control or non-ASCII characters (percent-encode them)");
                return null;
            }
        }
        return s;
    }

    private static List<Integer> statuses(MapReader http) {
        List<Integer> statuses = http.integers("expected_statuses", Defaults.HEALTH_CHECK_EXPECTED_STATUSES, 100,
                599, STATUSES_FORM, "an HTTP status such as 200");
        if (statuses == null) {
            return List.of();
        }
        if (statuses.isEmpty()) {
            http.errors().add(http.path("expected_statuses"), "empty, expected " + STATUSES_FORM);
        }
        return statuses;
    }
}
