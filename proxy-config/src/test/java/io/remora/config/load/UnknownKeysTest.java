package io.remora.config.load;

import static io.remora.config.load.Configs.clusterErrors;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.listenerErrors;
import static io.remora.config.load.Configs.routeErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

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
        assertEquals(List.of("clusters[0].helth_check: unknown key, did you mean \"health_check\"?"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nhelth_check: {}"));
    }

    @Test
    void didYouMeanWorksInTheFaultToleranceSections() {
        String cluster = "name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\n";
        assertEquals(List.of("clusters[0].hash_on.headr: unknown key, did you mean \"header\"?",
                        "clusters[0].hash_on: needs one of header, cookie or source_ip, such as { header: x-user-id }"),
                clusterErrors(cluster + "lb_policy: ring_hash\nhash_on: { headr: x-user-id }"));
        assertEquals(List.of("clusters[0].health_check.unhealthy_treshold: unknown key,"
                        + " did you mean \"unhealthy_threshold\"?"),
                clusterErrors(cluster + "health_check: { unhealthy_treshold: 2, tcp: {} }"));
        assertEquals(List.of("clusters[0].health_check.http.paths: unknown key, did you mean \"path\"?",
                        "clusters[0].health_check.http.path: missing, expected a path starting with \"/\","
                                + " such as /healthz"),
                clusterErrors(cluster + "health_check: { http: { paths: /healthz } }"));
        assertEquals(List.of("clusters[0].outlier_detection.consecutive_5xxx: unknown key,"
                        + " did you mean \"consecutive_5xx\"?",
                        "clusters[0].outlier_detection.success_rate.stdev_facter: unknown key,"
                                + " did you mean \"stdev_factor\"?",
                        "clusters[0].outlier_detection.failure_percentage.treshold: unknown key,"
                                + " did you mean \"threshold\"?"),
                clusterErrors(cluster + "outlier_detection: { consecutive_5xxx: 3, success_rate: { stdev_facter: 2 },"
                        + " failure_percentage: { treshold: 90 } }"));
        assertEquals(List.of("clusters[0].circuit_breakers.max_connection: unknown key,"
                        + " did you mean \"max_connections\"?"),
                clusterErrors(cluster + "circuit_breakers: { max_connection: 10 }"));
        assertEquals(List.of("clusters[0].retry_budget.retry_ration: unknown key, did you mean \"retry_ratio\"?"),
                clusterErrors(cluster + "retry_budget: { retry_ration: 0.1 }"));
        assertEquals(List.of("listeners[0].routes[0].retry.num_retires: unknown key, did you mean \"num_retries\"?",
                        "listeners[0].routes[0].retry.backoff.base: unknown key (expected one of: base_interval,"
                                + " max_interval)"),
                routeErrors("cluster: api\nretry: { num_retires: 2, backoff: { base: 1s } }"));
    }

    @Test
    void aMapThatTakesNoKeysSaysSo() {
        assertEquals(List.of("clusters[0].health_check.tcp.port: unknown key (this map takes no keys, write {})"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\n"
                        + "health_check: { tcp: { port: 8080 } }"));
    }

    @Test
    void caseAndCamelCaseMistakesAreCaught() {
        assertEquals(List.of("listeners[0].idleTimeout: unknown key, did you mean \"idle_timeout\"?",
                        "listeners[0].Protocol: unknown key, did you mean \"protocol\"?"),
                listenerErrors("idleTimeout: 5s\nProtocol: http"));
    }

    @Test
    void aTypoOfALaterKeySuggestsIt() {
        assertEquals(List.of("clusters[0].slow_strat: unknown key, did you mean \"slow_start\"?"),
                clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1 } ]\nslow_strat: {}"));
    }

    @Test
    void withoutACloseKeyTheKnownKeysAreListed() {
        assertEquals(List.of("listeners[0].foo: unknown key (expected one of: name, address, protocol, cluster,"
                + " routes, idle_timeout, stream_idle_timeout, request_headers_timeout, max_request_headers_kb,"
                + " max_headers_count, headers_with_underscores, max_connections, normalize_path, merge_slashes,"
                + " access_log, tls, rate_limit, http2)"),
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

    @Test
    void weightedClustersInsteadOfClusterIsNoError() {
        assertEquals(List.of("listeners[0].routes[0].weighted_clusters[0].cluster: \"apii\": no such cluster"
                        + " (clusters: api)"),
                routeErrors("weighted_clusters: [ { cluster: apii, weight: 90 } ]"));
    }
}
