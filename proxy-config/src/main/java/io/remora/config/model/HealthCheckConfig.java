package io.remora.config.model;

import java.time.Duration;
import java.util.List;

/**
 * Active health checking of a cluster's hosts: every {@code interval} (with jitter) each host is probed; after
 * {@code unhealthyThreshold} failures in a row it leaves the balancer, after {@code healthyThreshold} successes
 * in a row it returns.
 *
 * @param httpPath         path of an HTTP GET probe; {@code null} for a TCP connect probe
 * @param expectedStatuses HTTP statuses that count as healthy
 */
public record HealthCheckConfig(Duration interval, Duration timeout, int unhealthyThreshold, int healthyThreshold,
        String httpPath, List<Integer> expectedStatuses) {

    public HealthCheckConfig {
        expectedStatuses = List.copyOf(expectedStatuses);
    }

    public boolean isHttp() {
        return httpPath != null;
    }
}
