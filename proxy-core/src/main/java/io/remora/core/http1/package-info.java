/**
 * Strict HTTP/1.1 decoders: {@link io.remora.core.http1.StrictRequestDecoder} for clients,
 * {@link io.remora.core.http1.StrictResponseDecoder} (inside {@link io.remora.core.http1.StrictClientCodec}) for
 * upstreams. A sidecar sits between two parsers, and every message it reads differently from either of them is
 * a request-smuggling or cache-poisoning hole; so the rule here is that a message which another parser could
 * read in a second way is <b>rejected</b>, never repaired and forwarded, and nothing after a framing error is
 * ever parsed as a new message (the decoder stays in a terminal state and discards the rest). The grammar is
 * RFC 9112 (message syntax and framing) and RFC 9110 (§5.5 field values, §7.2 Host).
 *
 * <h2>Rejected (400 for requests, 502 UPE for responses)</h2>
 * <ul>
 *   <li><b>Line endings</b>: every line ends in CRLF. A bare LF (RFC 9112 §2.2 lets a server accept it; this one
 *       does not) or a bare CR anywhere is rejected. One CRLF before a request line is skipped (§2.2 asks a server
 *       to ignore "at least one"), a second is rejected; a response may not start with one.</li>
 *   <li><b>Request line</b>: a token method, exactly one SP between the three parts, a version of exactly
 *       {@code HTTP/1.0} or {@code HTTP/1.1} (HTTP/0.9, {@code HTTP/1.2}, {@code HTTP/2.0}, lower case refused).
 *       The request-target holds only VCHARs, without {@code #} (a fragment is never sent). It is origin-form
 *       ({@code /...}), absolute-form ({@code http://} or {@code https://} with a valid authority),
 *       authority-form ({@code host:port}) only and always for CONNECT, or {@code *} only for OPTIONS. VCHARs
 *       outside RFC 3986 ({@code " < > \ ^ ` { | }}) are accepted: real clients send them and they cannot shift a
 *       message boundary; normalizing the path is the router's job.</li>
 *   <li><b>Status line</b>: {@code HTTP/1.x SP 3DIGIT [SP reason]} with a code in 100..599; the reason may hold
 *       HTAB, SP, VCHAR and obs-text. {@code HTTP/1.1 200} without the SP is accepted: common and unambiguous.</li>
 *   <li><b>Field lines</b>: a non-empty token name directly followed by {@code :} (whitespace before the colon,
 *       inside the name, a missing colon are rejected), OWS trimmed around the value, and a value of VCHAR, SP and
 *       HTAB only: NUL, CR, LF, other controls, DEL and obs-text (0x80-0xFF, which RFC 9110 §5.5 still tolerates)
 *       are rejected, since a byte that one parser keeps and another strips or splits on is how header injection
 *       works. obs-fold (a line starting with SP or HTAB) is rejected, as is whitespace between the start line
 *       and the first field. More than {@code maxHeadersCount} fields, or a head over {@code maxHeadBytes},
 *       fail with Netty's {@code TooLongHttpHeaderException} (431); a request line alone over the limit with
 *       {@code TooLongHttpLineException} (414).</li>
 *   <li><b>Host</b>: HTTP/1.1 requests carry exactly one; HTTP/1.0 may omit it. Its value is an IPv6 literal or a
 *       non-empty reg-name of unreserved characters and pct-encoded triplets, with an optional port of 1-5
 *       digits up to 65535. Userinfo, an empty value, an empty port and sub-delims (which RFC 3986 allows in
 *       reg-name, but which make {@code a,b} or {@code a;b} read as a list by other parsers) are rejected. With
 *       an absolute-form or authority-form target, Host must name the same host and port (default ports
 *       implied; for CONNECT a Host without port matches): RFC 9112 §3.2.2 has the target win, and forwarding
 *       a mismatch would let the next hop pick the other one, so a mismatch is rejected and what is emitted
 *       always agrees.</li>
 *   <li><b>Content-Length</b>: {@code 1*DIGIT} (no sign, no hex, no inner whitespace, at most
 *       {@code Long.MAX_VALUE}); several lines or a list are accepted only when every value is the same, and are
 *       then merged into one field with the canonical decimal value ({@code 007} is read and forwarded as
 *       {@code 7}: it is valid 1*DIGIT, and forwarding the canonical form leaves nothing to disagree on).</li>
 *   <li><b>Transfer-Encoding</b>: exactly one coding, {@code chunked} (any case, OWS around), over all TE lines
 *       together. No other coding is applied by this proxy, so {@code gzip, chunked}, {@code chunked, chunked},
 *       {@code xchunked}, quoted, parameterized or otherwise obfuscated values are rejected. TE in an HTTP/1.0
 *       message is rejected (RFC 9112 §6.1: faulty framing). Content-Length together with Transfer-Encoding is
 *       rejected, in both directions (except in a 2xx to CONNECT, where RFC 9110 §9.3.6 says to ignore both).
 *       CONNECT requests may not carry either (except {@code Content-Length: 0}).</li>
 *   <li><b>Connection</b> options naming Content-Length, Transfer-Encoding or Host (RFC 9110 §7.6.1 forbids
 *       them): a hop-by-hop filter would delete the framing before forwarding.</li>
 *   <li><b>Chunked coding</b>: chunk-size is 1 to 16 hex digits (leading zeros included) and at most
 *       {@code Long.MAX_VALUE}; no sign, {@code 0x}, or whitespace, and none of the BWS that RFC 9112 §7.1.1
 *       tolerates before {@code ;} in extensions (parsers disagree on it). Extensions are
 *       {@code ;token[=token|quoted-string]}, at most {@code maxChunkExtensionBytes} per message in all. Exactly
 *       CRLF after the size line and after each chunk's data. The trailer section follows the field-line rules,
 *       within {@code maxTrailerBytes} and {@code maxHeadersCount}.</li>
 *   <li><b>Responses</b>: the same field and framing rules; a response with no request outstanding; Transfer-Encoding
 *       in a 1xx or 204, or a non-zero Content-Length there (RFC 9110 §8.6); a connection closed mid-head or
 *       mid-body (a {@code PrematureChannelClosureException}, so a truncated body is never passed on as
 *       complete).</li>
 * </ul>
 *
 * <h2>Dropped, never forwarded</h2>
 * <ul>
 *   <li>Request fields whose name contains {@code _}, by default ({@link io.remora.core.http1.UnderscorePolicy}):
 *       CGI-style servers read {@code X_Forwarded_For} as {@code X-Forwarded-For}.</li>
 *   <li>Trailer fields RFC 9110 §6.5.1 says cannot come after the content but that cannot reframe or reroute the
 *       message: authentication, cookies, content metadata, request modifiers and response control data
 *       ({@code Authorization}, {@code Set-Cookie}, {@code Content-Type}, {@code Range}, {@code Cache-Control},
 *       ...). Framing, routing and connection fields in trailers ({@code Content-Length},
 *       {@code Transfer-Encoding}, {@code Host}, {@code Connection}, {@code Keep-Alive},
 *       {@code Proxy-Connection}, {@code TE}, {@code Trailer}, {@code Upgrade}, {@code Expect}) are rejected
 *       instead: a peer that sends them is confused or hostile.</li>
 * </ul>
 *
 * <h2>Framing of what is emitted</h2>
 * Bodyless responses: to HEAD, 1xx, 204, 304. A request with neither Content-Length nor Transfer-Encoding has no
 * body; a response with neither lasts until the connection closes. After a CONNECT request the request decoder
 * parses nothing more (the bytes belong to the tunnel); after a 101 or a 2xx to CONNECT the response decoder
 * passes bytes through. Bodies are retained slices of the receive buffer, at most 64 KiB each, never copied.
 */
package io.remora.core.http1;
