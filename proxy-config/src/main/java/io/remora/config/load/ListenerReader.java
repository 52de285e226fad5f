package io.remora.config.load;

import io.remora.config.model.Defaults;
import io.remora.config.model.HostPort;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RouteConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one element of {@code listeners}. The protocol decides which keys belong: an http listener routes each
 * request ({@code routes}), a tcp listener forwards every connection to one {@code cluster}; giving the other
 * protocol's key is an error, because it would be silently ignored.
 */
final class ListenerReader {

    /** Stands for an element that is not a map at all, so that later elements keep their indices. */
    private static final ListenerConfig UNREADABLE =
            new ListenerConfig(null, null, null, null, List.of(), null, null, null, 0);

    private ListenerReader() {
    }

    static ListenerConfig read(Object value, String path, ErrorList errors) {
        MapReader m = MapReader.openElement(value, path, ConfigKeys.LISTENER,
                "a map such as { name: ingress, address: 127.0.0.1:15001, routes: [...] }", errors);
        if (m == null) {
            return UNREADABLE;
        }
        String name = m.requiredString("name", "a unique listener name");
        HostPort address = m.hostPort("address", null);
        Protocol protocol = m.choice("protocol", Defaults.LISTENER_PROTOCOL, Protocol.values(),
                Protocol::configName, List.of());
        String cluster = null;
        List<RouteConfig> routes = List.of();
        if (protocol == Protocol.TCP) {
            cluster = m.requiredString("cluster", "the name of the cluster a tcp listener forwards to");
            if (m.has("routes")) {
                errors.add(m.path("routes"),
                        "only http listeners have routes; a tcp listener forwards every connection to its cluster");
            }
        } else {
            if (protocol == Protocol.HTTP && m.has("cluster")) {
                errors.add(m.path("cluster"),
                        "only tcp listeners have a cluster; an http listener picks one per route (routes[].cluster)");
            }
            // an invalid protocol still gets its routes read, for their errors, but not demanded
            routes = readRoutes(m, protocol == Protocol.HTTP);
        }
        Duration idleTimeout = m.duration("idle_timeout", Defaults.LISTENER_IDLE_TIMEOUT);
        Duration streamIdleTimeout = m.duration("stream_idle_timeout", Defaults.STREAM_IDLE_TIMEOUT);
        Duration requestHeadersTimeout = m.duration("request_headers_timeout", Defaults.REQUEST_HEADERS_TIMEOUT);
        int maxRequestHeadersKb = m.integer("max_request_headers_kb", Defaults.MAX_REQUEST_HEADERS_KB, 1, 1024);
        return new ListenerConfig(name, address, protocol, cluster, routes, idleTimeout, streamIdleTimeout,
                requestHeadersTimeout, maxRequestHeadersKb);
    }

    private static List<RouteConfig> readRoutes(MapReader m, boolean required) {
        List<Object> items = m.list("routes", "a list of routes such as [ { match: { prefix: / }, cluster: api } ]");
        if (items == null) {
            return List.of();
        }
        if (items.isEmpty() && required) {
            m.errors().add(m.path("routes"),
                    "an http listener needs at least one route, such as { match: { prefix: / }, cluster: api }");
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            routes.add(RouteReader.read(items.get(i), Paths.index(m.path("routes"), i), m.errors()));
        }
        return routes;
    }
}
