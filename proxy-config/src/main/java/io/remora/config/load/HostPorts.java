package io.remora.config.load;

import io.remora.config.model.HostPort;
import io.remora.config.validate.ValidationError;

/**
 * Parses the {@code host:port} and {@code [v6]:port} addresses of listeners, endpoints and the admin server.
 * It exists apart from the loader so that the command line can read addresses the same way, with the same
 * messages. Ports must be 1-65535: port 0 ("any free port") is refused because a sidecar's ports are part of its
 * contract with the application and the mesh.
 */
public final class HostPorts {

    /** What an address looks like, for the hint shown with every malformed one. */
    static final String FORM = "host:port or [v6]:port, such as 127.0.0.1:8080";

    private static final String EXPECTED = "expected " + FORM;

    private HostPorts() {
    }

    /**
     * Parses {@code text}; the host is kept as written (an IPv6 literal without its brackets) and not resolved.
     *
     * @throws IllegalArgumentException with a message such as {@code "127.0.0.1:99999": port must be 1-65535}
     */
    public static HostPort parse(String text) {
        if (text.isEmpty()) {
            throw fail(text, EXPECTED);
        }
        if (text.indexOf('/') >= 0) {
            throw fail(text, "expected host:port without a scheme or path, such as 127.0.0.1:8080");
        }
        String host;
        String portText;
        if (text.charAt(0) == '[') {
            int close = text.indexOf(']');
            if (close < 0) {
                throw fail(text, "missing \"]\" after the IPv6 address");
            }
            host = text.substring(1, close);
            if (!HostNames.isIpv6(host)) {
                throw fail(text, "not an IPv6 address inside the brackets");
            }
            String rest = text.substring(close + 1);
            if (!rest.isEmpty() && rest.charAt(0) != ':') {
                throw fail(text, "expected \":\" and a port after \"]\"");
            }
            portText = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw fail(text, "missing port, " + EXPECTED);
            }
            if (text.indexOf(':') != colon) {
                throw fail(text, "an IPv6 address must be in brackets, such as [::1]:8080");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
            if (host.isEmpty()) {
                throw fail(text, "missing host, " + EXPECTED);
            }
            String problem = HostNames.problem(host);
            if (problem != null) {
                throw fail(text, problem);
            }
        }
        return new HostPort(host, port(text, portText));
    }

    private static int port(String text, String portText) {
        if (portText.isEmpty()) {
            throw fail(text, "missing port, " + EXPECTED);
        }
        for (int i = 0; i < portText.length(); i++) {
            if (portText.charAt(i) < '0' || portText.charAt(i) > '9') {
                throw fail(text, "port must be a number 1-65535");
            }
        }
        // more than 5 digits cannot be a port, and would overflow parseInt for long inputs
        int port = portText.length() > 5 ? -1 : Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw fail(text, "port must be 1-65535");
        }
        return port;
    }

    private static IllegalArgumentException fail(String text, String problem) {
        return new IllegalArgumentException(ValidationError.quote(text) + ": " + problem);
    }
}
