package io.remora.config.model;

import java.time.Duration;

/**
 * A cluster's concurrency limits, exact across event loops. Overflow answers 503 {@code UO} at once; a request
 * waiting for a connection longer than {@code pendingTimeout} fails the same way.
 */
public record CircuitBreakersConfig(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries,
        Duration pendingTimeout) {

    public static final CircuitBreakersConfig DEFAULT = new CircuitBreakersConfig(1024, 1024, 1024, 3,
            Duration.ofSeconds(1));
}
