/**
 * Fault injection: delays and aborts on a share of a route's requests, optionally only for requests that carry a
 * header, so teams can rehearse a slow or failing upstream on purpose. Decisions are values
 * ({@link io.remora.core.fault.FaultInjector.Decision}); the exchange applies them. Injected faults carry the flag
 * {@code FI} and happen before any upstream is involved, so they never touch a host's outlier statistics.
 */
package io.remora.core.fault;
