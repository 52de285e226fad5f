package io.remora.config.model;

/** What a cluster speaks to its endpoints ({@code clusters[].protocol}). */
public enum UpstreamProtocol {
    /** HTTP/1.1, one request at a time per pooled connection. */
    HTTP1("http1"),
    /**
     * HTTP/2: cleartext h2c with prior knowledge (an app that serves it, such as a gRPC server), or h2 over TLS
     * (ALPN offers {@code h2} only). Connections are shared by many requests at once.
     */
    HTTP2("http2"),
    /** TLS only: ALPN offers {@code h2} and {@code http/1.1}, and the upstream's choice decides per connection. */
    AUTO("auto");

    private final String configName;

    UpstreamProtocol(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the config file. */
    public String configName() {
        return configName;
    }
}
