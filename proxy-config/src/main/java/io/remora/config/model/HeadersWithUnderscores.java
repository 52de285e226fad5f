package io.remora.config.model;

/**
 * What an http listener does with a request header whose name contains {@code _} ({@code headers_with_underscores},
 * as in Envoy). Such names are valid tokens, but CGI-style servers and frameworks that map headers to
 * environment variables read {@code X_Forwarded_For} as {@code X-Forwarded-For}, so a client could slip a spoofed
 * value past a proxy that only strips the hyphenated name.
 */
public enum HeadersWithUnderscores {
    /** Forward the header. */
    ALLOW("allow"),
    /** Remove the header silently (it still counts toward {@code max_headers_count}). The default. */
    DROP("drop"),
    /** Refuse the request with 400. */
    REJECT("reject");

    private final String configName;

    HeadersWithUnderscores(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the config file. */
    public String configName() {
        return configName;
    }
}
