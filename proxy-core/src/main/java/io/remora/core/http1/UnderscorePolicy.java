package io.remora.core.http1;

/**
 * What {@link StrictRequestDecoder} does with a field whose name contains an underscore
 * ({@code headers_with_underscores}, as in Envoy). Such names are valid tokens, but some frameworks (CGI, and
 * servers that map headers to environment variables) read {@code X_Forwarded_For} and {@code X-Forwarded-For}
 * as the same field, so a client can slip a spoofed value past a proxy that only strips the hyphenated name.
 */
public enum UnderscorePolicy {
    /** Keep the field. */
    ALLOW,
    /** Remove the field silently; it still counts toward the field-count and size limits. The default. */
    DROP,
    /** Fail the message with {@link HttpSyntaxException} (400). */
    REJECT
}
