package io.remora.core.accesslog;

import io.remora.core.upstream.Host;
import java.net.SocketAddress;

/**
 * One request, as the access log records it. The event loop sets fields (plain values and references it already
 * holds: no string is built for the log on the request path) and hands the entry to {@link AccessLogger#log};
 * the writer thread formats it. After {@code log} the entry belongs to the logger: do not touch it again.
 *
 * <p>Every setter returns {@code this}. Unset fields are written as {@code null} (or 0).
 */
public final class AccessLogEntry {
    long startEpochMillis;
    long durationNanos;
    String method;
    String authority;
    String path;
    int status;
    String responseFlags;
    Host upstreamHost;
    String upstreamAddress;
    int attempts;
    long bytesIn;
    long bytesOut;
    String requestId;
    String traceId;
    SocketAddress downstreamAddress;
    String downstreamIp;
    String peerIdentity;
    String transport;

    /** When the request's first byte arrived, wall-clock milliseconds since the epoch. */
    public AccessLogEntry startEpochMillis(long v) {
        this.startEpochMillis = v;
        return this;
    }

    /** From the request's first byte to the response's last (or to the end of the exchange). */
    public AccessLogEntry durationNanos(long v) {
        this.durationNanos = v;
        return this;
    }

    public AccessLogEntry method(String v) {
        this.method = v;
        return this;
    }

    /** The {@code Host} header (HTTP/1.1 authority). */
    public AccessLogEntry authority(String v) {
        this.authority = v;
        return this;
    }

    /** The request target as received (path and query). */
    public AccessLogEntry path(String v) {
        this.path = v;
        return this;
    }

    /** The status sent to the client; 0 if none was sent (the client went away first). */
    public AccessLogEntry status(int v) {
        this.status = v;
        return this;
    }

    /** As sent in {@code x-remora-flags}, e.g. {@code "UF,URX"}; null when none. */
    public AccessLogEntry responseFlags(String v) {
        this.responseFlags = v;
        return this;
    }

    /** The host of the last attempt; formatted as {@code ip:port} by the writer. */
    public AccessLogEntry upstreamHost(Host v) {
        this.upstreamHost = v;
        return this;
    }

    /** The upstream as a string, when no {@link Host} is at hand; {@link #upstreamHost(Host)} wins. */
    public AccessLogEntry upstreamHost(String v) {
        this.upstreamAddress = v;
        return this;
    }

    public AccessLogEntry attempts(int v) {
        this.attempts = v;
        return this;
    }

    public AccessLogEntry bytesIn(long v) {
        this.bytesIn = v;
        return this;
    }

    public AccessLogEntry bytesOut(long v) {
        this.bytesOut = v;
        return this;
    }

    public AccessLogEntry requestId(String v) {
        this.requestId = v;
        return this;
    }

    /** The W3C trace id (32 hex digits), see {@link io.remora.core.trace.TraceContext}. */
    public AccessLogEntry traceId(String v) {
        this.traceId = v;
        return this;
    }

    /** The client's socket address; formatted as {@code ip:port} by the writer. */
    public AccessLogEntry downstreamAddress(SocketAddress v) {
        this.downstreamAddress = v;
        return this;
    }

    /** The client's address as a string, when that is what is at hand; {@link #downstreamAddress} wins. */
    public AccessLogEntry downstreamAddress(String v) {
        this.downstreamIp = v;
        return this;
    }

    /** The client's verified SPIFFE ID (mTLS), or null. */
    public AccessLogEntry peerIdentity(String v) {
        this.peerIdentity = v;
        return this;
    }

    /** {@code tls} or {@code plaintext} on listeners with a {@code tls} block; null otherwise. */
    public AccessLogEntry transport(String v) {
        this.transport = v;
        return this;
    }
}
