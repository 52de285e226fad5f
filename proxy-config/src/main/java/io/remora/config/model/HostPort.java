package io.remora.config.model;

import java.util.Objects;

/**
 * A {@code host:port} pair as written in the config: the host is a name, an IPv4 literal or an IPv6 literal
 * (kept without its brackets). It is not resolved here; the data plane decides when and how to resolve names.
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** True if the host is an IPv4 or IPv6 literal, i.e. needs no DNS lookup. */
    public boolean isIpLiteral() {
        return host.indexOf(':') >= 0 || isIpv4Literal(host);
    }

    /** True for the loopback literals and {@code localhost}. */
    public boolean isLoopback() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static boolean isIpv4Literal(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** The config spelling: {@code host:port}, or {@code [v6]:port}. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
