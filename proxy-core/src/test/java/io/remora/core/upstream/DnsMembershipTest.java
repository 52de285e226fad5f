package io.remora.core.upstream;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.discovery.Resolver;
import io.remora.core.testing.Await;
import io.remora.core.testing.Configs;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster endpoint given as a host name: an injected {@link Resolver} maps it to several loopback addresses
 * (127.0.0.1-3, one backend on each, all on the same port), and a short {@code dns_refresh} lets the tests
 * change the answer while the proxy runs.
 */
@Timeout(30)
class DnsMembershipTest {
    private static final String NAME = "backend.test";

    private final AtomicReference<List<InetAddress>> answer = new AtomicReference<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final List<FakeUpstream> ups = new ArrayList<>();
    private FakeUpstream one;
    private FakeUpstream two;
    private FakeUpstream three;
    private ProxyHarness proxy;

    @BeforeEach
    void backends() {
        // one port for all three addresses, as DNS gives addresses and the endpoint gives the port
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10 && three == null; attempt++) {
            ups.forEach(FakeUpstream::close);
            ups.clear();
            try {
                one = add(new FakeUpstream("one", "127.0.0.1", 0));
                two = add(new FakeUpstream("two", "127.0.0.2", one.port()));
                three = add(new FakeUpstream("three", "127.0.0.3", one.port()));
            } catch (RuntimeException e) { // the port was taken on another address: try another
                last = e;
                three = null;
            }
        }
        if (three == null) {
            throw last;
        }
    }

    private FakeUpstream add(FakeUpstream u) {
        ups.add(u);
        return u;
    }

    @AfterEach
    void close() {
        if (proxy != null) {
            proxy.close();
        }
        ups.forEach(FakeUpstream::close);
    }

    private void resolveTo(FakeUpstream... backends) throws UnknownHostException {
        List<InetAddress> out = new ArrayList<>();
        for (FakeUpstream b : backends) {
            out.add(InetAddress.getByName(b.address().substring(0, b.address().lastIndexOf(':'))));
        }
        answer.set(out);
    }

    private void startProxy() throws Exception {
        Resolver resolver = (host, family) -> {
            lookups.incrementAndGet();
            if (!host.equals(NAME)) {
                throw new UnknownHostException(host);
            }
            List<InetAddress> a = answer.get();
            if (a == null) {
                throw new UnknownHostException(host + ": SERVFAIL (test resolver)");
            }
            return a;
        };
        proxy = ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "c")))),
                List.of(Configs.withDnsRefresh(cluster("c", LbPolicy.ROUND_ROBIN, NAME + ":" + one.port()),
                        Duration.ofMillis(200))), resolver);
    }

    private Set<String> hosts() {
        return proxy.server().clusters().cluster("c").hostSet().hosts().stream()
                .map(h -> h.address().getAddress().getHostAddress()).collect(Collectors.toSet());
    }

    @Test
    void requestsAreSpreadOverEveryResolvedAddress() throws Exception {
        resolveTo(one, two, three);
        startProxy();
        try (RawHttpClient c = proxy.client("in")) {
            for (int i = 0; i < 30; i++) {
                assertEquals(200, c.get("/" + i).status());
            }
        }
        for (FakeUpstream u : List.of(one, two, three)) {
            assertEquals(10, u.requests().size(), "round robin gives each of 3 hosts a third: " + u.name());
        }
    }

    @Test
    void membershipChangeIsPickedUpWithoutDroppingRequestsInFlight() throws Exception {
        resolveTo(one);
        startProxy();
        one.holdResponses();
        try (RawHttpClient inFlight = proxy.client("in"); RawHttpClient c = proxy.client("in")) {
            inFlight.send("GET /in-flight HTTP/1.1\r\nHost: t\r\n\r\n");
            Await.until("the request to reach host one", () -> one.requests().size() == 1);

            resolveTo(two, three); // one leaves, two and three join
            Await.until("the refresh to replace the hosts", () -> hosts().equals(Set.of("127.0.0.2", "127.0.0.3")));
            for (int i = 0; i < 10; i++) {
                RawResponse r = c.get("/after-" + i);
                assertEquals(200, r.status());
                assertTrue(r.bodyText().equals("hello from two") || r.bodyText().equals("hello from three"),
                        r.bodyText());
            }
            assertEquals(5, two.requests().size());
            assertEquals(5, three.requests().size());
            assertEquals(1, one.requests().size(), "a removed host gets no new request");

            one.releaseHeld();
            RawResponse r = inFlight.readResponse();
            assertEquals(200, r.status(), "the request in flight on the removed host completes");
            assertEquals("hello from one", r.bodyText());
            Await.until("the removed host's connection to close once idle", () -> one.openConnections() == 0);
        }
    }

    @Test
    void aFailedRefreshKeepsTheHostsItHad() throws Exception {
        resolveTo(one, two);
        startProxy();
        answer.set(null); // the resolver starts failing
        int before = lookups.get();
        Await.until("two failed refreshes", () -> lookups.get() >= before + 2);
        assertEquals(Set.of("127.0.0.1", "127.0.0.2"), hosts());
        try (RawHttpClient c = proxy.client("in")) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, c.get("/" + i).status());
            }
            assertEquals(5, one.requests().size());
            assertEquals(5, two.requests().size());
            resolveTo(three);
            Await.until("recovery to be picked up", () -> hosts().equals(Set.of("127.0.0.3")));
            assertEquals("hello from three", c.get("/later").bodyText());
        }
    }
}
