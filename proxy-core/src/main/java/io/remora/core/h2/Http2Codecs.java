package io.remora.core.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import io.remora.config.model.Http2Config;

/**
 * The HTTP/2 frame codecs Remora runs, with the protections a proxy facing untrusted peers needs. Netty enforces
 * most of them in the codec; the ones that depend on what streams do are in {@link ServerConnectionHandler}.
 *
 * <ul>
 *   <li>Rapid reset (CVE-2023-44487): a client's RST_STREAM frames are capped per window
 *       ({@value #MAX_RST_PER_WINDOW} per {@value #RST_WINDOW_SECONDS} s, then GOAWAY ENHANCE_YOUR_CALM) as a
 *       backstop; the ratio rule of {@link ServerConnectionHandler} closes a connection whose streams are mostly
 *       reset before their response, long before that.</li>
 *   <li>"MadeYouReset": the RST_STREAM frames a peer makes Remora send are capped the same way (Netty's default).</li>
 *   <li>CONTINUATION flood (2024): a header block may have at most {@value #MAX_SMALL_CONTINUATIONS} small
 *       CONTINUATION frames, and a block larger than 1.25 × {@code max_header_list_kb} closes the connection (a
 *       block over {@code max_header_list_kb} alone is answered 431).</li>
 *   <li>Control-frame floods (CVE-2019-9512/9515): at most {@value #MAX_QUEUED_CONTROL_FRAMES} control frames
 *       (SETTINGS and PING acknowledgements, RST_STREAM) may wait to be written to a peer that does not read; the
 *       connection closes past that (Envoy's {@code max_outbound_control_frames}).</li>
 *   <li>Empty-frame flood (CVE-2019-9518): at most {@value #MAX_CONSECUTIVE_EMPTY_DATA} consecutive empty DATA
 *       frames.</li>
 *   <li>HPACK: the decoder's table is what Remora advertises (4 KiB); the encoder's table, which the peer may
 *       allow up to 4 GiB, is capped at {@value #HPACK_ENCODER_TABLE_CAP} bytes ({@link #capEncoderTable}).</li>
 * </ul>
 */
final class Http2Codecs {
    static final int MAX_RST_PER_WINDOW = 1000;
    static final int RST_WINDOW_SECONDS = 30;
    static final int MAX_SMALL_CONTINUATIONS = 16;
    static final int MAX_QUEUED_CONTROL_FRAMES = 1000;
    static final int MAX_CONSECUTIVE_EMPTY_DATA = 2;
    static final long HPACK_ENCODER_TABLE_CAP = 64 * 1024;
    /** Remora's own decoder table (the HTTP/2 default): what a peer's header compression may make it hold. */
    static final long HPACK_DECODER_TABLE = 4096;

    /** Upstream (client) side: streams and connections windows, and the largest response header list taken. */
    static final int UPSTREAM_STREAM_WINDOW = 256 * 1024;
    static final int UPSTREAM_CONNECTION_WINDOW = 4 * 1024 * 1024;
    static final long UPSTREAM_MAX_HEADER_LIST = 64 * 1024;

    private Http2Codecs() {
    }

    /** The codec of a downstream connection that speaks HTTP/2, with the listener's limits. */
    static Http2FrameCodec server(Http2Config c) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(c.maxConcurrentStreams())
                .initialWindowSize(c.initialStreamWindow())
                .maxHeaderListSize(c.maxHeaderListKb() * 1024L)
                .headerTableSize(HPACK_DECODER_TABLE);
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_PER_WINDOW, RST_WINDOW_SECONDS)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATIONS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .build();
    }

    /** The codec of an upstream HTTP/2 connection. Server push is refused in the SETTINGS Remora sends. */
    static Http2FrameCodec client() {
        Http2Settings settings = Http2Settings.defaultSettings()
                .pushEnabled(false)
                .initialWindowSize(UPSTREAM_STREAM_WINDOW)
                .maxHeaderListSize(UPSTREAM_MAX_HEADER_LIST)
                .headerTableSize(HPACK_DECODER_TABLE);
        return Http2FrameCodecBuilder.forClient()
                .initialSettings(settings)
                .validateHeaders(true)
                .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATIONS)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .build();
    }

    /**
     * Grows the connection's receive window from HTTP/2's fixed 65,535 bytes to {@code window} (a WINDOW_UPDATE on
     * stream 0); {@code ctx} is a handler after the codec. The stream windows come with SETTINGS.
     */
    static void growConnectionWindow(ChannelHandlerContext ctx, int window) {
        int delta = window - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (delta > 0) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(delta));
        }
    }

    /**
     * Keeps the HPACK table of Remora's encoder at most {@value #HPACK_ENCODER_TABLE_CAP} bytes whatever
     * SETTINGS_HEADER_TABLE_SIZE the peer sent: the peer's value is a maximum the encoder may stay below (RFC 7541
     * section 4.2, signalled with a table size update), and without a cap a peer's 4 GiB would let every distinct
     * response header Remora ever sent on the connection stay in memory. Called once each SETTINGS frame has been
     * applied, before any other header block is encoded.
     */
    static void capEncoderTable(Http2FrameCodec codec) throws Http2Exception {
        Http2HeadersEncoder.Configuration c = codec.encoder().configuration().headersConfiguration();
        if (c.maxHeaderTableSize() > HPACK_ENCODER_TABLE_CAP) {
            c.maxHeaderTableSize(HPACK_ENCODER_TABLE_CAP);
        }
    }
}
