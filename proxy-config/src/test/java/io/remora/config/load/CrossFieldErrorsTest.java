package io.remora.config.load;

import static io.remora.config.load.Configs.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Rules spanning several keys, as reported through the loader, and many errors reported together. */
class CrossFieldErrorsTest {

    private static final String CLUSTERS = """
            clusters:
              - name: api
                endpoints: [ { address: 127.0.0.1:8081 } ]
              - name: api-canary
                endpoints: [ { address: 127.0.0.1:8082 } ]
            """;

    @Test
    void routeToAMissingCluster() {
        assertEquals(List.of("listeners[0].routes[1].cluster: \"apii\": no such cluster (clusters: api, api-canary)"),
                errors("""
                        listeners:
                          - name: in
                            address: 127.0.0.1:15001
                            routes:
                              - cluster: api
                              - cluster: apii
                        """ + CLUSTERS));
    }

    @Test
    void tcpListenerToAMissingCluster() {
        assertEquals(List.of("listeners[0].cluster: \"pg\": no such cluster (no clusters are defined)"), errors("""
                listeners:
                  - { name: db, address: 127.0.0.1:15432, protocol: tcp, cluster: pg }
                """));
    }

    @Test
    void listenerNamesAreUnique() {
        assertEquals(List.of("listeners[2].name: \"in\": duplicate listener name, also used by listeners[0]"),
                errors("""
                        listeners:
                          - { name: in, address: 127.0.0.1:1, routes: [ { cluster: api } ] }
                          - { name: other, address: 127.0.0.1:2, routes: [ { cluster: api } ] }
                          - { name: in, address: 127.0.0.1:3, routes: [ { cluster: api } ] }
                        """ + CLUSTERS));
    }

    @Test
    void listenerAddressesAreUnique() {
        assertEquals(List.of("listeners[1].address: \"LocalHost:15001\": already used by listeners[0] (\"a\")"),
                errors("""
                        listeners:
                          - { name: a, address: "localhost:15001", routes: [ { cluster: api } ] }
                          - { name: b, address: "LocalHost:15001", routes: [ { cluster: api } ] }
                        """ + CLUSTERS));
    }

    @Test
    void listenerAddressMustNotBeTheAdminAddress() {
        assertEquals(List.of("listeners[0].address: \"127.0.0.1:9901\": already used by admin.address"), errors("""
                listeners:
                  - { name: a, address: "127.0.0.1:9901", routes: [ { cluster: api } ] }
                """ + CLUSTERS));
    }

    @Test
    void clusterNamesAreUnique() {
        assertEquals(List.of("clusters[2].name: \"api\": duplicate cluster name, also used by clusters[0]"),
                errors(CLUSTERS + """
                          - name: api
                            endpoints: [ { address: 127.0.0.1:8083 } ]
                        """));
    }

    @Test
    void adminStaysOnLoopbackUnlessAllowed() throws Exception {
        assertEquals(List.of("admin.address: \"0.0.0.0:9901\": not a loopback address; the admin API can drain"
                        + " and reconfigure the proxy, so set admin.allow_remote: true to serve it to other hosts"),
                errors("admin: { address: 0.0.0.0:9901 }\n"));
        assertEquals(true, ConfigLoader.parse("admin: { address: 0.0.0.0:9901, allow_remote: true }\n", "t")
                .admin().allowRemote());
    }

    @Test
    void everyErrorIsReportedTogetherInFileOrderPerSection() {
        assertEquals(List.of(
                        "admin.address: \"localhost\": missing port, expected host:port or [v6]:port,"
                                + " such as 127.0.0.1:8080",
                        "drain_timeout: 15: expected a duration such as 250ms, 2s, 1m",
                        "listeners[0].rutes: unknown key, did you mean \"routes\"?",
                        "listeners[0].address: \"127.0.0.1:99999\": port must be 1-65535",
                        "listeners[0].routes: an http listener needs at least one route,"
                                + " such as { match: { prefix: / }, cluster: api }",
                        "listeners[1].routes[0].match.prefix: \"api\": must start with \"/\"",
                        "listeners[1].routes[0].timeout: \"2 s\": expected a duration such as 250ms, 2s, 1m",
                        "listeners[1].rate_limit.requests_per_second: 0: must be > 0",
                        "listeners[2]: \"oops\": expected a map such as { name: ingress,"
                                + " address: 127.0.0.1:15001, routes: [...] }",
                        "clusters[0].endpoints[0].weight: 0: must be 1-10000",
                        "clusters[0].hash_on: missing, lb_policy ring_hash needs a key to hash, expected a map"
                                + " such as { header: x-user-id }, { cookie: session } or { source_ip: true }",
                        "clusters[0].health_check: missing a probe, expected http: { path: /healthz } or tcp: {}",
                        "clusters[0].outlier_detection.max_ejection_time: \"10s\": must be >="
                                + " base_ejection_time (30s)",
                        "clusters[0].slow_start: only lb_policy round_robin, least_request and peak_ewma ramp"
                                + " weights up, and this cluster's lb_policy is ring_hash",
                        "clusters[1].endpoints: empty, expected at least one endpoint such as"
                                + " { address: 127.0.0.1:8080 }",
                        "listeners[1].name: \"in\": duplicate listener name, also used by listeners[0]",
                        "listeners[1].routes[0].cluster: \"apii\": no such cluster (clusters: api)",
                        "clusters[1].name: \"api\": duplicate cluster name, also used by clusters[0]"),
                errors("""
                        admin: { address: localhost }
                        drain_timeout: 15
                        listeners:
                          - name: in
                            address: 127.0.0.1:99999
                            rutes: [ { cluster: api } ]
                          - name: in
                            address: 127.0.0.1:15002
                            rate_limit: { requests_per_second: 0 }
                            routes:
                              - match: { prefix: api }
                                cluster: apii
                                timeout: 2 s
                          - oops
                        clusters:
                          - name: api
                            slow_start: { window: 30s }
                            endpoints: [ { address: 127.0.0.1:8081, weight: 0 } ]
                            lb_policy: ring_hash
                            health_check: { interval: 5s }
                            outlier_detection: { max_ejection_time: 10s }
                          - name: api
                            endpoints: []
                        """));
    }
}
