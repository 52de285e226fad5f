package io.remora.core.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AttributeKey;
import io.remora.config.model.Http2Config;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Turns a downstream connection into an HTTP/2 server connection: the frame codec with the listener's limits, the
 * multiplexer that gives every stream a child channel, and {@link ServerConnectionHandler}. Each stream channel
 * gets the frame-to-{@code HttpObject} codec, a {@link StreamAdapter}, and then whatever the HTTP data path installs
 * ({@link Hooks#streamInitializer}): the same request handling as an HTTP/1.1 connection, one request per stream.
 */
public final class Http2Server {
    /** The handler names on the connection's pipeline. */
    public static final String CODEC = "h2-codec";
    public static final String MULTIPLEX = "h2-multiplex";
    public static final String CONNECTION = "h2-connection";
    /** The stream channel's frame-to-HttpObject codec. */
    public static final String STREAM_CODEC = "h2-stream-codec";

    /**
     * What the HTTP/2 layer needs from the listener, read per connection or per check so that a reload applies.
     *
     * @param http2             the listener's {@code http2} limits (read when the connection turns HTTP/2)
     * @param idleTimeout       the listener's {@code idle_timeout}: a connection with no stream for this long is
     *                          closed (GOAWAY); zero = never
     * @param isDrain           recognises the user event that asks connections to finish and close
     * @param streamInitializer completes a new stream channel's pipeline after the adapter
     * @param connectionAttributes attributes of the connection (TLS identity and the like) each stream channel gets
     *                          a copy of, since the HTTP handlers read them from their own channel
     */
    public record Hooks(Http2Config http2, Supplier<Duration> idleTimeout, Predicate<Object> isDrain,
            Consumer<Channel> streamInitializer, List<AttributeKey<?>> connectionAttributes) {
    }

    private Http2Server() {
    }

    /**
     * Installs the HTTP/2 server handlers right after {@code after} (whose pipeline must hold nothing past it that
     * reads HTTP/1.1: the caller removed that first). The connection preface is read by the codec from the bytes
     * fired next.
     */
    public static void install(ChannelHandlerContext after, Hooks hooks) {
        Channel ch = after.channel();
        ChannelPipeline p = after.pipeline();
        Http2FrameCodec codec = Http2Codecs.server(hooks.http2());
        ServerConnectionHandler connection = new ServerConnectionHandler(codec, hooks);
        Http2MultiplexHandler multiplex = new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                initStream(stream, ch, connection, hooks);
            }
        });
        p.addAfter(after.name(), CODEC, codec);
        p.addAfter(CODEC, MULTIPLEX, multiplex);
        p.addAfter(MULTIPLEX, CONNECTION, connection);
        // HTTP/2 reads all the time: backpressure is per stream, through flow-control windows
        ch.config().setAutoRead(true);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void initStream(Channel stream, Channel connectionChannel, ServerConnectionHandler connection,
            Hooks hooks) {
        stream.config().setAutoRead(false); // the proxy reads when its upstream can take the bytes
        for (AttributeKey key : hooks.connectionAttributes()) {
            Object v = connectionChannel.attr(key).get();
            if (v != null) {
                stream.attr(key).set(v);
            }
        }
        connection.streamOpened(stream);
        stream.pipeline()
                .addLast(STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(StreamAdapter.NAME, StreamAdapter.server(connection));
        hooks.streamInitializer().accept(stream);
    }
}
