package io.remora.config.model;

/**
 * A listener's HTTP/2 limits ({@code http2}), applied to every connection that speaks HTTP/2 (by its connection
 * preface or by ALPN). The defaults are safe for a sidecar: they bound what one client connection can make Remora
 * hold (streams, buffered request bytes, header bytes), whatever the client sends.
 *
 * @param maxConcurrentStreams    streams a client may have open at once on one connection (SETTINGS); more are
 *                                refused with {@code REFUSED_STREAM}
 * @param initialStreamWindow     bytes a client may send on one stream before Remora reads them (the stream's
 *                                flow-control window, SETTINGS_INITIAL_WINDOW_SIZE): what one stream buffers at most
 *                                while its upstream is slow
 * @param initialConnectionWindow the same for all streams of a connection together: what one connection buffers at
 *                                most
 * @param maxHeaderListKb         a request's header list (HPACK-decoded names and values, SETTINGS_MAX_HEADER_LIST_SIZE),
 *                                in KiB; over → 431, far over → the connection is closed
 */
public record Http2Config(
        int maxConcurrentStreams,
        int initialStreamWindow,
        int initialConnectionWindow,
        int maxHeaderListKb) {

    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
    /** 64 KiB. */
    public static final int DEFAULT_INITIAL_STREAM_WINDOW = 64 * 1024;
    /** 1 MiB. */
    public static final int DEFAULT_INITIAL_CONNECTION_WINDOW = 1024 * 1024;
    public static final int DEFAULT_MAX_HEADER_LIST_KB = 16;
    /** The smallest window HTTP/2 allows a peer to assume (RFC 9113 section 6.9.2); less would stall clients. */
    public static final int MIN_WINDOW = 65_535;
    /** The largest window HTTP/2 allows: 2^31 - 1. */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    /** What a listener without {@code http2} (or with {@code http2: {}}) gets. */
    public static final Http2Config DEFAULT = new Http2Config(DEFAULT_MAX_CONCURRENT_STREAMS,
            DEFAULT_INITIAL_STREAM_WINDOW, DEFAULT_INITIAL_CONNECTION_WINDOW, DEFAULT_MAX_HEADER_LIST_KB);
}
