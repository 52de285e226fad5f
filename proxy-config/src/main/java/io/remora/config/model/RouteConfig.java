package io.remora.config.model;

import java.time.Duration;

/**
 * One route of an HTTP listener.
 *
 * @param timeout from the end of the request to the end of the response; {@link Duration#ZERO} means none
 */
public record RouteConfig(RouteMatch match, String cluster, Duration timeout) {
}
