package io.remora.core.admin;

/**
 * One listener as {@code GET /listeners} shows it.
 *
 * @param address   as configured ({@code host:port})
 * @param boundPort the port actually bound (differs from the configured one only when that was 0), or 0 if the
 *                  listener is not bound
 * @param accessLog the access log's path, or null
 */
public record ListenerInfo(String name, String address, String protocol, int boundPort, String accessLog) {
}
