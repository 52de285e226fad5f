package io.remora.core.h2;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.consecutiveFailures;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.retry;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withOutlierDetection;
import static io.remora.core.testing.Configs.withRetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.UpstreamProtocol;
import io.remora.core.testing.Await;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.upstream.Host;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real gRPC (grpc-java, on its own shaded Netty) through Remora: a gRPC client speaks HTTP/2 to a Remora listener
 * (prior knowledge), and Remora speaks HTTP/2 to a gRPC server ({@code protocol: http2}). All four kinds of call,
 * gRPC-aware retries, the route timeout and {@code grpc-timeout} as DEADLINE_EXCEEDED, Remora's own failures as
 * gRPC statuses, outlier detection fed by {@code grpc-status}, and per-status metrics.
 */
@Timeout(30)
class GrpcProxyTest {

    private static ClusterConfig grpcCluster(String... addresses) {
        return H2Configs.withProtocol(cluster("grpc", LbPolicy.ROUND_ROBIN, addresses), UpstreamProtocol.HTTP2);
    }

    private static ProxyHarness proxy(RouteConfig route, ClusterConfig cluster) throws Exception {
        return ProxyHarness.start(List.of(httpListener("in", List.of(route))), List.of(cluster));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void unaryCall() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(route("/", "grpc"), grpcCluster(server.address()))) {
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                for (int i = 0; i < 20; i++) {
                    byte[] reply = ClientCalls.blockingUnaryCall(ch, GrpcTesting.UNARY,
                            CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), bytes("hello " + i));
                    assertEquals("hello " + i, new String(reply, StandardCharsets.UTF_8));
                }
            } finally {
                GrpcTesting.shutdown(ch);
            }
            // a call is counted once its exchange completes, just after its last bytes went out
            Await.until("per-status metrics to count the calls", () -> p.server().metrics().prometheus().contains(
                    "remora_downstream_grpc_requests_total{listener=\"in\",grpc_status=\"OK\"} 20"));
        }
    }

    @Test
    void serverStreamingCall() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(route("/", "grpc"), grpcCluster(server.address()))) {
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(ch, GrpcTesting.SERVER_STREAM,
                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                        ByteBuffer.allocate(4).putInt(2000).array());
                int n = 0;
                while (it.hasNext()) {
                    byte[] m = it.next();
                    assertEquals(1024, m.length);
                    assertEquals((byte) n, m[0], "messages in order");
                    n++;
                }
                assertEquals(2000, n); // 2 MiB, past every flow-control window on the way
            } finally {
                GrpcTesting.shutdown(ch);
            }
        }
    }

    @Test
    void clientStreamingCall() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(route("/", "grpc"), grpcCluster(server.address()))) {
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                CompletableFuture<byte[]> result = new CompletableFuture<>();
                StreamObserver<byte[]> requests = ClientCalls.asyncClientStreamingCall(
                        ch.newCall(GrpcTesting.CLIENT_STREAM, CallOptions.DEFAULT.withDeadlineAfter(10,
                                TimeUnit.SECONDS)), observer(result));
                for (int i = 0; i < 500; i++) {
                    requests.onNext(new byte[4096]);
                }
                requests.onCompleted();
                assertEquals(500L * 4096, ByteBuffer.wrap(result.get(10, TimeUnit.SECONDS)).getLong());
            } finally {
                GrpcTesting.shutdown(ch);
            }
        }
    }

    @Test
    void bidirectionalStreamingCall() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(route("/", "grpc"), grpcCluster(server.address()))) {
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
                CountDownLatch done = new CountDownLatch(1);
                StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
                        ch.newCall(GrpcTesting.BIDI, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
                        new StreamObserver<>() {
                            @Override
                            public void onNext(byte[] value) {
                                got.add(new String(value, StandardCharsets.UTF_8));
                            }

                            @Override
                            public void onError(Throwable t) {
                                done.countDown();
                            }

                            @Override
                            public void onCompleted() {
                                done.countDown();
                            }
                        });
                // ping-pong: each message is echoed back before the next is sent, through the open stream
                for (int i = 0; i < 50; i++) {
                    requests.onNext(bytes("m" + i));
                    int expected = i + 1;
                    Await.until("echo of message " + i, Duration.ofSeconds(5), () -> got.size() >= expected);
                }
                requests.onCompleted();
                assertTrue(done.await(5, TimeUnit.SECONDS));
                List<String> want = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    want.add("m" + i);
                }
                assertEquals(want, got);
            } finally {
                GrpcTesting.shutdown(ch);
            }
        }
    }

    @Test
    void unavailableOnceIsRetriedAndSucceeds() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(withRetry(route("/", "grpc"), retry(2, RetryOn.UNAVAILABLE)),
                        grpcCluster(server.address()))) {
            server.failNext.set(1);
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                byte[] reply = ClientCalls.blockingUnaryCall(ch, GrpcTesting.UNARY,
                        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), bytes("again"));
                assertEquals("again", new String(reply, StandardCharsets.UTF_8));
                assertEquals(2, server.calls.get(), "the UNAVAILABLE answer was retried once");
            } finally {
                GrpcTesting.shutdown(ch);
            }
            Await.until("the metrics to count the UNAVAILABLE answer and the OK call", () -> {
                String metrics = p.server().metrics().prometheus();
                return metrics.contains(
                        "remora_upstream_grpc_responses_total{cluster=\"grpc\",grpc_status=\"UNAVAILABLE\"} 1")
                        && metrics.contains(
                        "remora_downstream_grpc_requests_total{listener=\"in\",grpc_status=\"OK\"} 1");
            });
        }
    }

    @Test
    void withoutTheConditionTheUpstreamStatusIsForwarded() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(withRetry(route("/", "grpc"), retry(2, RetryOn.FIVE_XX)),
                        grpcCluster(server.address()))) {
            server.failNext.set(1);
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(ch, GrpcTesting.UNARY,
                                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), bytes("x")));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
                assertEquals("try again", e.getStatus().getDescription(), "the server's own status and message");
                assertEquals(1, server.calls.get());
            } finally {
                GrpcTesting.shutdown(ch);
            }
        }
    }

    @Test
    void routeTimeoutShorterThanTheServerIsDeadlineExceededFromRemora() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(route("/", "grpc", Duration.ofMillis(300)), grpcCluster(server.address()))) {
            server.slowMillis = 5000;
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                long t0 = System.nanoTime();
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(ch, GrpcTesting.SLOW,
                                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), bytes("slow")));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
                assertTrue(e.getStatus().getDescription().contains("route timeout"), e.getStatus().toString());
                assertTrue(ms < 3000, "answered by Remora's 300 ms route timeout, after " + ms + " ms");
                Await.until("the upstream call to be cancelled", () -> server.cancelled.contains("slow"));
            } finally {
                GrpcTesting.shutdown(ch);
            }
            Await.until("the metrics to count the DEADLINE_EXCEEDED call", () -> p.server().metrics().prometheus()
                    .contains("remora_downstream_grpc_requests_total{listener=\"in\",grpc_status=\"DEADLINE_EXCEEDED\"} 1"));
        }
    }

    @Test
    void clientDeadlineShorterThanTheServerIsDeadlineExceeded() throws Exception {
        try (GrpcTesting.EchoServer server = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(route("/", "grpc"), grpcCluster(server.address()))) {
            server.slowMillis = 5000;
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(ch, GrpcTesting.SLOW,
                                CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), bytes("late")));
                assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
                // the call is gone upstream too: Remora's own grpc-timeout deadline or the client's cancel
                Await.until("the upstream call to be cancelled", () -> server.cancelled.contains("late"));
            } finally {
                GrpcTesting.shutdown(ch);
            }
        }
    }

    /**
     * {@code grpc-timeout} alone bounds the call (no client-side deadline: an HTTP/1.1 client; an upstream that
     * ignores the header and answers late): Remora ends it at the deadline with a gRPC DEADLINE_EXCEEDED.
     */
    @Test
    void grpcTimeoutHeaderBoundsTheRouteTimeout() throws Exception {
        try (io.remora.core.testing.FakeUpstream up = new io.remora.core.testing.FakeUpstream("late")
                        .delayResponses(Duration.ofSeconds(5));
                ProxyHarness p = proxy(route("/", "app"), cluster("app", LbPolicy.ROUND_ROBIN, up.address()))) {
            byte[] msg = bytes("raw");
            ByteBuffer frame = ByteBuffer.allocate(5 + msg.length).put((byte) 0).putInt(msg.length).put(msg);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + p.port("in") + "/test.Echo/Slow"))
                    .header("content-type", "application/grpc")
                    .header("grpc-timeout", "250m")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(frame.array()))
                    .timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(200, r.statusCode(), "a gRPC reply: HTTP 200");
            assertEquals("4", r.headers().firstValue("grpc-status").orElse(null), "DEADLINE_EXCEEDED");
            assertTrue(r.headers().firstValue("grpc-message").orElse("").contains("grpc-timeout"),
                    r.headers().map().toString());
            assertEquals("UT", r.headers().firstValue("x-remora-flags").orElse(null));
            assertEquals("application/grpc", r.headers().firstValue("content-type").orElse(null));
            assertTrue(ms >= 200 && ms < 3000, "ended at the 250 ms grpc-timeout, after " + ms + " ms");
        }
    }

    @Test
    void remoraOwnFailuresAreGrpcStatuses() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (ProxyHarness p = ProxyHarness.start(
                List.of(httpListener("in", List.of(route("/test.Echo/", "grpc")))),
                List.of(grpcCluster("127.0.0.1:" + closedPort)))) {
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(ch, GrpcTesting.UNARY,
                                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), bytes("x")));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
                assertTrue(e.getStatus().getDescription().contains("upstream connect failure"),
                        e.getStatus().toString());
                StatusRuntimeException nr = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(ch, io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                                        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                                        .setFullMethodName("other.Service/Call")
                                        .setRequestMarshaller(GrpcTesting.BYTES)
                                        .setResponseMarshaller(GrpcTesting.BYTES).build(),
                                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), bytes("x")));
                assertEquals(Status.Code.UNIMPLEMENTED, nr.getStatus().getCode(), "no route");
                assertTrue(nr.getStatus().getDescription().contains("no route"), nr.getStatus().toString());
            } finally {
                GrpcTesting.shutdown(ch);
            }
        }
    }

    @Test
    void outlierDetectionCountsGrpcFailures() throws Exception {
        try (GrpcTesting.EchoServer good = new GrpcTesting.EchoServer();
                GrpcTesting.EchoServer bad = new GrpcTesting.EchoServer();
                ProxyHarness p = proxy(route("/", "grpc"), H2Configs.withProtocol(withOutlierDetection(
                        cluster("grpc", LbPolicy.ROUND_ROBIN, good.address(), bad.address()),
                        consecutiveFailures(3, 3, Duration.ofSeconds(10), Duration.ofSeconds(30))),
                        UpstreamProtocol.HTTP2))) {
            bad.failNext.set(1_000_000); // every call: a trailers-only UNAVAILABLE (HTTP 200 on the wire)
            ManagedChannel ch = GrpcTesting.channel(p.port("in"));
            try {
                int failures = 0;
                for (int i = 0; i < 20; i++) {
                    try {
                        ClientCalls.blockingUnaryCall(ch, GrpcTesting.UNARY,
                                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), bytes("x"));
                    } catch (StatusRuntimeException e) {
                        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
                        failures++;
                    }
                }
                assertEquals(3, failures, "the failing host is ejected after its third UNAVAILABLE");
                Host badHost = null;
                for (Host h : p.server().clusters().cluster("grpc").hostSet().hosts()) {
                    if (h.address().getPort() == bad.port()) {
                        badHost = h;
                    }
                }
                assertTrue(badHost != null && badHost.outlier().isEjected(), "ejected on gRPC failures");
            } finally {
                GrpcTesting.shutdown(ch);
            }
        }
    }

    private static StreamObserver<byte[]> observer(CompletableFuture<byte[]> result) {
        return new StreamObserver<>() {
            byte[] last;

            @Override
            public void onNext(byte[] value) {
                last = value;
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(last);
            }
        };
    }
}
