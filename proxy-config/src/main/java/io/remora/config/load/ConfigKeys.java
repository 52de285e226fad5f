package io.remora.config.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Every key Remora knows, section by section, in one place: the keys this version reads, and the keys the config
 * contract ({@code config-schema.md}) reserves for later work. A later key is reported as "not supported yet",
 * never silently ignored: an operator who writes {@code health_check} must not believe hosts are health-checked.
 * To support a key, move it from {@code later} to {@code supported} here and read it in the section's reader.
 */
final class ConfigKeys {

    /** The keys of one kind of map in the file; {@code supported} is in the order the schema lists them. */
    record Section(List<String> supported, List<String> later) {

        Section {
            supported = List.copyOf(supported);
            later = List.copyOf(later);
        }

        boolean isSupported(String key) {
            return supported.contains(key);
        }

        boolean isLater(String key) {
            return later.contains(key);
        }

        /** Supported keys first, so that a typo close to both kinds suggests the key that works today. */
        List<String> all() {
            List<String> all = new ArrayList<>(supported);
            all.addAll(later);
            return all;
        }
    }

    static final Section ROOT = new Section(
            List.of("admin", "drain_timeout", "listeners", "clusters"),
            List.of());

    static final Section ADMIN = new Section(
            List.of("address", "allow_remote"),
            List.of());

    static final Section LISTENER = new Section(
            List.of("name", "address", "protocol", "cluster", "routes", "idle_timeout", "stream_idle_timeout",
                    "request_headers_timeout", "max_request_headers_kb"),
            List.of(
                    "max_headers_count", "headers_with_underscores", "max_connections", // issue 10
                    "tls", // issue 6
                    "rate_limit", // issue 9
                    "access_log", // issue 4
                    "http2")); // issue 7

    static final Section ROUTE = new Section(
            List.of("match", "cluster", "timeout"),
            List.of(
                    "retry", // issue 3
                    "weighted_clusters", "rate_limit", "fault", "fallback", "request_headers_to_add", // issue 9
                    "request_headers_to_remove", "response_headers_to_add", "prefix_rewrite",
                    "direct_response", "redirect"));

    static final Section MATCH = new Section(
            List.of("prefix", "path", "host", "headers"),
            List.of());

    static final Section CLUSTER = new Section(
            List.of("name", "endpoints", "dns_refresh", "dns_family", "lb_policy", "connect_timeout",
                    "idle_timeout", "max_requests_per_connection"),
            List.of(
                    "hash_on", "panic_threshold", "health_check", "outlier_detection", // issue 3
                    "circuit_breakers", "retry_budget",
                    "protocol", // issue 7
                    "slow_start", // issue 9
                    "tls")); // issue 6

    static final Section ENDPOINT = new Section(
            List.of("address", "weight"),
            List.of("priority")); // issue 9

    /** {@code lb_policy} values the schema lists that this version does not implement (issue 3). */
    static final List<String> LATER_LB_POLICIES = List.of("ring_hash", "peak_ewma");

    private ConfigKeys() {
    }
}
