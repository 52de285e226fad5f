package io.remora.core.observability;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.FullHttpRequest;
import io.remora.config.model.LbPolicy;
import io.remora.core.testing.FakeUpstream;
import io.remora.core.testing.ProxyHarness;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * W3C Trace Context over a real proxy hop: what the upstream receives. A valid {@code traceparent} (and its
 * {@code tracestate}) goes up unchanged; without one, or with an invalid one, the upstream gets a new valid
 * {@code traceparent}, not sampled, and no {@code tracestate}. Cases after the W3C trace-context test suite.
 */
@Timeout(20)
class TracePropagationTest {
    static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String STATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
    /** A trace started by Remora: version 00, random ids (never all zeros), flags 00. */
    static final Pattern NEW = Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-00");

    private FakeUpstream up;
    private ProxyHarness proxy;
    private WireClient client;

    @BeforeEach
    void start() throws Exception {
        up = new FakeUpstream("app");
        proxy = ProxyHarness.start(List.of(httpListener("in", List.of(route("/", "app")))),
                List.of(cluster("app", LbPolicy.ROUND_ROBIN, up.address())));
        client = new WireClient(proxy.port("in"));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        proxy.close();
        up.close();
    }

    /** Sends a GET with these header lines and returns the request as the upstream received it. */
    private FullHttpRequest upstreamSaw(String... headerLines) throws Exception {
        int before = up.requests().size();
        assertEquals(200, client.request("/", headerLines).status());
        assertEquals(before + 1, up.requests().size());
        return up.requests().get(before);
    }

    @Test
    void aValidTraceparentAndItsTracestateGoUpUnchanged() throws Exception {
        FullHttpRequest r = upstreamSaw("traceparent: " + PARENT, "tracestate: " + STATE);
        assertEquals(List.of(PARENT), r.headers().getAll("traceparent"));
        assertEquals(List.of(STATE), r.headers().getAll("tracestate"));
    }

    @Test
    void aValidTraceparentWithoutTracestateGoesUpAloneAndUnsampledStaysUnsampled() throws Exception {
        String unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
        FullHttpRequest r = upstreamSaw("traceparent: " + unsampled);
        assertEquals(List.of(unsampled), r.headers().getAll("traceparent"));
        assertFalse(r.headers().contains("tracestate"));
    }

    @Test
    void withoutTraceparentANewTraceStartsAndAStrayTracestateIsDropped() throws Exception {
        FullHttpRequest first = upstreamSaw();
        String tp1 = first.headers().get("traceparent");
        assertTrue(tp1 != null && NEW.matcher(tp1).matches(), "a new traceparent: " + tp1);
        assertEquals(1, first.headers().getAll("traceparent").size());

        FullHttpRequest second = upstreamSaw("tracestate: " + STATE);
        String tp2 = second.headers().get("traceparent");
        assertTrue(tp2 != null && NEW.matcher(tp2).matches(), "a new traceparent: " + tp2);
        assertNull(second.headers().get("tracestate"), "a tracestate without a traceparent belongs to no trace");
        assertNotEquals(tp1.substring(3, 35), tp2.substring(3, 35), "every request gets its own trace id");
        assertNotEquals(tp1.substring(36, 52), tp2.substring(36, 52), "and its own parent id");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", // upper-case hex
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // trace id all zeros
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // parent id all zeros
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is forbidden
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has exactly 4 fields
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // trace id one digit short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", // flags not hex
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01", // wrong delimiter
        "garbage",
    })
    void anInvalidTraceparentIsReplacedAndItsTracestateDropped(String invalid) throws Exception {
        FullHttpRequest r = upstreamSaw("traceparent: " + invalid, "tracestate: " + STATE);
        List<String> tps = r.headers().getAll("traceparent");
        assertEquals(1, tps.size(), "one traceparent: " + tps);
        assertTrue(NEW.matcher(tps.get(0)).matches(), "a new traceparent instead of " + invalid + ": " + tps);
        assertFalse(invalid.length() >= 35 && tps.get(0).substring(3, 35).equalsIgnoreCase(invalid.substring(3, 35)),
                "a new trace id, not the invalid header's");
        assertNull(r.headers().get("tracestate"), "the tracestate of an invalid traceparent is dropped");
    }

    @Test
    void aLaterVersionWithMoreFieldsIsKept() throws Exception {
        String future = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like";
        FullHttpRequest r = upstreamSaw("traceparent: " + future, "tracestate: " + STATE);
        assertEquals(List.of(future), r.headers().getAll("traceparent"));
        assertEquals(List.of(STATE), r.headers().getAll("tracestate"));
    }

    @Test
    void optionalWhitespaceAroundTheValueIsNotPartOfIt() throws Exception {
        FullHttpRequest r = upstreamSaw("traceparent: \t" + PARENT + " \t", "tracestate: " + STATE);
        assertEquals(List.of(PARENT), r.headers().getAll("traceparent"));
        assertEquals(List.of(STATE), r.headers().getAll("tracestate"));
    }

    /** W3C test suite, test_traceparent_duplicated: two headers are no valid context; a new trace starts. */
    @Test
    void twoTraceparentHeadersStartANewTrace() throws Exception {
        String a = "00-12345678901234567890123456789011-1234567890123456-01";
        String b = "00-12345678901234567890123456789012-1234567890123456-01";
        FullHttpRequest r = upstreamSaw("traceparent: " + a, "traceparent: " + b, "tracestate: " + STATE);
        List<String> tps = r.headers().getAll("traceparent");
        assertEquals(1, tps.size(), "one traceparent goes up: " + tps);
        assertTrue(NEW.matcher(tps.get(0)).matches(), tps.get(0));
        assertNotEquals(a.substring(3, 35), tps.get(0).substring(3, 35));
        assertNotEquals(b.substring(3, 35), tps.get(0).substring(3, 35));
        assertNull(r.headers().get("tracestate"));
    }
}
