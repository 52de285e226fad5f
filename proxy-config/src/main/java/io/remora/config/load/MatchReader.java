package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.RouteMatch;
import io.remora.config.validate.ValidationError;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a route's {@code match}. Values are normalised here, once, so that the data plane compares plainly:
 * header names and {@code host} are lower-cased (both are case-insensitive in HTTP), and a match with neither
 * {@code prefix} nor {@code path} gets the prefix {@code /}.
 */
final class MatchReader {

    private static final String PATH_FORM = "a path starting with \"/\"";
    private static final String HOST_FORM = "a host name such as api.example.com or *.example.com";
    private static final String HEADERS_FORM = "a map of header name to exact value, such as { x-canary: \"1\" }";
    /** RFC 9110 token characters besides letters and digits. */
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private MatchReader() {
    }

    /** @param m the {@code match} map, or {@code null} if it was not a map (already reported) */
    static RouteMatch read(MapReader m, ErrorList errors) {
        if (m == null) {
            return new RouteMatch(Defaults.ROUTE_PREFIX, null, null, Map.of());
        }
        String prefix = path(m, "prefix");
        String path = path(m, "path");
        if (m.has("prefix") && m.has("path")) {
            errors.add(m.path(), "give either prefix or path, not both");
        }
        if (!m.has("prefix") && !m.has("path")) {
            prefix = Defaults.ROUTE_PREFIX;
        }
        return new RouteMatch(prefix, path, host(m), headers(m));
    }

    private static String path(MapReader m, String key) {
        String s = m.string(key, PATH_FORM);
        if (s == null) {
            return null;
        }
        if (!s.startsWith("/")) {
            m.errors().add(m.path(key), s, "must start with \"/\"");
            return null;
        }
        if (s.indexOf('?') >= 0 || s.indexOf('#') >= 0) {
            m.errors().add(m.path(key), s, "must not contain \"?\" or \"#\": the query string is not matched");
            return null;
        }
        return s;
    }

    private static String host(MapReader m) {
        String s = m.string("host", HOST_FORM);
        if (s == null) {
            return null;
        }
        String host = s.toLowerCase(Locale.ROOT);
        String problem = hostProblem(host);
        if (problem != null) {
            m.errors().add(m.path("host"), s, problem);
            return null;
        }
        return host;
    }

    /** Why {@code host} is not a valid {@code match.host}, or {@code null} if it is. */
    private static String hostProblem(String host) {
        if (host.startsWith("[")) {
            return host.endsWith("]") && HostNames.isIpv6(host.substring(1, host.length() - 1))
                    ? null
                    : host.contains("]:") ? "must not include a port: only the host part is matched"
                    : "not a valid IPv6 address";
        }
        boolean wildcard = host.startsWith("*.");
        String name = wildcard ? host.substring(2) : host;
        if (name.indexOf('*') >= 0) {
            return "\"*\" is only allowed as the whole first label, such as *.example.com";
        }
        int colon = name.indexOf(':');
        if (colon >= 0) {
            return colon == name.lastIndexOf(':')
                    ? "must not include a port: only the host part is matched"
                    : "an IPv6 address must be in brackets, such as [::1]";
        }
        if (wildcard && HostNames.isDigitsAndDots(name)) {
            return "a wildcard needs a host name, not an IP address, after \"*.\"";
        }
        return HostNames.problem(name);
    }

    private static Map<String, String> headers(MapReader m) {
        Object value = m.get("headers");
        if (value == null) {
            return Map.of();
        }
        String path = m.path("headers");
        if (!(value instanceof Map<?, ?> given)) {
            m.errors().wrongType(path, value, HEADERS_FORM);
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, String> spellings = new HashMap<>();
        for (Map.Entry<?, ?> entry : given.entrySet()) {
            String name = String.valueOf(entry.getKey());
            if (!isToken(name)) {
                m.errors().add(path, name, "not a valid header name");
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            String earlier = spellings.putIfAbsent(lower, name);
            if (earlier != null) {
                m.errors().add(path, name, "same header as " + ValidationError.quote(earlier)
                        + " (header names ignore case)");
                continue;
            }
            String headerValue = headerValue(Paths.child(path, name), entry.getValue(), m.errors());
            if (headerValue != null) {
                headers.put(lower, headerValue);
            }
        }
        return headers;
    }

    private static String headerValue(String path, Object value, ErrorList errors) {
        if (value instanceof Number || value instanceof Boolean) {
            // YAML reads x-canary: 1 as a number; say how to write the string the header will actually carry
            errors.add(path, value, "expected a string, put the value in quotes");
            return null;
        }
        if (!(value instanceof String s)) {
            errors.wrongType(path, value, "a string");
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                errors.add(path, s, "must not contain CR, LF or NUL");
                return null;
            }
        }
        if (!s.equals(s.strip())) {
            errors.add(path, s, "must not start or end with whitespace, which HTTP strips from header values");
            return null;
        }
        return s;
    }

    /** An RFC 9110 token, the syntax of a header name. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
