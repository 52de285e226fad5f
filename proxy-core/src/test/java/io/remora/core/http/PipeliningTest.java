package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pipelined requests (several in one write) are answered in order, one at a time. */
@Timeout(30)
class PipeliningTest {

    private static FakeUpstream echoingPath() {
        return new FakeUpstream("a").handler(req -> FakeUpstream.text(HttpResponseStatus.OK,
                req.method() + " " + req.uri() + " " + req.content().toString(StandardCharsets.UTF_8)));
    }

    private static ProxyHarness proxy(FakeUpstream up) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route("/api", "c")))),
                List.of(cluster("c", LbPolicy.ROUND_ROBIN, up.address())));
    }

    @Test
    void threeRequestsInOneWriteAreAnsweredInOrder() throws Exception {
        try (FakeUpstream up = echoingPath(); ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            c.send("GET /api/1 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /api/2 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /api/3 HTTP/1.1\r\nHost: t\r\n\r\n");
            for (int i = 1; i <= 3; i++) {
                RawResponse r = c.readResponse();
                assertEquals(200, r.status());
                assertEquals("GET /api/" + i + " ", r.bodyText());
            }
            assertEquals(1, up.connections());
        }
    }

    @Test
    void aSlowFirstResponseDoesNotLetLaterOnesOvertakeIt() throws Exception {
        try (FakeUpstream up = echoingPath(); ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            up.holdResponses();
            c.send("GET /api/slow HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /api/body HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /api/3 HTTP/1.1\r\nHost: t\r\n\r\n");
            Await.until("the first request to reach the upstream", () -> up.requests().size() == 1);
            // pipelined requests wait for the one in flight: one request per connection at a time
            assertTrue(c.isOpenAfter(Duration.ofMillis(200)));
            assertEquals(1, up.requests().size());
            up.releaseHeld();
            assertEquals("GET /api/slow ", c.readResponse().bodyText());
            assertEquals("POST /api/body hello", c.readResponse().bodyText());
            assertEquals("GET /api/3 ", c.readResponse().bodyText());
        }
    }

    @Test
    void localRepliesInTheMiddleKeepTheOrder() throws Exception {
        try (FakeUpstream up = echoingPath(); ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            c.send("GET /api/1 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /nowhere HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /api/4 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("GET /api/1 ", c.readResponse().bodyText());
            RawResponse r = c.readResponse();
            assertEquals(404, r.status());
            assertEquals("NR", r.flags());
            assertEquals(404, c.readResponse().status());
            assertEquals("GET /api/4 ", c.readResponse().bodyText());
            assertEquals(2, up.requests().size());
        }
    }

    @Test
    void manyPipelinedRequestsAllArrive() throws Exception {
        try (FakeUpstream up = echoingPath(); ProxyHarness p = proxy(up); RawHttpClient c = p.client("in")) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                all.append("GET /api/").append(i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
            }
            c.send(all.toString());
            for (int i = 0; i < 50; i++) {
                assertEquals("GET /api/" + i + " ", c.readResponse().bodyText());
            }
        }
    }
}
