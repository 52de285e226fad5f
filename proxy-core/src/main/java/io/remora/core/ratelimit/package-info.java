/**
 * Local rate limiting: shed load before it hurts. A {@link io.remora.core.ratelimit.TokenBucket} is one atomic
 * word, exact however many event loops take from it; a {@link io.remora.core.ratelimit.RateLimiter} is a
 * listener's or a route's limit, one bucket for all requests or one per key (an API key header, say), with the
 * number of keys bounded so that a flood of distinct keys cannot exhaust memory.
 */
package io.remora.core.ratelimit;
