package io.remora.core.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.remora.config.model.ListenerConfig;
import io.remora.core.route.PathNormalizer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a decoded request goes through before it is routed, so that the route and the upstream see one and the
 * same request, and nothing the client sends can pass for something Remora asserts:
 * <ul>
 *   <li>an absolute-form target ({@code GET http://host/p HTTP/1.1}) becomes origin-form ({@code /p}), its
 *       authority the {@code Host} (the strict decoder already refused a Host that names another authority);
 *       the upstream is an origin server, and would otherwise have to pick between two authorities;</li>
 *   <li>the path is normalized per the listener's {@code normalize_path} and {@code merge_slashes}
 *       ({@link PathNormalizer}); the normalized path is what is routed and what is forwarded;</li>
 *   <li>every header in Remora's own namespace ({@code x-remora-*}) is removed: Remora sets
 *       {@code x-remora-attempt} itself, and no upstream may believe a client-sent one. The trailer section of a
 *       chunked request gets the same treatment ({@link #stripTrailers}), and loses
 *       {@code x-forwarded-client-cert} too (the header section's is replaced by the request handler).</li>
 * </ul>
 */
final class RequestHygiene {
    /** The prefix of the header names only Remora may set. */
    static final String INTERNAL_PREFIX = "x-remora-";

    private RequestHygiene() {
    }

    /**
     * Prepares {@code req} in place for routing and forwarding.
     *
     * @return null when the request may go on, else why it is answered 400
     */
    static String prepare(HttpRequest req, ListenerConfig config) {
        stripInternal(req.headers());
        if (HttpMethod.CONNECT.equals(req.method())) {
            return null; // authority-form: no path
        }
        String uri = req.uri();
        if (uri.equals("*")) {
            return null; // OPTIONS * (the decoder allows it for OPTIONS only)
        }
        if (!uri.startsWith("/")) {
            uri = toOriginForm(req, uri);
        }
        try {
            String normalized = PathNormalizer.normalizeTarget(uri, config.normalizePath(), config.mergeSlashes());
            if (!normalized.equals(req.uri())) {
                req.setUri(normalized);
            }
        } catch (PathNormalizer.InvalidPathException e) {
            return "invalid path: " + e.getMessage();
        }
        return null;
    }

    /**
     * {@code scheme://authority[/path][?query]} (already checked by the decoder) → {@code /path[?query]}, with
     * {@code Host} set to the authority when the request had none (HTTP/1.0).
     */
    private static String toOriginForm(HttpRequest req, String uri) {
        int from = uri.indexOf("://") + 3;
        int end = uri.length();
        for (int i = from; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?') {
                end = i;
                break;
            }
        }
        if (!req.headers().contains(HttpHeaderNames.HOST)) {
            req.headers().set(HttpHeaderNames.HOST, uri.substring(from, end));
        }
        String rest = uri.substring(end);
        return rest.isEmpty() ? "/" : rest.charAt(0) == '?' ? "/" + rest : rest;
    }

    /** Removes every {@code x-remora-*} field. Allocates nothing beyond an iterator when there is none. */
    static void stripInternal(HttpHeaders headers) {
        List<String> internal = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            if (isInternal(name)) {
                if (internal == null) {
                    internal = new ArrayList<>(2);
                }
                internal.add(name.toString());
            }
        }
        if (internal != null) {
            internal.forEach(headers::remove);
        }
    }

    /** Whether {@code name} starts with {@code x-remora-}, in any case. */
    static boolean isInternal(CharSequence name) {
        int n = INTERNAL_PREFIX.length();
        if (name.length() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != INTERNAL_PREFIX.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The trailer section of a request: no {@code x-remora-*}, no {@code x-forwarded-client-cert}. */
    static void stripTrailers(HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            return;
        }
        stripInternal(trailers);
        trailers.remove(HttpProxyHandler.XFCC);
    }
}
