package io.remora.config.model;

import java.time.Duration;

/**
 * Slow start (Envoy's {@code SlowStartConfig}): a host that joins the cluster after it started, or returns from
 * ejection or from failing health checks, takes traffic with a weight that ramps up over {@code window}:
 * {@code weight × max(minWeightPercent / 100, timeFactor^(1 / aggression))}, where
 * {@code timeFactor = max(time since the host (re)joined, 1 s) / window}. An aggression of 1 ramps linearly; a
 * larger one ramps faster at the start.
 *
 * @param minWeightPercent the floor of the ramp, in percent of the host's weight (0-100)
 */
public record SlowStartConfig(Duration window, double aggression, double minWeightPercent) {
}
