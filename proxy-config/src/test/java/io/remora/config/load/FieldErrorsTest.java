package io.remora.config.load;

import static io.remora.config.load.Configs.clusterErrors;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.listenerErrors;
import static io.remora.config.load.Configs.routeErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The rules on single values and single sections, one test per rule, each asserting the exact message. */
class FieldErrorsTest {

    private static final String ENDPOINTS = "endpoints: [ { address: 127.0.0.1:8081 } ]\n";

    @Nested
    class Types {

        @Test
        void aNumberWhereADurationIsExpectedGetsTheDurationHint() {
            assertEquals(List.of("listeners[0].routes[0].timeout: 5: expected a duration such as 250ms, 2s, 1m"),
                    routeErrors("cluster: api\ntimeout: 5"));
        }

        @Test
        void aStringWhereAListIsExpected() {
            assertEquals(List.of("listeners: \"ingress\": expected a list of listeners"),
                    errors("listeners: ingress\n"));
        }

        @Test
        void aMapWhereAListIsExpected() {
            assertEquals(List.of("clusters: expected a list of clusters, got a map"),
                    errors("clusters: { name: api }\n"));
        }

        @Test
        void aListWhereAStringIsExpected() {
            assertEquals(List.of("clusters[0].name: expected a unique cluster name, got a list"),
                    clusterErrors("name: [ api ]\n" + ENDPOINTS));
        }

        @Test
        void aScalarWhereAMapIsExpected() {
            assertEquals(List.of("clusters[0].endpoints[0]: \"127.0.0.1:8081\": expected a map such as"
                            + " { address: 127.0.0.1:8080, weight: 1 }"),
                    clusterErrors("name: api\nendpoints: [ 127.0.0.1:8081 ]"));
            assertEquals(List.of("listeners[0]: \"ingress\": expected a map such as { name: ingress,"
                    + " address: 127.0.0.1:15001, routes: [...] }"), errors("listeners: [ ingress ]\n"));
            assertEquals(List.of("admin: \"127.0.0.1:9901\": expected a map such as { address: 127.0.0.1:9901 }"),
                    errors("admin: 127.0.0.1:9901\n"));
        }

        @Test
        void aStringWhereAnIntegerIsExpected() {
            assertEquals(List.of("clusters[0].endpoints[0].weight: \"3\": expected an integer"),
                    clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, weight: \"3\" } ]"));
        }

        @Test
        void aFractionWhereAnIntegerIsExpected() {
            assertEquals(List.of("clusters[0].endpoints[0].weight: 1.5: expected an integer"),
                    clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, weight: 1.5 } ]"));
        }

        @Test
        void aStringWhereABooleanIsExpected() {
            assertEquals(List.of("admin.allow_remote: \"yes\": expected true or false"),
                    errors("admin: { allow_remote: yes }\n"));
        }

        @Test
        void aNumberWhereAnAddressIsExpected() {
            assertEquals(List.of("listeners[0].address: 15001: expected host:port or [v6]:port,"
                    + " such as 127.0.0.1:8080"), errors("""
                    listeners:
                      - name: in
                        address: 15001
                        routes: [ { cluster: api } ]
                    """ + Configs.API_CLUSTER));
        }

        @Test
        void aKeyWithoutAValueIsAnErrorForScalars() {
            assertEquals(List.of("listeners[0].idle_timeout: no value, expected a duration such as 250ms, 2s, 1m",
                    "listeners[0].max_request_headers_kb: no value, expected an integer"),
                    listenerErrors("idle_timeout:\nmax_request_headers_kb:"));
        }

        @Test
        void aListElementWithoutAValue() {
            assertEquals(List.of("clusters[0].endpoints[1]: no value, expected a map such as"
                            + " { address: 127.0.0.1:8080, weight: 1 }"),
                    clusterErrors("name: api\nendpoints:\n  - address: 127.0.0.1:1\n  -"));
        }

        @Test
        void binaryData() {
            assertEquals(List.of("clusters[0].name: expected a unique cluster name, got binary data"),
                    clusterErrors("name: !!binary aGVsbG8=\n" + ENDPOINTS));
        }
    }

    @Nested
    class RequiredKeys {

        @Test
        void listenerNameAndAddress() {
            assertEquals(List.of("listeners[0].name: missing, expected a unique listener name",
                            "listeners[0].address: missing, expected host:port or [v6]:port, such as 127.0.0.1:8080"),
                    errors("listeners:\n  - routes: [ { cluster: api } ]\n" + Configs.API_CLUSTER));
        }

        @Test
        void routeCluster() {
            assertEquals(List.of("listeners[0].routes[0].cluster: missing, expected the name of a cluster"),
                    routeErrors("match: { prefix: / }"));
        }

        @Test
        void clusterNameAndEndpoints() {
            assertEquals(List.of("clusters[0].name: missing, expected a unique cluster name",
                            "clusters[0].endpoints: missing, expected a non-empty list of endpoints such as"
                                    + " [ { address: 127.0.0.1:8080 } ]"),
                    clusterErrors("lb_policy: random"));
        }

        @Test
        void endpointAddress() {
            assertEquals(List.of("clusters[0].endpoints[0].address: missing, expected host:port or [v6]:port,"
                    + " such as 127.0.0.1:8080"), clusterErrors("name: api\nendpoints: [ { weight: 2 } ]"));
        }

        @Test
        void namesMustNotBeEmpty() {
            assertEquals(List.of("clusters[0].name: \"\": must not be empty"),
                    clusterErrors("name: \"\"\n" + ENDPOINTS));
            assertEquals(List.of("clusters[0].name: \" \": must not be empty"),
                    clusterErrors("name: \" \"\n" + ENDPOINTS));
        }

        @Test
        void endpointsMustNotBeEmpty() {
            assertEquals(List.of("clusters[0].endpoints: empty, expected at least one endpoint such as"
                    + " { address: 127.0.0.1:8080 }"), clusterErrors("name: api\nendpoints: []"));
        }
    }

    @Nested
    class Protocols {

        @Test
        void unknownProtocol() {
            assertEquals(List.of("listeners[0].protocol: \"udp\": expected one of: http, tcp"),
                    listenerErrors("protocol: udp"));
        }

        @Test
        void httpListenerWithACluster() {
            assertEquals(List.of("listeners[0].cluster: only tcp listeners have a cluster; an http listener picks"
                    + " one per route (routes[].cluster)"), listenerErrors("cluster: api"));
        }

        @Test
        void httpListenerWithoutRoutes() {
            List<String> expected = List.of("listeners[0].routes: an http listener needs at least one route,"
                    + " such as { match: { prefix: / }, cluster: api }");
            assertEquals(expected, errors("listeners: [ { name: in, address: 127.0.0.1:1 } ]\n"));
            assertEquals(expected, errors("listeners: [ { name: in, address: 127.0.0.1:1, routes: [] } ]\n"));
        }

        @Test
        void tcpListenerWithRoutes() {
            assertEquals(List.of("listeners[0].routes: only http listeners have routes; a tcp listener forwards"
                    + " every connection to its cluster"), errors("""
                    listeners:
                      - name: db
                        address: 127.0.0.1:15432
                        protocol: tcp
                        cluster: api
                        routes: [ { cluster: api } ]
                    """ + Configs.API_CLUSTER));
        }

        @Test
        void tcpListenerWithoutACluster() {
            assertEquals(List.of("listeners[0].cluster: missing, expected the name of the cluster a tcp listener"
                    + " forwards to"), errors("""
                    listeners:
                      - name: db
                        address: 127.0.0.1:15432
                        protocol: tcp
                    """));
        }
    }

    @Nested
    class Ranges {

        @Test
        void maxRequestHeadersKbIs1To1024() {
            assertEquals(List.of("listeners[0].max_request_headers_kb: 0: must be 1-1024"),
                    listenerErrors("max_request_headers_kb: 0"));
            assertEquals(List.of("listeners[0].max_request_headers_kb: 1025: must be 1-1024"),
                    listenerErrors("max_request_headers_kb: 1025"));
        }

        @Test
        void weightIs1To10000() {
            assertEquals(List.of("clusters[0].endpoints[0].weight: 0: must be 1-10000"),
                    clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, weight: 0 } ]"));
            assertEquals(List.of("clusters[0].endpoints[0].weight: -2: must be 1-10000"),
                    clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, weight: -2 } ]"));
            assertEquals(List.of("clusters[0].endpoints[0].weight: 10001: must be 1-10000"),
                    clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, weight: 10001 } ]"));
        }

        @Test
        void maxRequestsPerConnectionIsNotNegative() {
            assertEquals(List.of("clusters[0].max_requests_per_connection: -1: must be >= 0"),
                    clusterErrors("name: api\n" + ENDPOINTS + "max_requests_per_connection: -1"));
            assertEquals(List.of("clusters[0].max_requests_per_connection: 99999999999999999999: too large"
                            + " (at most 2147483647)"),
                    clusterErrors("name: api\n" + ENDPOINTS + "max_requests_per_connection: 99999999999999999999"));
        }

        @Test
        void clusterDurationsMustBePositive() {
            assertEquals(List.of("clusters[0].dns_refresh: \"0s\": must be > 0",
                            "clusters[0].connect_timeout: \"0ms\": must be > 0",
                            "clusters[0].idle_timeout: \"0s\": must be > 0"),
                    clusterErrors("name: api\n" + ENDPOINTS
                            + "dns_refresh: 0s\nconnect_timeout: 0ms\nidle_timeout: 0s"));
        }

        @Test
        void badDurationsAreReportedWithTheirPath() {
            assertEquals(List.of("drain_timeout: \"-1s\": must not be negative",
                            "listeners[0].idle_timeout: \"60\": missing unit, expected a duration such as 250ms, 2s, 1m",
                            "listeners[0].stream_idle_timeout: \"5 min\": expected a duration such as 250ms, 2s, 1m",
                            "listeners[0].request_headers_timeout: \"10sec\": unknown unit \"sec\""
                                    + " (expected ms, s, m or h)"),
                    errors("""
                            drain_timeout: -1s
                            listeners:
                              - name: in
                                address: 127.0.0.1:15001
                                idle_timeout: "60"
                                stream_idle_timeout: 5 min
                                request_headers_timeout: 10sec
                                routes: [ { cluster: api } ]
                            """ + Configs.API_CLUSTER));
        }

        @Test
        void unknownDnsFamily() {
            assertEquals(List.of("clusters[0].dns_family: \"ipv4\": expected one of: auto, v4, v6"),
                    clusterErrors("name: api\n" + ENDPOINTS + "dns_family: ipv4"));
        }

        @Test
        void unknownLbPolicy() {
            assertEquals(List.of("clusters[0].lb_policy: \"least_conn\": expected one of: round_robin,"
                    + " least_request, random, ring_hash, peak_ewma"), clusterErrors("name: api\n" + ENDPOINTS + "lb_policy: least_conn"));
        }
    }

    @Nested
    class Addresses {

        @Test
        void endpointPortOutOfRange() {
            assertEquals(List.of("clusters[1].endpoints[0].address: \"127.0.0.1:99999\": port must be 1-65535"),
                    errors("""
                            clusters:
                              - name: api
                                endpoints: [ { address: 127.0.0.1:8081 } ]
                              - name: api-canary
                                endpoints: [ { address: 127.0.0.1:99999 } ]
                            """));
        }

        @Test
        void listenerPortZero() {
            assertEquals(List.of("listeners[0].address: \"127.0.0.1:0\": port must be 1-65535"), errors("""
                    listeners:
                      - name: in
                        address: 127.0.0.1:0
                        routes: [ { cluster: api } ]
                    """ + Configs.API_CLUSTER));
        }

        @Test
        void adminPortZero() {
            assertEquals(List.of("admin.address: \"127.0.0.1:0\": port must be 1-65535"),
                    errors("admin: { address: 127.0.0.1:0 }\n"));
        }

        @Test
        void addressWithoutPort() {
            assertEquals(List.of("clusters[0].endpoints[0].address: \"backend\": missing port, expected"
                            + " host:port or [v6]:port, such as 127.0.0.1:8080"),
                    clusterErrors("name: api\nendpoints: [ { address: backend } ]"));
        }
    }

    @Nested
    class Matches {

        @Test
        void prefixMustStartWithASlash() {
            assertEquals(List.of("listeners[0].routes[0].match.prefix: \"api/\": must start with \"/\""),
                    routeErrors("match: { prefix: api/ }\ncluster: api"));
        }

        @Test
        void pathMustStartWithASlash() {
            assertEquals(List.of("listeners[0].routes[0].match.path: \"\": must start with \"/\""),
                    routeErrors("match: { path: \"\" }\ncluster: api"));
        }

        @Test
        void pathMustNotHoldAQuery() {
            assertEquals(List.of("listeners[0].routes[0].match.path: \"/search?q=1\": must not contain \"?\" or"
                    + " \"#\": the query string is not matched"), routeErrors("match: { path: /search?q=1 }\ncluster: api"));
        }

        @Test
        void prefixAndPathAreExclusive() {
            assertEquals(List.of("listeners[0].routes[0].match: give either prefix or path, not both"),
                    routeErrors("match: { prefix: /a, path: /a/b }\ncluster: api"));
        }

        @Test
        void matchMustBeAMap() {
            assertEquals(List.of("listeners[0].routes[0].match: \"/api\": expected a map such as"
                    + " { prefix: /api/ }"), routeErrors("match: /api\ncluster: api"));
        }

        @Test
        void hostWildcardOnlyAsTheWholeFirstLabel() {
            String problem = ": \"*\" is only allowed as the whole first label, such as *.example.com";
            assertEquals(List.of("listeners[0].routes[0].match.host: \"api.*.com\"" + problem),
                    routeErrors("match: { host: api.*.com }\ncluster: api"));
            assertEquals(List.of("listeners[0].routes[0].match.host: \"*example.com\"" + problem),
                    routeErrors("match: { host: \"*example.com\" }\ncluster: api"));
            assertEquals(List.of("listeners[0].routes[0].match.host: \"*\"" + problem),
                    routeErrors("match: { host: \"*\" }\ncluster: api"));
            assertEquals(List.of("listeners[0].routes[0].match.host: \"*.*.example.com\"" + problem),
                    routeErrors("match: { host: \"*.*.example.com\" }\ncluster: api"));
        }

        @Test
        void hostWithoutAPort() {
            assertEquals(List.of("listeners[0].routes[0].match.host: \"api.example.com:8080\": must not include a"
                    + " port: only the host part is matched"), routeErrors("match: { host: api.example.com:8080 }\ncluster: api"));
        }

        @Test
        void hostSyntax() {
            assertEquals(List.of("listeners[0].routes[0].match.host: \"api example.com\": not a valid host name"
                            + " (letters, digits, \"-\", \"_\" and \".\" only)"),
                    routeErrors("match: { host: api example.com }\ncluster: api"));
            assertEquals(List.of("listeners[0].routes[0].match.host: \"*.\": not a valid host name"
                            + " (letters, digits, \"-\", \"_\" and \".\" only)"),
                    routeErrors("match: { host: \"*.\" }\ncluster: api"));
            assertEquals(List.of("listeners[0].routes[0].match.host: \"*.10.0.0.1\": a wildcard needs a host"
                    + " name, not an IP address, after \"*.\""), routeErrors("match: { host: \"*.10.0.0.1\" }\ncluster: api"));
        }

        @Test
        void hostMayBeAnIpLiteral() throws Exception {
            assertEquals("[::1]", ConfigLoader.parse("""
                    listeners:
                      - name: in
                        address: 127.0.0.1:15001
                        routes: [ { match: { host: "[::1]" }, cluster: api } ]
                    """ + Configs.API_CLUSTER, "t").listeners().get(0).routes().get(0).match().host());
            assertEquals(List.of("listeners[0].routes[0].match.host: \"[::1]:80\": must not include a port: only"
                    + " the host part is matched"), routeErrors("match: { host: \"[::1]:80\" }\ncluster: api"));
            assertEquals(List.of("listeners[0].routes[0].match.host: \"[::g]\": not a valid IPv6 address"),
                    routeErrors("match: { host: \"[::g]\" }\ncluster: api"));
            assertEquals(List.of("listeners[0].routes[0].match.host: \"::1\": an IPv6 address must be in"
                    + " brackets, such as [::1]"), routeErrors("match: { host: \"::1\" }\ncluster: api"));
        }
    }

    @Nested
    class Headers {

        @Test
        void headersMustBeAMap() {
            assertEquals(List.of("listeners[0].routes[0].match.headers: expected a map of header name to exact"
                            + " value, such as { x-canary: \"1\" }, got a list"),
                    routeErrors("match: { headers: [ x-canary ] }\ncluster: api"));
        }

        @Test
        void unquotedNumbersAndBooleansNeedQuotes() {
            assertEquals(List.of(
                            "listeners[0].routes[0].match.headers.x-canary: 1: expected a string, put the value in quotes",
                            "listeners[0].routes[0].match.headers.x-debug: true: expected a string, put the value in"
                                    + " quotes"),
                    routeErrors("match: { headers: { x-canary: 1, x-debug: true } }\ncluster: api"));
        }

        @Test
        void headerWithoutAValue() {
            assertEquals(List.of("listeners[0].routes[0].match.headers.x-canary: no value, expected a string"),
                    routeErrors("match: { headers: { x-canary: } }\ncluster: api"));
        }

        @Test
        void invalidHeaderName() {
            assertEquals(List.of("listeners[0].routes[0].match.headers: \"x canary\": not a valid header name",
                            "listeners[0].routes[0].match.headers: \":authority\": not a valid header name"),
                    routeErrors("match: { headers: { \"x canary\": a, \":authority\": b } }\ncluster: api"));
        }

        @Test
        void headerNamesDifferingOnlyInCase() {
            assertEquals(List.of("listeners[0].routes[0].match.headers: \"X-Canary\": same header as \"x-canary\""
                            + " (header names ignore case)"),
                    routeErrors("match: { headers: { x-canary: a, X-Canary: b } }\ncluster: api"));
        }

        @Test
        void headerValueCharacters() {
            assertEquals(List.of("listeners[0].routes[0].match.headers.x-a: \"a\\nb\": must not contain CR, LF"
                            + " or NUL",
                            "listeners[0].routes[0].match.headers.x-b: \" b\": must not start or end with whitespace,"
                                    + " which HTTP strips from header values"),
                    routeErrors("match: { headers: { x-a: \"a\\nb\", x-b: \" b\" } }\ncluster: api"));
        }
    }
}
