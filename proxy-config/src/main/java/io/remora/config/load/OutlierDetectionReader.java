package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.OutlierDetectionConfig.FailurePercentage;
import io.remora.config.model.OutlierDetectionConfig.SuccessRate;
import java.time.Duration;

/**
 * Reads a cluster's {@code outlier_detection}. Giving the block turns on every detector with its defaults; a
 * consecutive-failure detector is turned off with {@code 0}, and {@code success_rate} or
 * {@code failure_percentage} with the value {@code off} ({@code success_rate: off}).
 */
final class OutlierDetectionReader {

    /** The value that turns {@code success_rate} or {@code failure_percentage} off. */
    static final String OFF = "off";

    private static final String FORM = "a map such as { consecutive_5xx: 5, base_ejection_time: 30s }";
    private static final String SUCCESS_RATE_FORM = "a map such as { minimum_hosts: 5, request_volume: 100,"
            + " stdev_factor: 1.9 }, or off to turn it off";
    private static final String FAILURE_PERCENTAGE_FORM = "a map such as { threshold: 85, minimum_hosts: 5,"
            + " request_volume: 50 }, or off to turn it off";

    private OutlierDetectionReader() {
    }

    /** The outlier detection of {@code cluster}; {@code null} if it has none (or it is not a map, reported). */
    static OutlierDetectionConfig read(MapReader cluster) {
        if (!cluster.has("outlier_detection")) {
            return null;
        }
        MapReader m = cluster.section("outlier_detection", ConfigKeys.OUTLIER_DETECTION, FORM);
        if (m == null) {
            return null;
        }
        int consecutive5xx = m.integer("consecutive_5xx", Defaults.OUTLIER_CONSECUTIVE_5XX, 0, Integer.MAX_VALUE);
        int consecutiveGatewayFailure = m.integer("consecutive_gateway_failure",
                Defaults.OUTLIER_CONSECUTIVE_GATEWAY_FAILURE, 0, Integer.MAX_VALUE);
        Duration interval = m.positiveDuration("interval", Defaults.OUTLIER_INTERVAL);
        Duration baseEjectionTime = m.positiveDuration("base_ejection_time", Defaults.OUTLIER_BASE_EJECTION_TIME);
        Duration maxEjectionTime = maxEjectionTime(m, baseEjectionTime);
        int maxEjectionPercent = m.integer("max_ejection_percent", Defaults.OUTLIER_MAX_EJECTION_PERCENT, 0, 100);
        SuccessRate successRate = successRate(m);
        FailurePercentage failurePercentage = failurePercentage(m);
        return new OutlierDetectionConfig(consecutive5xx, consecutiveGatewayFailure, interval, baseEjectionTime,
                maxEjectionTime, maxEjectionPercent, successRate, failurePercentage);
    }

    /**
     * {@code max_ejection_time}, at least {@code base_ejection_time}. Not given, it is the default or the base,
     * whichever is longer (as in Envoy), so that raising only the base is never an error.
     */
    private static Duration maxEjectionTime(MapReader m, Duration base) {
        if (!m.has("max_ejection_time")) {
            return base != null && base.compareTo(Defaults.OUTLIER_MAX_EJECTION_TIME) > 0
                    ? base
                    : Defaults.OUTLIER_MAX_EJECTION_TIME;
        }
        Duration max = m.positiveDuration("max_ejection_time", null);
        if (max != null && base != null && max.compareTo(base) < 0) {
            m.errors().add(m.path("max_ejection_time"), m.get("max_ejection_time"),
                    "must be >= base_ejection_time (" + Durations.format(base) + ")");
            return null;
        }
        return max;
    }

    private static SuccessRate successRate(MapReader outlier) {
        SuccessRate d = Defaults.OUTLIER_SUCCESS_RATE;
        MapReader m = switchable(outlier, "success_rate", ConfigKeys.SUCCESS_RATE, SUCCESS_RATE_FORM);
        if (m == null) {
            return outlier.has("success_rate") ? null : d;
        }
        return new SuccessRate(
                m.integer("minimum_hosts", d.minimumHosts(), 1, Integer.MAX_VALUE),
                m.integer("request_volume", d.requestVolume(), 1, Integer.MAX_VALUE),
                m.positiveDecimal("stdev_factor", d.stdevFactor()));
    }

    private static FailurePercentage failurePercentage(MapReader outlier) {
        FailurePercentage d = Defaults.OUTLIER_FAILURE_PERCENTAGE;
        MapReader m = switchable(outlier, "failure_percentage", ConfigKeys.FAILURE_PERCENTAGE,
                FAILURE_PERCENTAGE_FORM);
        if (m == null) {
            return outlier.has("failure_percentage") ? null : d;
        }
        return new FailurePercentage(
                m.integer("threshold", d.threshold(), 0, 100),
                m.integer("minimum_hosts", d.minimumHosts(), 1, Integer.MAX_VALUE),
                m.integer("request_volume", d.requestVolume(), 1, Integer.MAX_VALUE));
    }

    /**
     * A detector's settings: an empty reader if absent (all defaults), {@code null} if turned off with
     * {@code off} or not a map (reported).
     */
    private static MapReader switchable(MapReader outlier, String key, ConfigKeys.Section section,
                                        String expected) {
        if (OFF.equals(outlier.get(key))) {
            return null;
        }
        return outlier.section(key, section, expected);
    }
}
