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
                    "request_headers_timeout", "max_request_headers_kb", "max_headers_count",
                    "headers_with_underscores", "max_connections", "normalize_path", "merge_slashes", "access_log",
                    "tls", "rate_limit", "http2"),
            List.of());

    static final Section HTTP2 = new Section(
            List.of("max_concurrent_streams", "initial_stream_window", "initial_connection_window",
                    "max_header_list_kb"),
            List.of());

    static final Section ACCESS_LOG = new Section(
            List.of("path", "format"),
            List.of());

    static final Section ROUTE = new Section(
            List.of("match", "cluster", "weighted_clusters", "timeout", "retry", "rate_limit", "fault", "fallback",
                    "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add",
                    "prefix_rewrite", "direct_response", "redirect"),
            List.of());

    static final Section RATE_LIMIT = new Section(
            List.of("requests_per_second", "burst", "key"),
            List.of());

    static final Section RATE_LIMIT_KEY = new Section(
            List.of("header"),
            List.of());

    static final Section FAULT = new Section(
            List.of("delay", "abort", "only_with_header"),
            List.of());

    static final Section FAULT_DELAY = new Section(
            List.of("fixed", "percent"),
            List.of());

    static final Section FAULT_ABORT = new Section(
            List.of("status", "percent"),
            List.of());

    static final Section FALLBACK = new Section(
            List.of("status", "content_type", "body"),
            List.of());

    static final Section WEIGHTED_CLUSTER = new Section(
            List.of("cluster", "weight"),
            List.of());

    static final Section HEADER_VALUE = new Section(
            List.of("name", "value"),
            List.of());

    static final Section DIRECT_RESPONSE = new Section(
            List.of("status", "body"),
            List.of());

    static final Section REDIRECT = new Section(
            List.of("https", "host", "path", "status"),
            List.of());

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
                    "outlier_detection", "circuit_breakers", "retry_budget", "slow_start", "protocol", "tls"),
            List.of());

    static final Section SLOW_START = new Section(
            List.of("window", "aggression", "min_weight_percent"),
            List.of());

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
            List.of("address", "weight", "priority"),
            List.of());

    /** {@code retry.retry_on} conditions the schema lists for later work: none left (gRPC's came with issue 7). */
    static final List<String> LATER_RETRY_ON = List.of();

    private ConfigKeys() {
    }
}
