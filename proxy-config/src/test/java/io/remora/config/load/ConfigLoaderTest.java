package io.remora.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.remora.config.model.AdminConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.DnsFamily;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.config.validate.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Valid configs and the model they become, defaults included. */
class ConfigLoaderTest {

    /** The example of the issue, accepted exactly as written. */
    static final String EXAMPLE = """
            admin:
              address: 127.0.0.1:9901
            listeners:
              - name: ingress
                address: 127.0.0.1:15001
                protocol: http            # http | tcp
                idle_timeout: 60s
                routes:
                  - match: { prefix: /api/, headers: { x-canary: "1" } }
                    cluster: api-canary
                  - match: { prefix: / }
                    cluster: api
                    timeout: 2s
              - name: db
                address: 127.0.0.1:15432
                protocol: tcp
                cluster: postgres
            clusters:
              - name: api
                lb_policy: least_request  # round_robin | least_request | random (later: ring_hash, peak_ewma)
                connect_timeout: 1s
                endpoints:
                  - address: 127.0.0.1:8081
                  - address: 127.0.0.1:8082
                    weight: 3
              - name: api-canary
                endpoints: [ { address: localhost:8083 } ]
              - name: postgres
                lb_policy: round_robin
                endpoints: [ { address: 127.0.0.1:5432 } ]
            """;

    @Test
    void exampleIsAcceptedWithEveryDefaultFilledIn() throws ConfigException {
        RemoraConfig expected = new RemoraConfig(
                new AdminConfig(new HostPort("127.0.0.1", 9901), false),
                Duration.ofSeconds(15),
                List.of(
                        new ListenerConfig("ingress", new HostPort("127.0.0.1", 15001), Protocol.HTTP, null,
                                List.of(
                                        new RouteConfig(new RouteMatch("/api/", null, null, Map.of("x-canary", "1")),
                                                "api-canary", Duration.ofSeconds(15)),
                                        new RouteConfig(new RouteMatch("/", null, null, Map.of()),
                                                "api", Duration.ofSeconds(2))),
                                Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(10), 64),
                        new ListenerConfig("db", new HostPort("127.0.0.1", 15432), Protocol.TCP, "postgres",
                                List.of(), Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(10),
                                64)),
                List.of(
                        new ClusterConfig("api",
                                List.of(new EndpointConfig(new HostPort("127.0.0.1", 8081), 1),
                                        new EndpointConfig(new HostPort("127.0.0.1", 8082), 3)),
                                Duration.ofSeconds(5), DnsFamily.AUTO, LbPolicy.LEAST_REQUEST,
                                Duration.ofSeconds(1), Duration.ofSeconds(60), 0),
                        new ClusterConfig("api-canary",
                                List.of(new EndpointConfig(new HostPort("localhost", 8083), 1)),
                                Duration.ofSeconds(5), DnsFamily.AUTO, LbPolicy.ROUND_ROBIN,
                                Duration.ofSeconds(1), Duration.ofSeconds(60), 0),
                        new ClusterConfig("postgres",
                                List.of(new EndpointConfig(new HostPort("127.0.0.1", 5432), 1)),
                                Duration.ofSeconds(5), DnsFamily.AUTO, LbPolicy.ROUND_ROBIN,
                                Duration.ofSeconds(1), Duration.ofSeconds(60), 0)));

        assertEquals(expected, ConfigLoader.parse(EXAMPLE, "example.yaml"));
    }

    @Test
    void defaultsComeFromTheDefaultsClass() throws ConfigException {
        RemoraConfig config = ConfigLoader.parse("""
                listeners:
                  - name: in
                    address: 127.0.0.1:15001
                    routes: [ { cluster: api } ]
                """ + Configs.API_CLUSTER, "test.yaml");

        assertEquals(AdminConfig.DEFAULT, config.admin());
        assertEquals(Defaults.DRAIN_TIMEOUT, config.drainTimeout());
        ListenerConfig listener = config.listeners().get(0);
        assertEquals(Defaults.LISTENER_PROTOCOL, listener.protocol());
        assertEquals(Defaults.LISTENER_IDLE_TIMEOUT, listener.idleTimeout());
        assertEquals(Defaults.STREAM_IDLE_TIMEOUT, listener.streamIdleTimeout());
        assertEquals(Defaults.REQUEST_HEADERS_TIMEOUT, listener.requestHeadersTimeout());
        assertEquals(Defaults.MAX_REQUEST_HEADERS_KB, listener.maxRequestHeadersKb());
        assertEquals(new RouteConfig(new RouteMatch(Defaults.ROUTE_PREFIX, null, null, Map.of()), "api",
                Defaults.ROUTE_TIMEOUT), listener.routes().get(0));
        assertNull(listener.routes().get(0).retry());
        ClusterConfig cluster = config.clusters().get(0);
        assertEquals(Defaults.ENDPOINT_WEIGHT, cluster.endpoints().get(0).weight());
        assertEquals(Defaults.DNS_REFRESH, cluster.dnsRefresh());
        assertEquals(Defaults.DNS_FAMILY, cluster.dnsFamily());
        assertEquals(Defaults.LB_POLICY, cluster.lbPolicy());
        assertEquals(Defaults.CONNECT_TIMEOUT, cluster.connectTimeout());
        assertEquals(Defaults.CLUSTER_IDLE_TIMEOUT, cluster.idleTimeout());
        assertEquals(Defaults.MAX_REQUESTS_PER_CONNECTION, cluster.maxRequestsPerConnection());
        assertEquals(Defaults.PANIC_THRESHOLD, cluster.panicThreshold());
        assertNull(cluster.hashOn());
        assertNull(cluster.healthCheck());
        assertNull(cluster.outlierDetection());
        assertEquals(Defaults.CIRCUIT_BREAKERS, cluster.circuitBreakers());
        assertEquals(Defaults.RETRY_BUDGET, cluster.retryBudget());
    }

    @Test
    void everySupportedKeyIsRead() throws ConfigException {
        RemoraConfig config = ConfigLoader.parse("""
                admin: { address: "[::1]:9000", allow_remote: true }
                drain_timeout: 1m30s
                listeners:
                  - name: in
                    address: 0.0.0.0:8080
                    protocol: http
                    idle_timeout: 0s
                    stream_idle_timeout: 1h
                    request_headers_timeout: 250ms
                    max_request_headers_kb: 1024
                    routes:
                      - match: { path: /healthz, host: API.Example.com, headers: { X-Env: prod, x-b: "" } }
                        cluster: api
                        timeout: 0s
                      - match: { host: "*.example.com" }
                        cluster: api
                clusters:
                  - name: api
                    endpoints:
                      - { address: "[2001:db8::1]:8081", weight: 10000 }
                    dns_refresh: 30s
                    dns_family: v6
                    lb_policy: random
                    connect_timeout: 100ms
                    idle_timeout: 2m
                    max_requests_per_connection: 1000
                """, "test.yaml");

        assertEquals(new AdminConfig(new HostPort("::1", 9000), true), config.admin());
        assertEquals(Duration.ofSeconds(90), config.drainTimeout());
        assertEquals(new ListenerConfig("in", new HostPort("0.0.0.0", 8080), Protocol.HTTP, null,
                List.of(new RouteConfig(
                                new RouteMatch(null, "/healthz", "api.example.com", Map.of("x-env", "prod", "x-b", "")),
                                "api", Duration.ZERO),
                        new RouteConfig(new RouteMatch("/", null, "*.example.com", Map.of()), "api",
                                Duration.ofSeconds(15))),
                Duration.ZERO, Duration.ofHours(1), Duration.ofMillis(250), 1024), config.listeners().get(0));
        assertEquals(new ClusterConfig("api", List.of(new EndpointConfig(new HostPort("2001:db8::1", 8081), 10000)),
                Duration.ofSeconds(30), DnsFamily.V6, LbPolicy.RANDOM, Duration.ofMillis(100),
                Duration.ofMinutes(2), 1000), config.clusters().get(0));
    }

    @Test
    void anEmptyMapIsAValidConfigWithNothingToServe() throws ConfigException {
        assertEquals(new RemoraConfig(AdminConfig.DEFAULT, Defaults.DRAIN_TIMEOUT, List.of(), List.of()),
                ConfigLoader.parse("{}", "test.yaml"));
    }

    @Test
    void sectionsGivenWithoutAValueReadAsEmpty() throws ConfigException {
        // what a file looks like when everything under a key is commented out
        RemoraConfig config = ConfigLoader.parse("""
                admin:
                #  address: 127.0.0.1:9901
                listeners:
                clusters:
                """, "test.yaml");

        assertEquals(new RemoraConfig(AdminConfig.DEFAULT, Defaults.DRAIN_TIMEOUT, List.of(), List.of()), config);
    }

    @Test
    void headerNamesAreLowerCasedAndValuesKeptExactly() throws ConfigException {
        RemoraConfig config = ConfigLoader.parse("""
                listeners:
                  - name: in
                    address: 127.0.0.1:15001
                    routes:
                      - match:
                          headers:
                            X-Canary: "1"
                            Accept-Language: "en-US, fr;q=0.5"
                        cluster: api
                """ + Configs.API_CLUSTER, "test.yaml");

        assertEquals(Map.of("x-canary", "1", "accept-language", "en-US, fr;q=0.5"),
                config.listeners().get(0).routes().get(0).match().headers());
    }

    @Test
    void theErrorsOfAnInvalidConfigAreAllInTheExceptionMessage() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                drain_timeout: 5
                clusters:
                  - name: api
                """, "test.yaml"));

        assertEquals("""
                drain_timeout: 5: expected a duration such as 250ms, 2s, 1m
                clusters[0].endpoints: missing, expected a non-empty list of endpoints such as \
                [ { address: 127.0.0.1:8080 } ]""", e.getMessage());
    }
}
