package io.remora.config.model;

/**
 * One configured endpoint; a host name may stand for several hosts once resolved.
 *
 * @param priority the endpoint's priority level, 0 (the default, preferred) and up: a level takes traffic only
 *                 as the levels before it lose healthy hosts (Envoy's priority levels, HAProxy's backup servers)
 */
public record EndpointConfig(HostPort address, int weight, int priority) {

    /** An endpoint of priority 0. */
    public EndpointConfig(HostPort address, int weight) {
        this(address, weight, Defaults.ENDPOINT_PRIORITY);
    }
}
