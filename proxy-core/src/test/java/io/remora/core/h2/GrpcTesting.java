package io.remora.core.h2;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC service for tests, without protoc: hand-written method descriptors with a {@code byte[]} marshaller, on
 * grpc-java's own (shaded) Netty, over loopback. {@code test.Echo} has the four kinds of call:
 * <ul>
 *   <li>{@code Unary}: echoes the request; fails with UNAVAILABLE while {@link #failNext} is above zero;</li>
 *   <li>{@code Slow}: echoes after {@link #slowMillis}, or sees the call cancelled ({@link #cancelled});</li>
 *   <li>{@code ServerStream}: the request is a count n (4 bytes); answers n messages of 1 KiB;</li>
 *   <li>{@code ClientStream}: answers the total length of the messages it got, as 8 bytes;</li>
 *   <li>{@code Bidi}: echoes each message as it comes.</li>
 * </ul>
 */
final class GrpcTesting {
    static final String SERVICE = "test.Echo";

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> SERVER_STREAM = method("ServerStream",
            MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<byte[], byte[]> CLIENT_STREAM = method("ClientStream",
            MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<byte[], byte[]> BIDI = method("Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    /** A running test.Echo server. */
    static final class EchoServer implements AutoCloseable {
        final AtomicInteger failNext = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        volatile long slowMillis = 2000;
        final CopyOnWriteArrayList<String> cancelled = new CopyOnWriteArrayList<>();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "grpc-echo-timer");
            t.setDaemon(true);
            return t;
        });
        private final Server server;

        EchoServer() throws IOException {
            ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                    .addMethod(UNARY, ServerCalls.asyncUnaryCall(this::unary))
                    .addMethod(SLOW, ServerCalls.asyncUnaryCall(this::slow))
                    .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall(this::serverStream))
                    .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(this::clientStream))
                    .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(this::bidi))
                    .build();
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(service)
                    .build()
                    .start();
        }

        int port() {
            return server.getPort();
        }

        String address() {
            return "127.0.0.1:" + port();
        }

        private void unary(byte[] req, StreamObserver<byte[]> out) {
            calls.incrementAndGet();
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                out.onError(Status.UNAVAILABLE.withDescription("try again").asRuntimeException());
                return;
            }
            out.onNext(req);
            out.onCompleted();
        }

        private void slow(byte[] req, StreamObserver<byte[]> out) {
            calls.incrementAndGet();
            ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) out;
            call.setOnCancelHandler(() -> cancelled.add(new String(req, java.nio.charset.StandardCharsets.UTF_8)));
            timer.schedule(() -> {
                if (!call.isCancelled()) {
                    out.onNext(req);
                    out.onCompleted();
                }
            }, slowMillis, TimeUnit.MILLISECONDS);
        }

        private void serverStream(byte[] req, StreamObserver<byte[]> out) {
            calls.incrementAndGet();
            int n = ByteBuffer.wrap(req).getInt();
            for (int i = 0; i < n; i++) {
                byte[] m = new byte[1024];
                m[0] = (byte) i;
                out.onNext(m);
            }
            out.onCompleted();
        }

        private StreamObserver<byte[]> clientStream(StreamObserver<byte[]> out) {
            calls.incrementAndGet();
            return new StreamObserver<>() {
                long total;

                @Override
                public void onNext(byte[] value) {
                    total += value.length;
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onNext(ByteBuffer.allocate(8).putLong(total).array());
                    out.onCompleted();
                }
            };
        }

        private StreamObserver<byte[]> bidi(StreamObserver<byte[]> out) {
            calls.incrementAndGet();
            return new StreamObserver<>() {
                @Override
                public void onNext(byte[] value) {
                    out.onNext(value);
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }

        @Override
        public void close() {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer.shutdownNow();
        }
    }

    /** A plaintext (h2c, prior knowledge) gRPC channel to 127.0.0.1:{@code port}. */
    static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    static void shutdown(ManagedChannel ch) throws InterruptedException {
        ch.shutdownNow();
        ch.awaitTermination(5, TimeUnit.SECONDS);
    }

    private GrpcTesting() {
    }
}
