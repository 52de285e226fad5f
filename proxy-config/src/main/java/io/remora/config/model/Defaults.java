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

    private Defaults() {
    }
}
