package io.remora.config.model;

/** Which address families a host name in {@code endpoints} resolves to. */
public enum DnsFamily {
    /** Every address the system resolver returns, v4 and v6, in its order. */
    AUTO("auto"),
    V4("v4"),
    V6("v6");

    private final String configName;

    DnsFamily(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the config file. */
    public String configName() {
        return configName;
    }
}
