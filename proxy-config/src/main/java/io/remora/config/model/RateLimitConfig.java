package io.remora.config.model;

/**
 * A local rate limit on a listener or a route: a token bucket of capacity {@code burst}, refilled at
 * {@code requestsPerSecond} and starting full, so over any period T at most {@code requestsPerSecond · T + burst}
 * requests pass; the rest are answered 429 {@code RL}. The limit holds for the whole listener or route, however
 * many event loops serve it.
 *
 * @param keyHeader a request header whose value selects a bucket of its own (one bucket per API key, say), lower
 *                  case; {@code null}: one bucket for every request. Requests without the header share one bucket,
 *                  so that leaving the header out is no way around the limit
 */
public record RateLimitConfig(double requestsPerSecond, int burst, String keyHeader) {

    /** Whether every distinct value of {@link #keyHeader} gets a bucket of its own. */
    public boolean isKeyed() {
        return keyHeader != null;
    }
}
