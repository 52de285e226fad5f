package io.remora.config.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Every key Remora knows, section by section, in one place: the keys this version reads, and the keys the config
 * contract ({@code config-schema.md}) reserves for later work. A later key is reported as "not supported yet",
 * never silently ignored: an operator who writes {@code tls} must not believe the traffic is encrypted.
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
                    "request_headers_timeout", "max_request_headers_kb", "access_log", "tls"),
            List.of(
                    "max_headers_count", "headers_with_underscores", "max_connections", // issue 10
                    "rate_limit", // issue 9
                    "http2")); // issue 7

    static final Section ACCESS_LOG = new Section(
            List.of("path", "format"),
            List.of());

    static final Section ROUTE = new Section(
            List.of("match", "cluster", "timeout", "retry"),
            List.of(
                    "weighted_clusters", "rate_limit", "fault", "fallback", "request_headers_to_add", // issue 9
                    "request_headers_to_remove", "response_headers_to_add", "prefix_rewrite",
                    "direct_response", "redirect"));

    static final Section RETRY = new Section(
            List.of("retry_on", "num_retries", "per_try_timeout", "backoff", "retriable_status_codes",
                    "retry_non_idempotent", "max_buffered_body"),
            List.of());

    static final Section BACKOFF = new Section(
            List.of("base_interval", "max_interval"),
            List.of());

    static final Section MATCH = new Section(
            List.of("prefix", "path", "host", "headers"),
            List.of());

    static final Section CLUSTER = new Section(
            List.of("name", "endpoints", "dns_refresh", "dns_family", "lb_policy", "hash_on", "connect_timeout",
                    "idle_timeout", "max_requests_per_connection", "panic_threshold", "health_check",
                    "outlier_detection", "circuit_breakers", "retry_budget", "tls"),
            List.of(
                    "protocol", // issue 7
                    "slow_start")); // issue 9

    static final Section LISTENER_TLS = new Section(
            List.of("cert_file", "key_file", "ca_file", "mode", "allowed_identities", "min_version"),
            List.of());

    static final Section CLUSTER_TLS = new Section(
            List.of("cert_file", "key_file", "ca_file", "server_identity", "sni", "min_version"),
            List.of());

    static final Section HASH_ON = new Section(
            List.of("header", "cookie", "source_ip"),
            List.of());

    static final Section HEALTH_CHECK = new Section(
            List.of("interval", "timeout", "unhealthy_threshold", "healthy_threshold", "http", "tcp"),
            List.of());

    static final Section HEALTH_CHECK_HTTP = new Section(
            List.of("path", "expected_statuses"),
            List.of());

    /** {@code tcp: {}}: a connect probe has nothing to configure. */
    static final Section HEALTH_CHECK_TCP = new Section(
            List.of(),
            List.of());

    static final Section OUTLIER_DETECTION = new Section(
            List.of("consecutive_5xx", "consecutive_gateway_failure", "interval", "base_ejection_time",
                    "max_ejection_time", "max_ejection_percent", "success_rate", "failure_percentage"),
            List.of());

    static final Section SUCCESS_RATE = new Section(
            List.of("minimum_hosts", "request_volume", "stdev_factor"),
            List.of());

    static final Section FAILURE_PERCENTAGE = new Section(
            List.of("threshold", "minimum_hosts", "request_volume"),
            List.of());

    static final Section CIRCUIT_BREAKERS = new Section(
            List.of("max_connections", "max_pending_requests", "max_requests", "max_retries", "pending_timeout"),
            List.of());

    static final Section RETRY_BUDGET = new Section(
            List.of("retry_ratio", "min_retries_per_second", "ttl"),
            List.of());

    static final Section ENDPOINT = new Section(
            List.of("address", "weight"),
            List.of("priority")); // issue 9

    /** {@code retry.retry_on} conditions the schema lists for gRPC, which arrives with HTTP/2 (issue 7). */
    static final List<String> LATER_RETRY_ON = List.of("cancelled", "deadline-exceeded", "internal",
            "resource-exhausted", "unavailable");

    private ConfigKeys() {
    }
}
