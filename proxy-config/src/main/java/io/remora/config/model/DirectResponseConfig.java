package io.remora.config.model;

/**
 * A route answered by Remora itself, without an upstream: {@code status} and a fixed body (plain text).
 *
 * @param body never {@code null}; may be empty
 */
public record DirectResponseConfig(int status, String body) {
}
