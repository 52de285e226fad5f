package io.remora.config.model;

import io.remora.config.model.OutlierDetectionConfig.FailurePercentage;
import io.remora.config.model.OutlierDetectionConfig.SuccessRate;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Every default of the config, named once. {@code ../shared/config-schema.md} is the contract these follow;
 * the README's config reference lists the same values.
 */
public final class Defaults {
    public static final HostPort ADMIN_ADDRESS = new HostPort("127.0.0.1", 9901);
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);

    public static final Protocol LISTENER_PROTOCOL = Protocol.HTTP;
    public static final Duration LISTENER_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration STREAM_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration REQUEST_HEADERS_TIMEOUT = Duration.ofSeconds(10);
    public static final int MAX_REQUEST_HEADERS_KB = 64;
    /** Header fields in a request head (and, separately, in its trailer section); over → 431. */
    public static final int MAX_HEADERS_COUNT = 100;
    public static final HeadersWithUnderscores HEADERS_WITH_UNDERSCORES = HeadersWithUnderscores.DROP;
    /** Concurrent downstream connections per listener; 0 = no limit. */
    public static final int MAX_CONNECTIONS = 0;
    /** Paths are normalized (unreserved percent-decoding, dot-segments) before routing and forwarding. */
    public static final boolean NORMALIZE_PATH = true;
    /** Runs of slashes in a path are kept as they are unless a listener says {@code merge_slashes: true}. */
    public static final boolean MERGE_SLASHES = false;
    /** {@code access_log.format} when not given. */
    public static final String ACCESS_LOG_FORMAT = AccessLogConfig.JSON;

    public static final String ROUTE_PREFIX = "/";
    public static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(15);

    public static final int ENDPOINT_WEIGHT = 1;
    public static final Duration DNS_REFRESH = Duration.ofSeconds(5);
    public static final DnsFamily DNS_FAMILY = DnsFamily.AUTO;
    public static final LbPolicy LB_POLICY = LbPolicy.ROUND_ROBIN;
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration CLUSTER_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int MAX_REQUESTS_PER_CONNECTION = 0;
    /** Percent of hosts that must be available; below it the cluster balances across all hosts (panic mode). */
    public static final int PANIC_THRESHOLD = 50;

    public static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(5);
    public static final Duration HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(1);
    public static final int HEALTH_CHECK_UNHEALTHY_THRESHOLD = 3;
    public static final int HEALTH_CHECK_HEALTHY_THRESHOLD = 2;
    public static final List<Integer> HEALTH_CHECK_EXPECTED_STATUSES = List.of(200);

    public static final int OUTLIER_CONSECUTIVE_5XX = 5;
    public static final int OUTLIER_CONSECUTIVE_GATEWAY_FAILURE = 5;
    public static final Duration OUTLIER_INTERVAL = Duration.ofSeconds(10);
    public static final Duration OUTLIER_BASE_EJECTION_TIME = Duration.ofSeconds(30);
    /** When {@code max_ejection_time} is not given it is this or {@code base_ejection_time}, whichever is larger. */
    public static final Duration OUTLIER_MAX_EJECTION_TIME = Duration.ofSeconds(300);
    public static final int OUTLIER_MAX_EJECTION_PERCENT = 10;
    public static final int SUCCESS_RATE_MINIMUM_HOSTS = 5;
    public static final int SUCCESS_RATE_REQUEST_VOLUME = 100;
    public static final double SUCCESS_RATE_STDEV_FACTOR = 1.9;
    public static final int FAILURE_PERCENTAGE_THRESHOLD = 85;
    public static final int FAILURE_PERCENTAGE_MINIMUM_HOSTS = 5;
    public static final int FAILURE_PERCENTAGE_REQUEST_VOLUME = 50;
    public static final SuccessRate OUTLIER_SUCCESS_RATE = new SuccessRate(SUCCESS_RATE_MINIMUM_HOSTS,
            SUCCESS_RATE_REQUEST_VOLUME, SUCCESS_RATE_STDEV_FACTOR);
    public static final FailurePercentage OUTLIER_FAILURE_PERCENTAGE = new FailurePercentage(
            FAILURE_PERCENTAGE_THRESHOLD, FAILURE_PERCENTAGE_MINIMUM_HOSTS, FAILURE_PERCENTAGE_REQUEST_VOLUME);
    /** What {@code outlier_detection: {}} means: every detector on, every default. */
    public static final OutlierDetectionConfig OUTLIER_DETECTION = new OutlierDetectionConfig(
            OUTLIER_CONSECUTIVE_5XX, OUTLIER_CONSECUTIVE_GATEWAY_FAILURE, OUTLIER_INTERVAL,
            OUTLIER_BASE_EJECTION_TIME, OUTLIER_MAX_EJECTION_TIME, OUTLIER_MAX_EJECTION_PERCENT,
            OUTLIER_SUCCESS_RATE, OUTLIER_FAILURE_PERCENTAGE);

    /** 1024 connections, 1024 pending requests, 1024 requests, 3 concurrent retries, 1s pending timeout. */
    public static final CircuitBreakersConfig CIRCUIT_BREAKERS = CircuitBreakersConfig.DEFAULT;
    /** {@code retry_ratio: 0.2, min_retries_per_second: 10, ttl: 10s}. */
    public static final RetryBudgetConfig RETRY_BUDGET = RetryBudgetConfig.DEFAULT;

    public static final Set<RetryOn> RETRY_ON = Set.of(RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM);
    public static final int RETRY_NUM_RETRIES = 1;
    /** None: an attempt may take the whole route timeout, and a timed-out attempt is not retried. */
    public static final Duration RETRY_PER_TRY_TIMEOUT = Duration.ZERO;
    public static final Duration RETRY_BASE_INTERVAL = Duration.ofMillis(25);
    public static final Duration RETRY_MAX_INTERVAL = Duration.ofMillis(250);
    /** When only {@code base_interval} is given, {@code max_interval} is this many times it (as Envoy does). */
    public static final int RETRY_MAX_INTERVAL_FACTOR = 10;
    public static final boolean RETRY_NON_IDEMPOTENT = false;
    /** 64 KiB. */
    public static final int RETRY_MAX_BUFFERED_BODY = 64 * 1024;
    /** What {@code retry: {}} means. A route without {@code retry} has no policy at all: no retries. */
    public static final RetryPolicyConfig RETRY_POLICY = new RetryPolicyConfig(RETRY_ON, List.of(),
            RETRY_NUM_RETRIES, RETRY_PER_TRY_TIMEOUT, RETRY_BASE_INTERVAL, RETRY_MAX_INTERVAL, RETRY_NON_IDEMPOTENT,
            RETRY_MAX_BUFFERED_BODY);

    // ---- traffic policy (issue 9) ------------------------------------------------------------------------

    /** An endpoint's priority level when not given: the preferred one. */
    public static final int ENDPOINT_PRIORITY = 0;
    /**
     * {@code rate_limit.burst} when not given is this many seconds of {@code requests_per_second} (rounded up, at
     * least 1): Linkerd's one-second GCRA tolerance.
     */
    public static final int RATE_LIMIT_BURST_SECONDS = 1;
    /** {@code fault.delay.percent} and {@code fault.abort.percent} when not given: every request (as Istio). */
    public static final double FAULT_PERCENT = 100;
    /** {@code fallback.content_type} when not given. */
    public static final String FALLBACK_CONTENT_TYPE = "text/plain; charset=utf-8";
    /** {@code redirect.status} when not given: permanent, as Envoy's {@code MOVED_PERMANENTLY} default. */
    public static final int REDIRECT_STATUS = 301;
    /** {@code slow_start.aggression} when not given: a linear ramp. */
    public static final double SLOW_START_AGGRESSION = 1.0;
    /** {@code slow_start.min_weight_percent} when not given. */
    public static final double SLOW_START_MIN_WEIGHT_PERCENT = 10;

    // ---- HTTP/2 and gRPC (issue 7) -----------------------------------------------------------------------

    /**
     * A listener's {@code http2} when not given: {@code max_concurrent_streams: 100, initial_stream_window: 64KiB,
     * initial_connection_window: 1MiB, max_header_list_kb: 16}.
     */
    public static final Http2Config HTTP2 = Http2Config.DEFAULT;
    /** A cluster's {@code protocol} when not given. */
    public static final UpstreamProtocol CLUSTER_PROTOCOL = UpstreamProtocol.HTTP1;

    private Defaults() {
    }
}
