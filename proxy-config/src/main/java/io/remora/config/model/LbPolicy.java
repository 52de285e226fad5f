package io.remora.config.model;

/** How a cluster picks a host for each request or connection. */
public enum LbPolicy {
    /** Weighted round robin; smooth, so weights hold over every window, not only in the long run. */
    ROUND_ROBIN("round_robin"),
    /** Power of two choices on active requests, weight-aware. */
    LEAST_REQUEST("least_request"),
    /** Weighted random. */
    RANDOM("random"),
    /** Consistent hashing (Ketama ring) on the cluster's {@code hash_on} key. */
    RING_HASH("ring_hash"),
    /** Power of two choices scored by peak-EWMA latency × (active requests + 1); Linkerd's default. */
    PEAK_EWMA("peak_ewma");

    private final String configName;

    LbPolicy(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the config file. */
    public String configName() {
        return configName;
    }
}
