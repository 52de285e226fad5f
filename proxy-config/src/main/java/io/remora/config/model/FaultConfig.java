package io.remora.config.model;

import java.time.Duration;

/**
 * Fault injection on a route, to rehearse a slow or failing upstream on purpose: a share of requests is delayed
 * before it is forwarded, and a share is answered with an error status without being forwarded at all. Both
 * draws are independent; a request that is both delayed and aborted is aborted after its delay. Injected faults
 * carry the flag {@code FI} and never count against a host's outlier statistics.
 *
 * <p>With {@code onlyWithHeader}, only requests carrying that header are faulted, so a team can rehearse in
 * production without touching real traffic. Any caller that can send the header can trigger the faults: use it
 * on routes that only internal callers reach, or strip the header at the edge.
 *
 * @param delay          {@code null}: no delays
 * @param abort          {@code null}: no aborts
 * @param onlyWithHeader lower-case header name, or {@code null}: every request may be faulted
 */
public record FaultConfig(Delay delay, Abort abort, String onlyWithHeader) {

    /** Delay {@code percent} (0-100) of requests by {@code fixed} before forwarding them. */
    public record Delay(Duration fixed, double percent) {
    }

    /** Answer {@code percent} (0-100) of requests with {@code status} instead of forwarding them. */
    public record Abort(int status, double percent) {
    }
}
