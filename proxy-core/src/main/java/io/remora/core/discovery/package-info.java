/**
 * Turning configured endpoints into hosts: host names are resolved at start and every {@code dns_refresh},
 * off the event loops, and each address becomes a host (how a sidecar reaches the pods of a headless service).
 */
package io.remora.core.discovery;
