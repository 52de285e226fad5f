package io.remora.config.model;

import java.time.Duration;

/**
 * Passive health checking (Envoy's outlier detection). Consecutive-failure ejections happen inline, the moment
 * the count is reached; success-rate and failure-percentage ejections are evaluated every {@code interval}.
 * A {@code 0} consecutive threshold, or a {@code null} success-rate / failure-percentage block, disables that
 * detector.
 */
public record OutlierDetectionConfig(
        int consecutive5xx,
        int consecutiveGatewayFailure,
        Duration interval,
        Duration baseEjectionTime,
        Duration maxEjectionTime,
        int maxEjectionPercent,
        SuccessRate successRate,
        FailurePercentage failurePercentage) {

    /** Eject hosts whose success rate is below mean − stdevFactor × stdev over hosts with enough volume. */
    public record SuccessRate(int minimumHosts, int requestVolume, double stdevFactor) {
    }

    /** Eject hosts whose failure percentage is at least {@code threshold}. */
    public record FailurePercentage(int threshold, int minimumHosts, int requestVolume) {
    }
}
