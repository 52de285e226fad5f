package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.DirectResponseConfig;
import io.remora.config.model.FallbackConfig;
import io.remora.config.model.FaultConfig;
import io.remora.config.model.HeaderValue;
import io.remora.config.model.RateLimitConfig;
import io.remora.config.model.RedirectConfig;
import io.remora.config.model.WeightedCluster;
import io.remora.config.validate.ValidationError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the traffic policy (issue 9) of a route or a listener: {@code rate_limit}, {@code fault},
 * {@code fallback}, and the route actions {@code weighted_clusters}, {@code request_headers_to_add},
 * {@code request_headers_to_remove}, {@code response_headers_to_add}, {@code prefix_rewrite},
 * {@code direct_response} and {@code redirect}. Each method returns {@code null} (or an empty list) when the key
 * is absent or invalid, having reported why.
 */
final class TrafficPolicyReader {

    /** Bodies Remora holds in memory and sends itself ({@code fallback}, {@code direct_response}): 64 KiB. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** {@code rate_limit.requests_per_second} at most: one request a nanosecond. */
    static final double MAX_REQUESTS_PER_SECOND = 1e9;
    /** {@code rate_limit.burst} at most; keeps the bucket's arithmetic far from overflow. */
    static final int MAX_BURST = 1_000_000;
    /** A weighted cluster's {@code weight} at most, as endpoint weights. */
    static final int MAX_CLUSTER_WEIGHT = 10_000;
    /** Statuses of {@code redirect.status}. */
    static final List<Integer> REDIRECT_STATUSES = List.of(301, 302, 303, 307, 308);

    /**
     * Headers a route may not set or remove: the message framing (which the codecs own), hop-by-hop headers (which
     * never cross the proxy) and {@code host} (which routing and the upstream's virtual hosts depend on).
     */
    static final Set<String> PROTECTED_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "host");

    private static final String RATE_LIMIT_FORM = "a map such as { requests_per_second: 100, burst: 20 }";
    private static final String FAULT_FORM = "a map such as { delay: { fixed: 2s, percent: 10 },"
            + " abort: { status: 503, percent: 5 } }";
    private static final String HEADERS_FORM = "a map of header name to value, such as { x-env: prod },"
            + " or a list such as [ { name: x-env, value: prod } ]";
    private static final String PATH_FORM = "a path starting with \"/\"";

    private TrafficPolicyReader() {
    }

    // ---- rate_limit ------------------------------------------------------------------------------------------

    /** {@code rate_limit: { requests_per_second, burst, key: { header } }}; {@code null} if absent or invalid. */
    static RateLimitConfig rateLimit(MapReader parent) {
        if (!parent.has("rate_limit")) {
            return null;
        }
        MapReader m = parent.section("rate_limit", ConfigKeys.RATE_LIMIT, RATE_LIMIT_FORM);
        if (m == null) {
            return null;
        }
        boolean valid = true;
        double rps = 0;
        if (!m.has("requests_per_second")) {
            m.errors().missing(m.path("requests_per_second"), "a number of requests per second such as 100");
            valid = false;
        } else {
            int before = errorCount(m);
            rps = m.positiveDecimal("requests_per_second", -1);
            if (rps > MAX_REQUESTS_PER_SECOND) {
                m.errors().add(m.path("requests_per_second"), m.get("requests_per_second"),
                        "too large (at most 1000000000)");
                valid = false;
            }
            valid &= errorCount(m) == before;
        }
        int defaultBurst = valid ? (int) Math.min(MAX_BURST, Math.max(1,
                Math.ceil(rps * Defaults.RATE_LIMIT_BURST_SECONDS))) : 1;
        int before = errorCount(m);
        int burst = m.integer("burst", defaultBurst, 1, MAX_BURST);
        valid &= errorCount(m) == before;
        String keyHeader = null;
        if (m.has("key")) {
            MapReader key = m.section("key", ConfigKeys.RATE_LIMIT_KEY, "a map such as { header: x-api-key }");
            if (key == null) {
                valid = false;
            } else if (!key.has("header")) {
                m.errors().missing(key.path("header"), "a header name such as x-api-key");
                valid = false;
            } else {
                keyHeader = headerName(key, "header");
                valid &= keyHeader != null;
            }
        }
        return valid ? new RateLimitConfig(rps, burst, keyHeader) : null;
    }

    // ---- fault -----------------------------------------------------------------------------------------------

    /** {@code fault: { delay, abort, only_with_header }}; {@code null} if absent or invalid. */
    static FaultConfig fault(MapReader route) {
        if (!route.has("fault")) {
            return null;
        }
        MapReader m = route.section("fault", ConfigKeys.FAULT, FAULT_FORM);
        if (m == null) {
            return null;
        }
        if (!m.has("delay") && !m.has("abort")) {
            m.errors().add(m.path(), "needs delay, abort or both, such as { abort: { status: 503, percent: 5 } }");
            return null;
        }
        int before = errorCount(m);
        FaultConfig.Delay delay = null;
        if (m.has("delay")) {
            MapReader d = m.section("delay", ConfigKeys.FAULT_DELAY, "a map such as { fixed: 2s, percent: 10 }");
            if (d != null) {
                Duration fixed = null;
                if (!d.has("fixed")) {
                    d.errors().missing(d.path("fixed"), "a duration such as 2s");
                } else {
                    fixed = d.positiveDuration("fixed", null);
                }
                double percent = d.nonNegativeDecimal("percent", Defaults.FAULT_PERCENT, 100);
                delay = fixed == null ? null : new FaultConfig.Delay(fixed, percent);
            }
        }
        FaultConfig.Abort abort = null;
        if (m.has("abort")) {
            MapReader a = m.section("abort", ConfigKeys.FAULT_ABORT, "a map such as { status: 503, percent: 5 }");
            if (a != null) {
                Integer status = status(a, "status", "an HTTP status such as 503");
                double percent = a.nonNegativeDecimal("percent", Defaults.FAULT_PERCENT, 100);
                abort = status == null ? null : new FaultConfig.Abort(status, percent);
            }
        }
        String header = m.has("only_with_header") ? headerName(m, "only_with_header") : null;
        return errorCount(m) == before ? new FaultConfig(delay, abort, header) : null;
    }

    // ---- fallback and direct_response --------------------------------------------------------------------------

    /** {@code fallback: { status, content_type, body }}; {@code null} if absent or invalid. */
    static FallbackConfig fallback(MapReader route) {
        if (!route.has("fallback")) {
            return null;
        }
        MapReader m = route.section("fallback", ConfigKeys.FALLBACK,
                "a map such as { status: 200, content_type: application/json, body: '{\"degraded\":true}' }");
        if (m == null) {
            return null;
        }
        int before = errorCount(m);
        Integer status = status(m, "status", "an HTTP status such as 200");
        String contentType = Defaults.FALLBACK_CONTENT_TYPE;
        if (m.has("content_type")) {
            contentType = headerValue(m.path("content_type"), m.get("content_type"), m.errors());
            if (contentType != null && contentType.isEmpty()) {
                m.errors().add(m.path("content_type"), contentType, "must not be empty");
            }
        }
        String body = body(m);
        return errorCount(m) == before ? new FallbackConfig(status, contentType, body) : null;
    }

    /** {@code direct_response: { status, body }}; {@code null} if absent or invalid. */
    static DirectResponseConfig directResponse(MapReader route) {
        if (!route.has("direct_response")) {
            return null;
        }
        MapReader m = route.section("direct_response", ConfigKeys.DIRECT_RESPONSE,
                "a map such as { status: 200, body: ok }");
        if (m == null) {
            return null;
        }
        int before = errorCount(m);
        Integer status = status(m, "status", "an HTTP status such as 200");
        String body = body(m);
        return errorCount(m) == before ? new DirectResponseConfig(status, body) : null;
    }

    /** A required status 200-599 (1xx are interim, not answers); {@code null} if missing or invalid. */
    private static Integer status(MapReader m, String key, String expected) {
        if (!m.has(key)) {
            m.errors().missing(m.path(key), expected);
            return null;
        }
        int before = errorCount(m);
        int status = m.integer(key, 0, 200, 599);
        return errorCount(m) == before ? status : null;
    }

    /** An optional body, empty if absent; at most {@link #MAX_BODY_BYTES} of UTF-8. */
    private static String body(MapReader m) {
        if (!m.has("body")) {
            return "";
        }
        String body = m.string("body", "a string");
        if (body == null) {
            return "";
        }
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BODY_BYTES) {
            m.errors().add(m.path("body"), "too long (" + bytes + " bytes, at most " + MAX_BODY_BYTES + ")");
        }
        return body;
    }

    // ---- redirect ------------------------------------------------------------------------------------------

    /** {@code redirect: { https, host, path, status }}; {@code null} if absent or invalid. */
    static RedirectConfig redirect(MapReader route) {
        if (!route.has("redirect")) {
            return null;
        }
        MapReader m = route.section("redirect", ConfigKeys.REDIRECT,
                "a map such as { https: true } or { host: new.example.com, path: /new }");
        if (m == null) {
            return null;
        }
        int before = errorCount(m);
        boolean https = m.bool("https", false);
        String host = m.has("host") ? redirectHost(m) : null;
        String path = m.has("path") ? path(m, "path") : null;
        int status = Defaults.REDIRECT_STATUS;
        if (m.has("status")) {
            Object v = m.get("status");
            if (v instanceof Integer i && REDIRECT_STATUSES.contains(i)) {
                status = i;
            } else {
                m.errors().add(m.path("status"), v, "expected one of: 301, 302, 303, 307, 308");
            }
        }
        if (errorCount(m) == before && !https && host == null && path == null) {
            m.errors().add(m.path(), "needs https: true, host or path; without them it would redirect a request"
                    + " to itself");
        }
        return errorCount(m) == before ? new RedirectConfig(https, host, path, status) : null;
    }

    /** {@code host} or {@code host:port} (IPv6 in brackets), lower case; {@code null} if invalid. */
    private static String redirectHost(MapReader m) {
        String s = m.string("host", "a host name such as www.example.com, with an optional port");
        if (s == null) {
            return null;
        }
        String problem;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            String rest = close < 0 ? "" : s.substring(close + 1);
            problem = close < 0 || !HostNames.isIpv6(s.substring(1, close)) ? "not a valid IPv6 address"
                    : rest.isEmpty() ? null : portProblem(s, rest);
        } else if (s.indexOf(':') >= 0) {
            problem = s.indexOf(':') != s.lastIndexOf(':') ? "an IPv6 address must be in brackets, such as [::1]"
                    : HostNames.problem(s.substring(0, s.indexOf(':'))) != null
                    ? HostNames.problem(s.substring(0, s.indexOf(':')))
                    : portProblem(s, s.substring(s.indexOf(':')));
        } else {
            problem = s.isEmpty() ? "must not be empty" : HostNames.problem(s);
        }
        if (problem != null) {
            m.errors().add(m.path("host"), s, problem);
            return null;
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** Why {@code colonPort} (":8443") of {@code text} is not a port 1-65535, or null. */
    private static String portProblem(String text, String colonPort) {
        try {
            HostPorts.parse("h" + colonPort);
            return null;
        } catch (IllegalArgumentException e) {
            return "port must be 1-65535";
        }
    }

    /** A path for a redirect or a rewrite: starts with "/", no query, fragment, spaces or control characters. */
    static String path(MapReader m, String key) {
        String s = m.string(key, PATH_FORM);
        if (s == null) {
            return null;
        }
        String problem = !s.startsWith("/") ? "must start with \"/\""
                : s.indexOf('?') >= 0 || s.indexOf('#') >= 0
                ? "must not contain \"?\" or \"#\": the request's query string is kept"
                : hasSpaceOrControl(s) ? "must not contain spaces or control characters" : null;
        if (problem != null) {
            m.errors().add(m.path(key), s, problem);
            return null;
        }
        return s;
    }

    private static boolean hasSpaceOrControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    // ---- weighted_clusters ----------------------------------------------------------------------------------

    /** {@code weighted_clusters: [ { cluster, weight } ]}; empty if absent or invalid. */
    static List<WeightedCluster> weightedClusters(MapReader route) {
        if (!route.has("weighted_clusters")) {
            return List.of();
        }
        String form = "a list such as [ { cluster: stable, weight: 90 }, { cluster: canary, weight: 10 } ]";
        List<Object> items = route.list("weighted_clusters", form);
        if (items == null) {
            return List.of();
        }
        String path = route.path("weighted_clusters");
        if (items.isEmpty()) {
            route.errors().add(path, "empty, expected " + form);
            return List.of();
        }
        int before = errorCount(route);
        List<WeightedCluster> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        long total = 0;
        for (int i = 0; i < items.size(); i++) {
            String elementPath = Paths.index(path, i);
            MapReader m = MapReader.openElement(items.get(i), elementPath, ConfigKeys.WEIGHTED_CLUSTER,
                    "a map such as { cluster: canary, weight: 10 }", route.errors());
            if (m == null) {
                continue;
            }
            String cluster = m.requiredString("cluster", "the name of a cluster");
            Integer weight = null;
            if (!m.has("weight")) {
                m.errors().missing(m.path("weight"), "a weight such as 10 (0-" + MAX_CLUSTER_WEIGHT + ")");
            } else {
                int b = errorCount(m);
                int w = m.integer("weight", 0, 0, MAX_CLUSTER_WEIGHT);
                weight = errorCount(m) == b ? w : null;
            }
            if (cluster != null) {
                Integer first = seen.putIfAbsent(cluster, i);
                if (first != null) {
                    m.errors().add(m.path("cluster"), cluster, "listed twice, also at weighted_clusters[" + first
                            + "]");
                }
            }
            if (cluster != null && weight != null) {
                out.add(new WeightedCluster(cluster, weight));
                total += weight;
            }
        }
        if (errorCount(route) == before && total == 0) {
            route.errors().add(path, "every weight is 0; at least one cluster needs a weight above 0");
        }
        return errorCount(route) == before ? out : List.of();
    }

    // ---- headers ---------------------------------------------------------------------------------------------

    /**
     * {@code request_headers_to_add} / {@code response_headers_to_add}: a map {@code { name: value }} or a list
     * {@code [ { name, value } ]}; empty if absent or invalid.
     */
    static List<HeaderValue> headersToAdd(MapReader route, String key) {
        Object value = route.get(key);
        if (value == null) {
            return List.of();
        }
        String path = route.path(key);
        ErrorList errors = route.errors();
        int before = errorCount(route);
        List<HeaderValue> out = new ArrayList<>();
        Map<String, String> spellings = new HashMap<>();
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String name = String.valueOf(e.getKey());
                String lower = checkedName(path, name, spellings, errors);
                String v = headerValue(Paths.child(path, name), e.getValue(), errors);
                if (lower != null && v != null) {
                    out.add(new HeaderValue(lower, v));
                }
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String elementPath = Paths.index(path, i);
                MapReader m = MapReader.openElement(list.get(i), elementPath, ConfigKeys.HEADER_VALUE,
                        "a map such as { name: x-env, value: prod }", errors);
                if (m == null) {
                    continue;
                }
                String name = m.requiredString("name", "a header name such as x-env");
                String lower = name == null ? null : checkedName(m.path("name"), name, spellings, errors);
                String v = null;
                if (!m.has("value")) {
                    errors.missing(m.path("value"), "the header's value");
                } else {
                    v = headerValue(m.path("value"), m.get("value"), errors);
                }
                if (lower != null && v != null) {
                    out.add(new HeaderValue(lower, v));
                }
            }
        } else {
            errors.wrongType(path, value, HEADERS_FORM);
        }
        return errorCount(route) == before ? out : List.of();
    }

    /** {@code request_headers_to_remove: [ name, ... ]}, lower case; empty if absent or invalid. */
    static List<String> headersToRemove(MapReader route) {
        if (!route.has("request_headers_to_remove")) {
            return List.of();
        }
        List<Object> items = route.list("request_headers_to_remove", "a list of header names such as"
                + " [ x-debug, cookie ]");
        if (items == null) {
            return List.of();
        }
        String path = route.path("request_headers_to_remove");
        int before = errorCount(route);
        List<String> out = new ArrayList<>();
        Map<String, String> spellings = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String elementPath = Paths.index(path, i);
            Object item = items.get(i);
            if (!(item instanceof String name)) {
                route.errors().wrongType(elementPath, item, "a header name such as x-debug");
                continue;
            }
            String lower = checkedName(elementPath, name, spellings, route.errors());
            if (lower != null) {
                out.add(lower);
            }
        }
        return errorCount(route) == before ? out : List.of();
    }

    /**
     * {@code name} lower-cased if it is a token, not protected, and not given before in the same list (under any
     * spelling); otherwise {@code null}, reported at {@code path}.
     */
    private static String checkedName(String path, String name, Map<String, String> spellings, ErrorList errors) {
        if (!MatchReader.isToken(name)) {
            errors.add(path, name, "not a valid header name");
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (PROTECTED_HEADERS.contains(lower)) {
            errors.add(path, name, "Remora manages this header itself (message framing, hop-by-hop or routing),"
                    + " a route may not set or remove it");
            return null;
        }
        String earlier = spellings.putIfAbsent(lower, name);
        if (earlier != null) {
            errors.add(path, name, "same header as " + ValidationError.quote(earlier)
                    + " (header names ignore case)");
            return null;
        }
        return lower;
    }

    /** A header name (a token) at {@code key}, lower case; {@code null} if invalid. */
    private static String headerName(MapReader m, String key) {
        String s = m.string(key, "a header name such as x-api-key");
        if (s == null) {
            return null;
        }
        if (!MatchReader.isToken(s)) {
            m.errors().add(m.path(key), s, "not a valid header name");
            return null;
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /**
     * A header value: a string (numbers and booleans are refused, with a hint to quote them, since YAML would read
     * {@code x-version: 2} as a number) without CR, LF, NUL or surrounding whitespace; {@code null} if invalid.
     */
    static String headerValue(String path, Object value, ErrorList errors) {
        if (value instanceof Number || value instanceof Boolean) {
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

    private static int errorCount(MapReader m) {
        return m.errors().size();
    }
}
