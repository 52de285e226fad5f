package io.remora.core.http;

/**
 * Why the proxy answered (or ended) a request itself; sent as {@code x-remora-flags}, and used by the access
 * log and metrics. Envoy's response flags are the model, so operators read them the same way.
 */
public enum ResponseFlag {
    /** No route matched. */
    NR,
    /** No healthy upstream host. */
    UH,
    /** Upstream connection failure. */
    UF,
    /** Upstream reset (closed) before the response completed. */
    UR,
    /** Upstream timeout (route or per-try). */
    UT,
    /** Circuit-breaker overflow. */
    UO,
    /** Retry budget or attempts exhausted. */
    URX,
    /** Upstream protocol error: a malformed response. */
    UPE,
    /** Rate limited. */
    RL,
    /** Fault injected. */
    FI,
    /** Fallback served. */
    FB,
    /** Downstream closed early. */
    DC,
    /** Downstream request rejected: malformed, too large or too slow (no Envoy equivalent flag; ours). */
    DPE;

    /** The response header that carries the flag. */
    public static final String HEADER = "x-remora-flags";
}
