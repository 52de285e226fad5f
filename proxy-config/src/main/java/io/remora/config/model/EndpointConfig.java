package io.remora.config.model;

/** One configured endpoint; a host name may stand for several hosts once resolved. */
public record EndpointConfig(HostPort address, int weight) {
}
