package io.remora.core.metrics;

import io.remora.core.http.ResponseFlag;
import java.util.concurrent.atomic.LongAdder;

/**
 * One listener's downstream metrics. Every method is wait-free and allocation-free, for the event loops; fetch
 * the instance once (per connection or per listener), not per request: {@link MetricsRegistry#listener} looks it
 * up in a map.
 */
public final class ListenerStats {
    /** The {@code reason} label of {@link #rejected}, by status; anything else is {@code other}. */
    static final String[] REJECT_REASONS = {"bad_request", "request_timeout", "uri_too_long",
        "headers_too_large", "other"};
    static final String[] FLAGS;

    static {
        ResponseFlag[] all = ResponseFlag.values();
        FLAGS = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            FLAGS[i] = all[i].name();
        }
    }

    private final String name;
    private final LongAdder connectionsOpened = new LongAdder();
    private final LongAdder connectionsClosed = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder[] requests = CodeClass.adders();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder[] rejected = adders(REJECT_REASONS.length);
    private final LongAdder[] flags = adders(FLAGS.length);
    private final LongAdder accessLogDropped = new LongAdder();
    /** The {@code reason} label of TLS handshake failures (io.remora.core.tls.TlsRefusal.Reason labels). */
    static final String[] TLS_REASONS = {"no_certificate", "unknown_ca", "expired", "not_yet_valid",
        "identity_not_allowed", "wrong_identity", "protocol", "other"};
    private final LongAdder[] tlsFailures = adders(TLS_REASONS.length);
    private final LongAdder plaintext = new LongAdder();
    private final LatencyHistogram duration = new LatencyHistogram();

    // traffic policy (issue 9)
    /** The {@code limit} label of {@link #rateLimited}: whose rate limit refused the request. */
    static final String[] RATE_LIMITS = {"listener", "route"};
    /** The {@code reason} label of injected faults. */
    static final String[] FAULTS = {"delay", "abort"};
    /** The {@code flag} label of fallbacks: the failure a fallback replaced. */
    static final String[] FALLBACK_FLAGS = {"UH", "UF", "UO", "UT", "URX", "UR", "UPE", "FI"};
    private final LongAdder[] rateLimited = adders(RATE_LIMITS.length);
    private final LongAdder[] faults = adders(FAULTS.length);
    private final LongAdder[] fallbacks = adders(FALLBACK_FLAGS.length);

    ListenerStats(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** A downstream connection was accepted. */
    public void connectionOpened() {
        connectionsOpened.increment();
    }

    /**
     * A downstream connection was accepted beyond the listener's {@code max_connections} and closed at once; it is
     * not counted by {@link #connectionOpened()}.
     */
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    /** A downstream connection closed; pair with {@link #connectionOpened()}. */
    public void connectionClosed() {
        connectionsClosed.increment();
    }

    /**
     * A request got its response (from an upstream or from Remora itself, rejections included): counted by status
     * class, with its bytes and its duration from the first byte of the request to the last of the response.
     *
     * @param bytesIn  request bytes read from the client (body, or whole request when known)
     * @param bytesOut response bytes written to the client
     */
    public void request(int status, long durationNanos, long bytesIn, long bytesOut) {
        requests[CodeClass.index(status)].increment();
        if (bytesIn > 0) {
            this.bytesIn.add(bytesIn);
        }
        if (bytesOut > 0) {
            this.bytesOut.add(bytesOut);
        }
        duration.record(durationNanos);
    }

    /**
     * A request refused before routing: 400 (malformed), 408 (head too slow), 414 (request line too long) or 431
     * (headers too large). Counted apart from {@link #request}; call that too for the response itself.
     */
    public void rejected(int status) {
        int i = switch (status) {
            case 400 -> 0;
            case 408 -> 1;
            case 414 -> 2;
            case 431 -> 3;
            default -> 4;
        };
        rejected[i].increment();
    }

    /**
     * Counts the response flags of one response, given as {@code x-remora-flags} carries them ({@code "UF"} or
     * {@code "UF,URX"}); {@code null} or empty counts nothing, an unknown flag is ignored. No allocation.
     */
    public void responseFlags(String flagList) {
        if (flagList == null) {
            return;
        }
        int start = 0;
        int n = flagList.length();
        while (start < n) {
            int end = flagList.indexOf(',', start);
            if (end < 0) {
                end = n;
            }
            int len = end - start;
            for (int i = 0; i < FLAGS.length; i++) {
                if (FLAGS[i].length() == len && flagList.regionMatches(start, FLAGS[i], 0, len)) {
                    flags[i].increment();
                    break;
                }
            }
            start = end + 1;
        }
    }

    /** Counts one response flag. */
    public void responseFlag(ResponseFlag flag) {
        flags[flag.ordinal()].increment();
    }

    /** A request was refused 429 {@code RL} by the listener's ({@code route} false) or its route's rate limit. */
    public void rateLimited(boolean route) {
        rateLimited[route ? 1 : 0].increment();
    }

    /** A fault delay was injected into a request. */
    public void faultDelayed() {
        faults[0].increment();
    }

    /** A request was aborted by fault injection. */
    public void faultAborted() {
        faults[1].increment();
    }

    /** A route's fallback replaced Remora's reply for {@code replaced} (one of {@link #FALLBACK_FLAGS}). */
    public void fallback(ResponseFlag replaced) {
        String name = replaced.name();
        for (int i = 0; i < FALLBACK_FLAGS.length; i++) {
            if (FALLBACK_FLAGS[i].equals(name)) {
                fallbacks[i].increment();
                return;
            }
        }
    }

    long rateLimitedCount(int limitIndex) {
        return rateLimited[limitIndex].sum();
    }

    long faultCount(int reasonIndex) {
        return faults[reasonIndex].sum();
    }

    long fallbackCount(int flagIndex) {
        return fallbacks[flagIndex].sum();
    }

    /** An access-log line was dropped because the writer's queue was full. */
    /** A TLS handshake was refused; {@code reason} is one of {@link #TLS_REASONS} (else counted as other). */
    public void tlsHandshakeFailure(String reason) {
        int i = TLS_REASONS.length - 1;
        for (int k = 0; k < TLS_REASONS.length; k++) {
            if (TLS_REASONS[k].equals(reason)) {
                i = k;
                break;
            }
        }
        tlsFailures[i].increment();
    }

    /** A permissive TLS listener accepted a plaintext connection. */
    public void plaintextConnection() {
        plaintext.increment();
    }

    long tlsFailures(int i) {
        return tlsFailures[i].sum();
    }

    long plaintextConnections() {
        return plaintext.sum();
    }

    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    // ---- read at scrape time -----------------------------------------------------------------------------

    long connectionsActive() {
        long closed = connectionsClosed.sum(); // first: every close counted has its open counted by the next read
        return Math.max(0, connectionsOpened.sum() - closed);
    }

    long connectionsTotal() {
        return connectionsOpened.sum();
    }

    long connectionsRefused() {
        return connectionsRefused.sum();
    }

    long requests(int codeClassIndex) {
        return requests[codeClassIndex].sum();
    }

    long bytesIn() {
        return bytesIn.sum();
    }

    long bytesOut() {
        return bytesOut.sum();
    }

    long rejectedCount(int reasonIndex) {
        return rejected[reasonIndex].sum();
    }

    long flagged(int flagIndex) {
        return flags[flagIndex].sum();
    }

    long accessLogDroppedCount() {
        return accessLogDropped.sum();
    }

    LatencyHistogram duration() {
        return duration;
    }

    // ---- gRPC (issue 7) ----------------------------------------------------------------------------------

    /** Per gRPC status 0-16 (the {@code grpc_status} label), then one for codes past 16. */
    private final LongAdder[] grpc = adders(io.remora.core.grpc.GrpcStatus.NAMES.length + 1);

    /** A gRPC call ended with {@code code} as its client saw it (from the upstream or Remora's own reply). */
    public void grpcStatus(int code) {
        grpc[code >= 0 && code < io.remora.core.grpc.GrpcStatus.NAMES.length ? code
                : io.remora.core.grpc.GrpcStatus.NAMES.length].increment();
    }

    /** Calls counted with status {@code code} (0-16), or past 16 ({@code code} 17). */
    long grpcCount(int code) {
        return grpc[code].sum();
    }

    static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
