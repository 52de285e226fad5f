package io.remora.core.traffic;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpHealthCheck;
import static io.remora.core.testing.Configs.withHealthCheck;
import static io.remora.core.traffic.Policies.listener;
import static io.remora.core.traffic.Policies.route;
import static io.remora.core.traffic.Policies.withPriorities;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.upstream.HostSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Priority failover over loopback: two primaries (priority 0) and a backup (priority 1) behind active health
 * checks. As the primaries fail, the backup takes 30% (1 of 2 primaries: 1.4 × 50% = 70% stays) and then all of
 * the traffic; as they recover, traffic flows back.
 */
@Timeout(30)
class PriorityFailoverIntegrationTest {
    /** Requests to measure a split with: 30% ± 10% is over four standard deviations at 400. */
    private static final int REQUESTS = 400;
    /** Requests to check that a level takes all or nothing. */
    private static final int FEW = 50;

    /** A backend whose {@code /healthz} answers 200 while {@code healthy} holds, else 503. */
    private static FakeUpstream backend(String name, AtomicBoolean healthy) {
        return new FakeUpstream(name).handler(req -> req.uri().startsWith("/healthz")
                ? FakeUpstream.text(healthy.get() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "health")
                : FakeUpstream.text(HttpResponseStatus.OK, name));
    }

    /** The share of {@code requests} requests the backup served. */
    private static double backupShare(RawHttpClient c, int requests) throws Exception {
        int backup = 0;
        for (int i = 0; i < requests; i++) {
            var r = c.get("/");
            assertEquals(200, r.status());
            backup += r.bodyText().equals("backup") ? 1 : 0;
        }
        return backup / (double) requests;
    }

    private static void awaitPrimariesAvailable(ProxyHarness p, int n) {
        Await.until(n + " primaries available", Duration.ofSeconds(5), () -> {
            HostSet s = p.server().clusters().cluster("c").hostSet();
            return !s.levels().isEmpty() && s.levels().get(0).available() == n;
        });
    }

    @Test
    void trafficSpillsToTheBackupInProportionAndFlowsBack() throws Exception {
        AtomicBoolean aUp = new AtomicBoolean(true);
        AtomicBoolean bUp = new AtomicBoolean(true);
        AtomicBoolean backupUp = new AtomicBoolean(true);
        try (FakeUpstream a = backend("a", aUp); FakeUpstream b = backend("b", bUp);
                FakeUpstream backup = backend("backup", backupUp)) {
            ClusterConfig c = withHealthCheck(withPriorities(cluster("c", LbPolicy.ROUND_ROBIN, a.address()),
                    a.address(), 0, b.address(), 0, backup.address(), 1),
                    httpHealthCheck(Duration.ofMillis(50), Duration.ofMillis(500), 1, 1, "/healthz"));
            try (ProxyHarness p = ProxyHarness.start(List.of(listener("in", route("/").cluster("c").build())),
                    List.of(c), FaultInjectionIntegrationTest.seeded(1));
                    RawHttpClient client = p.client("in")) {
                awaitPrimariesAvailable(p, 2);
                assertEquals(0.0, backupShare(client, FEW), 0.0, "all primaries up: the backup takes nothing");

                aUp.set(false);
                awaitPrimariesAvailable(p, 1);
                assertEquals(0.30, backupShare(client, REQUESTS), 0.10, "1 of 2 primaries: 30% spills over");

                bUp.set(false);
                awaitPrimariesAvailable(p, 0);
                assertEquals(1.0, backupShare(client, FEW), 0.0, "no primary: everything to the backup");

                aUp.set(true);
                awaitPrimariesAvailable(p, 1);
                assertEquals(0.30, backupShare(client, REQUESTS), 0.10, "recovering: back to 30%");

                bUp.set(true);
                awaitPrimariesAvailable(p, 2);
                assertEquals(0.0, backupShare(client, FEW), 0.0, "recovered: the backup takes nothing again");
            }
        }
    }
}
