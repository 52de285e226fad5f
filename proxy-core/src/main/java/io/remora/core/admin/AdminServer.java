package io.remora.core.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP server, on an event loop group of its own (one thread): a data plane at full load cannot starve
 * a readiness probe, and a slow scrape cannot delay a request. It refuses to bind a non-loopback address unless
 * {@code admin.allow_remote} is set, since {@code POST /drain} takes the proxy out of service.
 */
public final class AdminServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());
    /** Request bodies are not used; anything bigger than this is refused by the aggregator. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds the admin server, or throws having bound nothing.
     *
     * @param group        the admin's own event loop group; the server owns it from now on and shuts it down on
     *                     {@link #close} (also when this method fails)
     * @param channelClass the server socket channel class of {@code group}'s transport
     * @throws IOException if the address is not loopback and {@code allowRemote} is false, or cannot be bound
     */
    public static AdminServer start(InetSocketAddress address, boolean allowRemote, AdminBackend backend,
            EventLoopGroup group, Class<? extends ServerChannel> channelClass) throws IOException {
        try {
            if (address.isUnresolved()) {
                throw new IOException("cannot resolve " + address.getHostString());
            }
            if (!allowRemote && !address.getAddress().isLoopbackAddress()) {
                throw new IOException("not a loopback address, and admin.allow_remote is not set (the admin API"
                        + " can drain the proxy)");
            }
            AdminHandler handler = new AdminHandler(backend, Clock.systemUTC());
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(channelClass)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    // an admin client that connects and says nothing is not kept forever
                                    .addLast(new ReadTimeoutHandler(60, TimeUnit.SECONDS))
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpServerExpectContinueHandler())
                                    .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                    .addLast(handler);
                        }
                    });
            ChannelFuture f = b.bind(address).awaitUninterruptibly();
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                throw new IOException(cause == null ? "bind failed" : String.valueOf(cause.getMessage()), cause);
            }
            InetSocketAddress bound = (InetSocketAddress) f.channel().localAddress();
            LOG.log(System.Logger.Level.INFO, "admin server on http://" + hostPort(bound) + "/");
            return new AdminServer(group, f.channel());
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
