package io.remora.config.model;

/**
 * A header a route sets on requests or responses. It replaces any value of the same name the message carried:
 * a header the proxy asserts must not be one a client can add a second value of.
 *
 * @param name lower case
 */
public record HeaderValue(String name, String value) {
}
