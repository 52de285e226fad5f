/**
 * HTTP/2 on both sides of the proxy, as a transport under the HTTP/1.1-shaped data path of {@code http}:
 * every HTTP/2 stream becomes a Netty child channel that speaks {@code HttpObject}s, so routing, retries, timeouts,
 * metrics and access logs are the ones HTTP/1.1 uses.
 *
 * <ul>
 *   <li>Downstream, {@link io.remora.core.h2.Http2Detector} tells HTTP/2 from HTTP/1.1 per connection (ALPN on
 *       TLS, the 24-byte connection preface in cleartext) and {@link io.remora.core.h2.Http2Server} installs the
 *       frame codec, the multiplexer and {@link io.remora.core.h2.ServerConnectionHandler}, which bounds what one
 *       connection may cost: idle and drain handling, rapid-reset and SETTINGS/PING flood detection, and a cap on
 *       the HPACK table Remora's encoder keeps.</li>
 *   <li>Upstream, {@link io.remora.core.h2.Http2Upstreams} (one per event loop, like the HTTP/1.1 pools) shares
 *       connections per host, up to the server's {@code MAX_CONCURRENT_STREAMS} each, opening another one when all
 *       are full, and drains a connection that received GOAWAY. A request gets a stream, not a connection.</li>
 *   <li>{@link io.remora.core.h2.StreamAdapter} sits on every stream channel, between Netty's frame-to-HttpObject
 *       codec and the proxy, and makes the translation lossless for a proxy: no {@code x-http2-*} headers leak,
 *       full messages are split into head and last content, refusals are remembered.</li>
 * </ul>
 *
 * <p>Flow control is the backpressure: a stream channel whose reader stops reading stops returning window to its
 * peer, so a slow receiver stalls the sender after at most the stream window (and a connection after its
 * connection window), and Remora never buffers more than that.
 */
package io.remora.core.h2;
