package io.remora.core.outlier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.OutlierDetectionConfig.FailurePercentage;
import io.remora.core.upstream.Host;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The detector tells its ejection listener (metrics) which detector ejected, from a bounded set of names. */
class EjectionListenerTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final long[] now = {0};
    private final List<String> reasons = new ArrayList<>();

    private static List<Host> hosts(int n) {
        List<Host> hosts = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            hosts.add(new Host("c", new InetSocketAddress("10.4.0." + i, 80), "10.4.0." + i + ":80", 1, 0));
        }
        return hosts;
    }

    private OutlierDetector detector(OutlierDetectionConfig config, List<Host> hosts) {
        OutlierDetector d = new OutlierDetector("c", config, () -> hosts, () -> now[0], () -> { });
        d.onEjection(reasons::add);
        return d;
    }

    @Test
    void consecutiveDetectorsNameThemselves() {
        List<Host> hosts = hosts(10);
        OutlierDetector d = detector(new OutlierDetectionConfig(2, 3, INTERVAL, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 100, null, null), hosts);
        d.record(hosts.get(0), Outcome.SERVER_ERROR);
        d.record(hosts.get(0), Outcome.SERVER_ERROR);
        d.record(hosts.get(1), Outcome.LOCAL_FAILURE);
        d.record(hosts.get(1), Outcome.SERVER_ERROR); // breaks the gateway run, reaches two 5xx
        assertEquals(List.of("consecutive_5xx", "consecutive_5xx"), reasons);
        OutlierDetector g = detector(new OutlierDetectionConfig(0, 3, INTERVAL, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 100, null, null), hosts);
        for (int i = 0; i < 3; i++) {
            g.record(hosts.get(5), Outcome.GATEWAY_ERROR);
        }
        assertEquals("consecutive_gateway_failure", reasons.get(2));
    }

    @Test
    void failurePercentageNamesItselfAndARefusedEjectionIsNotReported() {
        List<Host> hosts = hosts(5);
        OutlierDetector d = detector(new OutlierDetectionConfig(0, 0, INTERVAL, Duration.ofSeconds(30),
                Duration.ofSeconds(300), 20, null, new FailurePercentage(50, 5, 10)), hosts);
        for (Host h : hosts) {
            for (int i = 0; i < 10; i++) {
                d.record(h, h == hosts.get(0) || h == hosts.get(1) ? Outcome.SERVER_ERROR : Outcome.SUCCESS);
            }
        }
        now[0] = INTERVAL.toNanos();
        d.sweep();
        // both are over the threshold, but max_ejection_percent 20 of 5 hosts allows one ejection
        assertEquals(List.of("failure_percentage"), reasons);
        assertEquals(1, d.ejectedCount());
    }

    @Test
    void withoutAListenerNothingBreaks() {
        List<Host> hosts = hosts(3);
        OutlierDetector d = new OutlierDetector("c", new OutlierDetectionConfig(1, 0, INTERVAL,
                Duration.ofSeconds(30), Duration.ofSeconds(300), 100, null, null), () -> hosts, () -> 0, () -> { });
        d.onEjection(null);
        d.record(hosts.get(0), Outcome.SERVER_ERROR);
        assertEquals(1, d.ejectedCount());
    }
}
