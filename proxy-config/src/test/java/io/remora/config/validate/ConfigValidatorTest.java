package io.remora.config.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.remora.config.model.AdminConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cross-key rules on a model built in code, as the data plane's tests build them. */
class ConfigValidatorTest {

    private static final ClusterConfig API = cluster("api");

    @Test
    void aConsistentConfigHasNoErrors() {
        RemoraConfig config = new RemoraConfig(AdminConfig.DEFAULT, Defaults.DRAIN_TIMEOUT,
                List.of(http("in", 15001, "api"), tcp("db", 15432, "api")), List.of(API));

        assertEquals(List.of(), ConfigValidator.validate(config));
    }

    @Test
    void reportsEveryCrossKeyRule() {
        RemoraConfig config = new RemoraConfig(new AdminConfig(new HostPort("10.0.0.1", 9901), false),
                Defaults.DRAIN_TIMEOUT,
                List.of(http("in", 15001, "api"), http("in", 15001, "nope"), tcp("db", 15432, "pg")),
                List.of(API, cluster("other"), API));

        assertEquals(List.of(
                        "admin.address: \"10.0.0.1:9901\": not a loopback address; the admin API can drain and"
                                + " reconfigure the proxy, so set admin.allow_remote: true to serve it to other hosts",
                        "listeners[1].name: \"in\": duplicate listener name, also used by listeners[0]",
                        "listeners[1].address: \"127.0.0.1:15001\": already used by listeners[0] (\"in\")",
                        "listeners[1].routes[0].cluster: \"nope\": no such cluster (clusters: api, other)",
                        "listeners[2].cluster: \"pg\": no such cluster (clusters: api, other)",
                        "clusters[2].name: \"api\": duplicate cluster name, also used by clusters[0]"),
                ConfigValidator.validate(config).stream().map(ValidationError::toString).toList());
    }

    @Test
    void nullFieldsOfABestEffortModelAreSkipped() {
        ListenerConfig unreadable = new ListenerConfig(null, null, null, null, List.of(), null, null, null, 0);
        ClusterConfig unnamed = new ClusterConfig(null, List.of(), null, null, null, null, null, 0);
        RemoraConfig config = new RemoraConfig(new AdminConfig(null, false), null,
                List.of(unreadable, unreadable), List.of(unnamed, unnamed));

        assertEquals(List.of(), ConfigValidator.validate(config));
    }

    private static ListenerConfig http(String name, int port, String cluster) {
        return new ListenerConfig(name, new HostPort("127.0.0.1", port), Protocol.HTTP, null,
                List.of(new RouteConfig(new RouteMatch("/", null, null, null), cluster, Duration.ofSeconds(15))),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT,
                Defaults.MAX_REQUEST_HEADERS_KB);
    }

    private static ListenerConfig tcp(String name, int port, String cluster) {
        return new ListenerConfig(name, new HostPort("127.0.0.1", port), Protocol.TCP, cluster, List.of(),
                Defaults.LISTENER_IDLE_TIMEOUT, Defaults.STREAM_IDLE_TIMEOUT, Defaults.REQUEST_HEADERS_TIMEOUT,
                Defaults.MAX_REQUEST_HEADERS_KB);
    }

    private static ClusterConfig cluster(String name) {
        return new ClusterConfig(name, List.of(new EndpointConfig(new HostPort("127.0.0.1", 8081), 1)),
                Defaults.DNS_REFRESH, Defaults.DNS_FAMILY, Defaults.LB_POLICY, Defaults.CONNECT_TIMEOUT,
                Defaults.CLUSTER_IDLE_TIMEOUT, Defaults.MAX_REQUESTS_PER_CONNECTION);
    }
}
