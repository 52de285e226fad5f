package io.remora.config.model;

/** What a listener speaks: HTTP (routed per request) or TCP (opaque bytes to one cluster). */
public enum Protocol {
    HTTP("http"),
    TCP("tcp");

    private final String configName;

    Protocol(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the config file. */
    public String configName() {
        return configName;
    }
}
