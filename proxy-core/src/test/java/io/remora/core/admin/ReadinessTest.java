package io.remora.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.remora.config.model.AdminConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.RemoraConfig;
import io.remora.core.metrics.MetricsRegistry;
import io.remora.core.upstream.Cluster;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /ready} in each state, against a stand-in backend (a real proxy is READY by the time start returns). */
@Timeout(30)
class ReadinessTest {

    private static final class StubBackend implements AdminBackend {
        volatile Readiness readiness = Readiness.STARTING;
        final AtomicInteger drains = new AtomicInteger();

        @Override
        public Readiness readiness() {
            return readiness;
        }

        @Override
        public MetricsRegistry metrics() {
            return new MetricsRegistry();
        }

        @Override
        public Collection<Cluster> clusters() {
            return List.of();
        }

        @Override
        public ConfigStatus configStatus() {
            return ConfigStatus.loaded(new RemoraConfig(AdminConfig.DEFAULT, Defaults.DRAIN_TIMEOUT, List.of(),
                    List.of()), Instant.EPOCH);
        }

        @Override
        public List<ListenerInfo> listeners() {
            return List.of();
        }

        @Override
        public boolean drainAsync() {
            readiness = Readiness.DRAINING;
            return drains.incrementAndGet() == 1;
        }
    }

    @Test
    void startingThenReadyThenDraining() throws IOException {
        StubBackend backend = new StubBackend();
        try (AdminServer server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), false, backend,
                new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), NioServerSocketChannel.class)) {
            Admin admin = new Admin(server.address());
            HttpResponse<String> starting = admin.get("/ready");
            assertEquals(503, starting.statusCode());
            assertEquals("starting\n", starting.body());
            backend.readiness = Readiness.READY;
            assertEquals(200, admin.get("/ready").statusCode());
            assertEquals(202, admin.send("POST", "/drain").statusCode());
            HttpResponse<String> draining = admin.get("/ready");
            assertEquals(503, draining.statusCode());
            assertEquals("draining\n", draining.body());
            assertEquals(1, backend.drains.get());
        }
    }

    @Test
    void anEmptyProxyRendersEveryDocument() throws IOException {
        StubBackend backend = new StubBackend();
        try (AdminServer server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), false, backend,
                new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()), NioServerSocketChannel.class)) {
            Admin admin = new Admin(server.address());
            assertEquals(List.of(), admin.json("/clusters").get("clusters"));
            assertEquals(List.of(), admin.json("/listeners").get("listeners"));
            assertEquals(List.of(), Admin.at(admin.json("/config"), "config", "listeners"));
            assertEquals("127.0.0.1:9901", Admin.at(admin.json("/config"), "config", "admin", "address"));
            assertEquals(List.of(), admin.json("/stats").get("clusters"));
        }
    }
}
