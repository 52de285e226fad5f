package io.remora.core.admin;

/** Where the proxy is in its life, as {@code GET /ready} reports it. */
public enum Readiness {
    /** Config loaded, listeners not all bound yet: 503. */
    STARTING,
    /** Every listener bound and accepting: 200. */
    READY,
    /** Stopped accepting, finishing requests in flight: 503, for good. */
    DRAINING
}
