package io.remora.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.remora.config.model.LbPolicy;
import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.Defaults;
import io.remora.core.metrics.ClusterStats;
import io.remora.core.metrics.ListenerStats;
import io.remora.core.server.ProxyServer;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import java.io.File;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A live {@code /stats/prometheus} scrape, with every family holding series, piped through Prometheus's own linter:
 * {@code promtool check metrics} must report nothing. CI installs promtool (Debian's {@code prometheus} package,
 * see {@code .ci/run}); without it on the PATH the test is skipped and says why.
 */
@Timeout(60)
class PromtoolCheckTest {

    private static Path promtool() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    void aLiveScrapePassesPromtoolCheckMetrics() throws Exception {
        Path promtool = promtool();
        assumeTrue(promtool != null, "promtool is not on the PATH: install Debian's prometheus package"
                + " (.ci/run does) to run this check");
        try (FakeUpstream upstream = new FakeUpstream("app")) {
            OutlierDetectionConfig od = Defaults.OUTLIER_DETECTION;
            try (ProxyServer server = ProxyServer.start(Configs.config(
                            List.of(Configs.httpListener("ingress", List.of(Configs.route("/", "app"))),
                                    Configs.tcpListener("db", "app")),
                            List.of(Configs.withOutlierDetection(Configs.cluster("app", LbPolicy.ROUND_ROBIN,
                                    upstream.address(), "127.0.0.2:" + upstream.port()), od))),
                    ProxyServer.Options.defaults().withWorkerThreads(2)
                            .withAdminAddress(new InetSocketAddress("127.0.0.1", 0)))) {
                // what the request path will record, so that every family has series to lint
                ListenerStats l = server.metrics().listener("ingress");
                l.connectionOpened();
                l.request(200, 1_500_000, 100, 2000);
                l.request(503, 25_000_000, 0, 50);
                l.rejected(431);
                l.responseFlags("UF,URX");
                l.accessLogDropped();
                ClusterStats c = server.metrics().cluster("app");
                c.attempt();
                c.retry();
                c.retryDenied();
                c.timeout();
                c.connectFailure();
                c.upstreamResponse(200, 1_000_000);
                c.upstreamResponse(503, 3_000_000_000L);
                c.ejection("consecutive_5xx");
                server.metrics().configReload(true);

                String scrape = new Admin(server.adminAddress()).get("/stats/prometheus").body();
                Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true)
                        .start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(scrape.getBytes(StandardCharsets.UTF_8));
                }
                String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(true, p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
                assertEquals("", report.strip(), "promtool check metrics reported problems:\n" + report);
                assertEquals(0, p.exitValue(), report);
            }
        }
    }

}
