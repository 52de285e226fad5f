package io.remora.config.model;

import java.time.Duration;

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

    public static final String ROUTE_PREFIX = "/";
    public static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(15);

    public static final int ENDPOINT_WEIGHT = 1;
    public static final Duration DNS_REFRESH = Duration.ofSeconds(5);
    public static final DnsFamily DNS_FAMILY = DnsFamily.AUTO;
    public static final LbPolicy LB_POLICY = LbPolicy.ROUND_ROBIN;
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration CLUSTER_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int MAX_REQUESTS_PER_CONNECTION = 0;

    private Defaults() {
    }
}
