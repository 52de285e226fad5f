package io.remora.core.retry;

import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import java.util.Set;

/**
 * A route's retry rules as pure decisions: which failures and statuses are worth another attempt, which
 * methods may be resent, and how long to wait. Whether a retry then happens also depends on the cluster (its
 * retry budget and {@code max_retries} breaker) and on time left in the route timeout; the exchange asks those.
 */
public final class RetryPolicy {

    /** How an attempt failed without a usable response. */
    public enum Failure {
        /** No connection: the request never reached the upstream. */
        CONNECT_FAILURE,
        /** The upstream closed or reset the connection before the response. */
        RESET,
        /** The attempt ran out of {@code per_try_timeout}. */
        PER_TRY_TIMEOUT,
        /**
         * An HTTP/2 upstream refused the stream (REFUSED_STREAM, or it was beyond a GOAWAY's last stream): it was not
         * processed, so any method may be sent again.
         */
        REFUSED_STREAM
    }

    private final RetryPolicyConfig config;
    private final Set<RetryOn> on;
    private final Backoff backoff;

    public RetryPolicy(RetryPolicyConfig config) {
        this.config = config;
        this.on = config.retryOn();
        this.backoff = new Backoff(config.baseInterval(), config.maxInterval());
    }

    public RetryPolicyConfig config() {
        return config;
    }

    public int numRetries() {
        return config.numRetries();
    }

    public long perTryTimeoutNanos() {
        return config.perTryTimeout().toNanos();
    }

    public int maxBufferedBody() {
        return config.maxBufferedBody();
    }

    public Backoff backoff() {
        return backoff;
    }

    /** Whether an upstream response with {@code status} should be retried rather than returned. */
    public boolean retriesStatus(int status) {
        if (on.contains(RetryOn.FIVE_XX) && status >= 500 && status <= 599) {
            return true;
        }
        if (on.contains(RetryOn.GATEWAY_ERROR) && status >= 502 && status <= 504) {
            return true;
        }
        return on.contains(RetryOn.RETRIABLE_STATUS_CODES) && config.retriableStatusCodes().contains(status);
    }

    /** Whether an attempt that failed this way should be retried. */
    public boolean retriesFailure(Failure failure) {
        boolean broad = on.contains(RetryOn.FIVE_XX) || on.contains(RetryOn.GATEWAY_ERROR);
        return switch (failure) {
            case CONNECT_FAILURE -> broad || on.contains(RetryOn.CONNECT_FAILURE);
            case RESET -> broad || on.contains(RetryOn.RESET);
            // a timed-out attempt is retried only when a per-try timeout exists (else the route timeout fired)
            case PER_TRY_TIMEOUT -> broad && config.perTryTimeout().toNanos() > 0;
            case REFUSED_STREAM -> broad || on.contains(RetryOn.REFUSED_STREAM) || on.contains(RetryOn.RESET);
        };
    }

    /**
     * Whether a gRPC response with {@code grpcStatus} (from a trailers-only response) should be retried: the gRPC
     * conditions {@code cancelled}, {@code deadline-exceeded}, {@code internal}, {@code resource-exhausted},
     * {@code unavailable}. A gRPC call is a POST, and listing a gRPC condition is the route's consent to send it
     * again whatever {@code retry_non_idempotent} says (the server's status says the call may be retried).
     *
     * @param grpcStatus -1 when the response carries none
     */
    public boolean retriesGrpcStatus(int grpcStatus) {
        return switch (grpcStatus) {
            case 1 -> on.contains(RetryOn.CANCELLED);
            case 4 -> on.contains(RetryOn.DEADLINE_EXCEEDED);
            case 8 -> on.contains(RetryOn.RESOURCE_EXHAUSTED);
            case 13 -> on.contains(RetryOn.INTERNAL);
            case 14 -> on.contains(RetryOn.UNAVAILABLE);
            default -> false;
        };
    }

    /**
     * Whether a request of this method may be resent. Idempotent methods always may; others (POST, PATCH) only
     * when the request provably never reached the upstream, unless the route allows it.
     */
    public boolean allowsResend(boolean idempotent, boolean reachedUpstream) {
        return idempotent || !reachedUpstream || config.retryNonIdempotent();
    }
}
