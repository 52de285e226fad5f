package io.remora.config.model;

/** How a cluster picks a host for each request or connection. */
public enum LbPolicy {
    /** Weighted round robin; smooth, so weights hold over every window, not only in the long run. */
    ROUND_ROBIN("round_robin"),
    /** Power of two choices on active requests, weight-aware. */
    LEAST_REQUEST("least_request"),
    /** Weighted random. */
    RANDOM("random");

    private final String configName;

    LbPolicy(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the config file. */
    public String configName() {
        return configName;
    }
}
