package io.remora.config.model;

/** The request key {@code ring_hash} hashes: exactly one of a header, a cookie, or the client's IP. */
public record HashOn(String header, String cookie, boolean sourceIp) {
}
