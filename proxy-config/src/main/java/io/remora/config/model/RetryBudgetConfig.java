package io.remora.config.model;

import java.time.Duration;

/**
 * Finagle/Linkerd retry budget: retries may add at most {@code retryRatio} of the original requests of the last
 * {@code ttl}, plus {@code minRetriesPerSecond}.
 */
public record RetryBudgetConfig(double retryRatio, int minRetriesPerSecond, Duration ttl) {

    public static final RetryBudgetConfig DEFAULT = new RetryBudgetConfig(0.2, 10, Duration.ofSeconds(10));
}
