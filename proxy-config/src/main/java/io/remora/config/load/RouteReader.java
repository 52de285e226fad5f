package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import java.time.Duration;

/**
 * Reads one element of an http listener's {@code routes}: what it matches, where it goes, how long it may take
 * and how it retries.
 */
final class RouteReader {

    private static final RouteConfig UNREADABLE = new RouteConfig(new RouteMatch(null, null, null, null), null, null);

    private RouteReader() {
    }

    static RouteConfig read(Object value, String path, ErrorList errors) {
        MapReader m = MapReader.openElement(value, path, ConfigKeys.ROUTE,
                "a map such as { match: { prefix: / }, cluster: api }", errors);
        if (m == null) {
            return UNREADABLE;
        }
        RouteMatch match = MatchReader.read(m.section("match", ConfigKeys.MATCH, "a map such as { prefix: /api/ }"),
                errors);
        // weighted_clusters (not supported yet, and reported so) replaces cluster: do not also demand cluster
        String cluster = m.has("weighted_clusters") && !m.has("cluster")
                ? null
                : m.requiredString("cluster", "the name of a cluster");
        Duration timeout = m.duration("timeout", Defaults.ROUTE_TIMEOUT);
        RetryPolicyConfig retry = RetryPolicyReader.read(m);
        return new RouteConfig(match, cluster, timeout, retry);
    }
}
