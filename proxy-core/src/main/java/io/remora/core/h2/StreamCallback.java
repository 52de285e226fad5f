package io.remora.core.h2;

import io.netty.channel.Channel;

/**
 * How {@link Http2Upstreams#open} answers, on the caller's event loop, exactly once: with a stream, with an
 * HTTP/1.1 connection ({@code protocol: auto} when the upstream chose it), or with a failure.
 */
public interface StreamCallback {

    /** Why no stream could be had. */
    enum Failure {
        /** {@code max_connections} of the cluster is reached and every connection to the host is full. */
        OVERFLOW,
        /** No connection could be made (refused, timed out, closed before HTTP/2 settings, wrong protocol). */
        CONNECT,
        /** The TLS handshake failed. */
        TLS,
        /** The connection would not take another stream (it went away meanwhile): safe to try again. */
        REFUSED
    }

    /**
     * A stream is open on a shared connection: a channel that takes the request as {@code HttpObject}s and reads
     * the response the same way, with auto-read off. Closing it resets the stream (if it has not ended) and never
     * closes the connection.
     */
    void onStream(Channel stream);

    /**
     * {@code protocol: auto} and the upstream chose HTTP/1.1 by ALPN: a connected TLS channel with nothing after
     * its TLS handlers, and auto-read off. It holds a {@code max_connections} slot, which is the receiver's to give
     * back when the channel closes.
     */
    void onHttp1(Channel connection);

    void onFailure(Failure failure, String message);
}
