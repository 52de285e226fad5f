package io.remora.config.model;

/**
 * A route answered with a redirect to the same request with some parts replaced. The query string is kept.
 *
 * @param https  redirect to {@code https://} (a port in the request's Host is dropped with it, since it was the
 *               plaintext port)
 * @param host   the new host (with an optional port), or {@code null} to keep the request's
 * @param path   the new path, or {@code null} to keep the request's
 * @param status 301 (the default, as Envoy's), 302, 303, 307 or 308
 */
public record RedirectConfig(boolean https, String host, String path, int status) {
}
