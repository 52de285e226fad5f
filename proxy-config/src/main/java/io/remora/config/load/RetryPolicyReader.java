package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a route's {@code retry}. No block means no retries; {@code retry: {}} retries with every default.
 * The conditions of {@code retry_on} and the statuses of {@code retriable_status_codes} come together: either
 * without the other would be silently ignored, so each is an error alone.
 */
final class RetryPolicyReader {

    /** More attempts than this only deepen an outage; the retry budget is the real limit. */
    static final int MAX_NUM_RETRIES = 10;
    /** The largest {@code max_buffered_body}: a body held for a retry is held in memory. */
    static final int MAX_BUFFERED_BODY = 64 * 1024 * 1024;

    private static final String FORM = "a map such as { retry_on: [5xx, connect-failure], num_retries: 2 }";
    private static final String RETRY_ON_FORM = "a list of conditions such as [5xx, connect-failure]";
    private static final String CODES_FORM = "a list of HTTP statuses such as [503]";
    private static final String CODES = RetryOn.RETRIABLE_STATUS_CODES.configName();

    private RetryPolicyReader() {
    }

    /** The retry policy of {@code route}; {@code null} if it has none (or it is not a map, reported). */
    static RetryPolicyConfig read(MapReader route) {
        if (!route.has("retry")) {
            return null;
        }
        MapReader m = route.section("retry", ConfigKeys.RETRY, FORM);
        if (m == null) {
            return null;
        }
        Set<RetryOn> retryOn = retryOn(m);
        List<Integer> codes = m.integers("retriable_status_codes", List.of(), 100, 599, CODES_FORM,
                "an HTTP status such as 503");
        checkCodesGoWithTheCondition(m, retryOn, codes);
        int numRetries = m.integer("num_retries", Defaults.RETRY_NUM_RETRIES, 0, MAX_NUM_RETRIES);
        Duration perTryTimeout = m.duration("per_try_timeout", Defaults.RETRY_PER_TRY_TIMEOUT);
        Backoff backoff = backoff(m);
        boolean retryNonIdempotent = m.bool("retry_non_idempotent", Defaults.RETRY_NON_IDEMPOTENT);
        int maxBufferedBody = m.size("max_buffered_body", Defaults.RETRY_MAX_BUFFERED_BODY, MAX_BUFFERED_BODY);
        return new RetryPolicyConfig(retryOn == null ? Set.of() : retryOn, codes == null ? List.of() : codes,
                numRetries, perTryTimeout, backoff.base(), backoff.max(), retryNonIdempotent, maxBufferedBody);
    }

    /** The conditions; the default if absent, {@code null} if invalid (every bad element reported). */
    private static Set<RetryOn> retryOn(MapReader m) {
        if (!m.has("retry_on")) {
            return Defaults.RETRY_ON;
        }
        List<Object> items = m.list("retry_on", RETRY_ON_FORM);
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            m.errors().add(m.path("retry_on"), "empty, expected " + RETRY_ON_FORM
                    + " (a route without retry does not retry)");
            return null;
        }
        List<String> names = new ArrayList<>();
        for (RetryOn r : RetryOn.values()) {
            names.add(r.configName());
        }
        List<String> known = new ArrayList<>(names);
        known.addAll(ConfigKeys.LATER_RETRY_ON);
        Set<RetryOn> conditions = EnumSet.noneOf(RetryOn.class);
        boolean valid = true;
        for (int i = 0; i < items.size(); i++) {
            RetryOn condition = condition(items.get(i), Paths.index(m.path("retry_on"), i), names, known,
                    m.errors());
            if (condition == null) {
                valid = false;
            } else {
                conditions.add(condition);
            }
        }
        return valid ? conditions : null;
    }

    private static RetryOn condition(Object value, String path, List<String> names, List<String> known,
                                     ErrorList errors) {
        if (value instanceof Number) {
            // retry_on: [503] is a status, not a condition: say where statuses go
            errors.add(path, value, "expected a condition such as 5xx; to retry on particular statuses, list"
                    + " them in retriable_status_codes and add " + CODES + " here");
            return null;
        }
        if (!(value instanceof String s)) {
            errors.wrongType(path, value, "a condition such as 5xx or connect-failure");
            return null;
        }
        for (RetryOn r : RetryOn.values()) {
            if (r.configName().equals(s)) {
                return r;
            }
        }
        if (ConfigKeys.LATER_RETRY_ON.contains(s)) {
            errors.add(path, s, "not supported yet by this version of Remora (gRPC conditions come with HTTP/2;"
                    + " supported: " + String.join(", ", names) + ")");
            return null;
        }
        String suggestion = DidYouMean.nearest(s, known);
        errors.add(path, s, suggestion != null
                ? "unknown condition, did you mean \"" + suggestion + "\"?"
                : "unknown condition (expected one of: " + String.join(", ", names) + ")");
        return null;
    }

    /** {@code retriable-status-codes} needs statuses, and statuses need {@code retriable-status-codes}. */
    private static void checkCodesGoWithTheCondition(MapReader m, Set<RetryOn> retryOn, List<Integer> codes) {
        if (retryOn == null || codes == null) {
            return;
        }
        String path = m.path("retriable_status_codes");
        boolean condition = retryOn.contains(RetryOn.RETRIABLE_STATUS_CODES);
        if (condition && !m.has("retriable_status_codes")) {
            m.errors().missing(path, CODES_FORM + ", because retry_on has " + CODES);
        } else if (condition && codes.isEmpty()) {
            m.errors().add(path, "empty, expected " + CODES_FORM + ", because retry_on has " + CODES);
        } else if (!condition && !codes.isEmpty()) {
            m.errors().add(path, "only used with " + CODES + " in retry_on, which does not have it; add it there");
        }
    }

    private record Backoff(Duration base, Duration max) {
    }

    /** {@code max} defaults to ten times a given {@code base}, or to the default when neither is given. */
    private static Backoff backoff(MapReader retry) {
        MapReader m = retry.section("backoff", ConfigKeys.BACKOFF,
                "a map such as { base_interval: 25ms, max_interval: 250ms }");
        if (m == null) {
            return new Backoff(Defaults.RETRY_BASE_INTERVAL, Defaults.RETRY_MAX_INTERVAL);
        }
        Duration base = m.positiveDuration("base_interval", Defaults.RETRY_BASE_INTERVAL);
        if (!m.has("max_interval")) {
            Duration max = !m.has("base_interval") ? Defaults.RETRY_MAX_INTERVAL
                    : base == null ? null
                    : base.multipliedBy(Defaults.RETRY_MAX_INTERVAL_FACTOR);
            return new Backoff(base, max);
        }
        Duration max = m.positiveDuration("max_interval", null);
        if (max != null && base != null && max.compareTo(base) < 0) {
            m.errors().add(m.path("max_interval"), m.get("max_interval"),
                    "must be >= base_interval (" + Durations.format(base) + ")");
            max = null;
        }
        return new Backoff(base, max);
    }
}
