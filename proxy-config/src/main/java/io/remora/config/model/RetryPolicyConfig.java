package io.remora.config.model;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A route's retry policy. No policy means no retries (beyond resending a request that met a stale pooled
 * connection).
 *
 * @param perTryTimeout   per attempt; {@link Duration#ZERO} = none (then a timed-out attempt is not retried)
 * @param maxBufferedBody a request body larger than this is streamed and never retried
 */
public record RetryPolicyConfig(
        Set<RetryOn> retryOn,
        List<Integer> retriableStatusCodes,
        int numRetries,
        Duration perTryTimeout,
        Duration baseInterval,
        Duration maxInterval,
        boolean retryNonIdempotent,
        int maxBufferedBody) {

    public RetryPolicyConfig {
        retryOn = Set.copyOf(retryOn);
        retriableStatusCodes = List.copyOf(retriableStatusCodes);
    }
}
