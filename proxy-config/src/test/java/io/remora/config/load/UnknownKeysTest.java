package io.remora.config.load;

import static io.remora.config.load.Configs.clusterErrors;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.listenerErrors;
import static io.remora.config.load.Configs.routeErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys the schema does not have (with a did-you-mean hint) and keys it reserves for later versions. */
class UnknownKeysTest {

    @Test
    void typoGetsTheNearestKey() {
        assertEquals(List.of("listeners[0].rutes: unknown key, did you mean \"routes\"?",
                        "listeners[0].routes: an http listener needs at least one route,"
                                + " such as { match: { prefix: / }, cluster: api }"),
                errors("""
                        listeners:
                          - name: in
                            address: 127.0.0.1:15001
                            rutes: [ { cluster: api } ]
                        """ + Configs.API_CLUSTER));
    }

    @Test
    void didYouMeanWorksInEverySection() {
        assertEquals(List.of("listners: unknown key, did you mean \"listeners\"?"), errors("listners: []\n"));
        assertEquals(List.of("admin.adress: unknown key, did you mean \"address\"?"),
                errors("admin: { adress: 127.0.0.1:9901 }\n"));
        assertEquals(List.of("listeners[0].idle-timeout: unknown key, did you mean \"idle_timeout\"?"),
                listenerErrors("idle-timeout: 5s"));
        assertEquals(List.of("listeners[0].routes[0].timout: unknown key, did you mean \"timeout\"?"),
                routeErrors("cluster: api\ntimout: 1s"));
        assertEquals(List.of("listeners[0].routes[0].match.prefx: unknown key, did you mean \"prefix\"?"),
                routeErrors("cluster: api\nmatch: { prefx: /a }"));
        assertEquals(List.of("clusters[0].lb_polcy: unknown key, did you mean \"lb_policy\"?"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nlb_polcy: random"));
        assertEquals(List.of("clusters[0].endpoints[0].wieght: unknown key, did you mean \"weight\"?"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, wieght: 2 } ]"));
    }

    @Test
    void caseAndCamelCaseMistakesAreCaught() {
        assertEquals(List.of("listeners[0].idleTimeout: unknown key, did you mean \"idle_timeout\"?",
                        "listeners[0].Protocol: unknown key, did you mean \"protocol\"?"),
                listenerErrors("idleTimeout: 5s\nProtocol: http"));
    }

    @Test
    void aTypoOfALaterKeySuggestsIt() {
        assertEquals(List.of("clusters[0].helth_check: unknown key, did you mean \"health_check\"?"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nhelth_check: {}"));
    }

    @Test
    void withoutACloseKeyTheKnownKeysAreListed() {
        assertEquals(List.of("listeners[0].foo: unknown key (expected one of: name, address, protocol, cluster,"
                + " routes, idle_timeout, stream_idle_timeout, request_headers_timeout, max_request_headers_kb)"),
                listenerErrors("foo: 1"));
        assertEquals(List.of("bar: unknown key (expected one of: admin, drain_timeout, listeners, clusters)"),
                errors("bar: 1\n"));
        assertEquals(List.of("listeners[0].routes[0].match.query: unknown key (expected one of: prefix, path,"
                + " host, headers)"), routeErrors("cluster: api\nmatch: { query: a }"));
    }

    @Test
    void nonStringKeysAreReportedAsWritten() {
        assertEquals(List.of("1: unknown key (expected one of: admin, drain_timeout, listeners, clusters)",
                        "true: unknown key (expected one of: admin, drain_timeout, listeners, clusters)"),
                errors("1: a\ntrue: b\n"));
    }

    @Test
    void mergeKeysAreExplained() {
        assertEquals(List.of("clusters[0].<<: YAML merge keys are not supported, write the keys out"),
                clusterErrors("<<: { lb_policy: random }\nname: api\nendpoints: [ { address: 127.0.0.1:1 } ]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"max_headers_count", "headers_with_underscores", "max_connections", "tls",
            "rate_limit", "access_log", "http2"})
    void laterListenerKeysAreRefused(String key) {
        assertEquals(List.of("listeners[0]." + key + ": not supported yet by this version of Remora"),
                listenerErrors(key + ": {}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"weighted_clusters", "retry", "rate_limit", "fault", "fallback",
            "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "prefix_rewrite",
            "direct_response", "redirect"})
    void laterRouteKeysAreRefused(String key) {
        assertEquals(List.of("listeners[0].routes[0]." + key + ": not supported yet by this version of Remora"),
                routeErrors("cluster: api\n" + key + ": {}"));
    }

    @Test
    void weightedClustersInsteadOfClusterIsOneErrorNotTwo() {
        assertEquals(List.of("listeners[0].routes[0].weighted_clusters: not supported yet by this version of Remora"),
                routeErrors("weighted_clusters: [ { cluster: api, weight: 90 } ]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash_on", "protocol", "panic_threshold", "health_check", "outlier_detection",
            "circuit_breakers", "retry_budget", "slow_start", "tls"})
    void laterClusterKeysAreRefused(String key) {
        assertEquals(List.of("clusters[0]." + key + ": not supported yet by this version of Remora"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\n" + key + ": {}"));
    }

    @Test
    void endpointPriorityIsRefused() {
        assertEquals(List.of("clusters[0].endpoints[0].priority: not supported yet by this version of Remora"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, priority: 1 } ]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ring_hash", "peak_ewma"})
    void laterLoadBalancingPoliciesAreRefused(String policy) {
        assertEquals(List.of("clusters[0].lb_policy: \"" + policy + "\": not supported yet by this version of"
                        + " Remora (supported: round_robin, least_request, random)"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nlb_policy: " + policy));
    }
}
