/**
 * Circuit breakers in Envoy's sense: momentary, cluster-wide limits on connections, pending requests, active
 * requests and concurrent retries. Overflow fails the request at once (503 {@code UO}) instead of queueing it
 * behind a struggling upstream.
 */
package io.remora.core.breaker;
