package io.remora.config.model;

import java.util.Map;

/**
 * What a request must look like for a route to take it. Every condition given must hold; {@code null} means
 * "not given". When neither {@code prefix} nor {@code path} is given the prefix is {@code /}.
 *
 * @param prefix  path prefix, compared byte for byte
 * @param path    exact path (without the query string)
 * @param host    authority without port; {@code *.example.com} matches any subdomain
 * @param headers exact header values (names are case-insensitive, kept lower-case here)
 */
public record RouteMatch(String prefix, String path, String host, Map<String, String> headers) {

    public RouteMatch {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
