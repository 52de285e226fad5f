package io.remora.config.model;

/**
 * The static response a route degrades to instead of an error Remora itself would answer with ({@code UH},
 * {@code UF}, {@code UO}, {@code UT}, {@code URX}, {@code UR}, {@code UPE}) or an injected abort ({@code FI}):
 * a canned answer rather than an error page. An upstream's own response, error or not, is never replaced.
 *
 * @param contentType never {@code null}
 * @param body        never {@code null}; may be empty
 */
public record FallbackConfig(int status, String contentType, String body) {
}
