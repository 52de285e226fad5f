package io.remora.config.load;

import static io.remora.config.load.Configs.cluster;
import static io.remora.config.load.Configs.clusterErrors;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.listenerErrors;
import static io.remora.config.load.Configs.route;
import static io.remora.config.load.Configs.routeErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.DirectResponseConfig;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.FallbackConfig;
import io.remora.config.model.FaultConfig;
import io.remora.config.model.HeaderValue;
import io.remora.config.model.HostPort;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RateLimitConfig;
import io.remora.config.model.RedirectConfig;
import io.remora.config.model.RemoraConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.SlowStartConfig;
import io.remora.config.model.WeightedCluster;
import io.remora.config.validate.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The keys of issue 9 (traffic policy): what they become in the model, their defaults, and every rule on them. */
class TrafficPolicyConfigTest {

    private static final String CLUSTER = "name: api\nendpoints: [ { address: 127.0.0.1:8081 } ]\n";
    private static final String R = "listeners[0].routes[0].";

    @Nested
    class Issue9Example {

        private static String example() throws IOException {
            try (InputStream in = TrafficPolicyConfigTest.class.getResourceAsStream("issue-9-example.yaml")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        @Test
        void everyIssue9KeyOfTheExampleIsAcceptedAsWritten() throws IOException {
            // the example is a fragment: it leaves out the listener's address, which the foundation requires
            assertEquals(List.of("listeners[0].address: missing, expected host:port or [v6]:port, such as"
                    + " 127.0.0.1:8080"), errors(example()));
        }

        @Test
        void completedExampleBecomesThisModel() throws IOException, ConfigException {
            RemoraConfig c = ConfigLoader.parse(example().replace("  - name: ingress\n",
                    "  - name: ingress\n    address: 127.0.0.1:15001\n"), "issue-9.yaml");
            ListenerConfig l = c.listeners().get(0);
            assertEquals(new RateLimitConfig(1000, 200, null), l.rateLimit());
            RouteConfig r = l.routes().get(0);
            assertEquals("search", r.cluster());
            assertEquals(new RateLimitConfig(50, 20, "x-api-key"), r.rateLimit());
            assertEquals(new FaultConfig(new FaultConfig.Delay(Duration.ofSeconds(2), 10),
                    new FaultConfig.Abort(503, 5), "x-fault-inject"), r.fault());
            assertEquals(new FallbackConfig(200, "application/json", "{\"results\":[],\"degraded\":true}"),
                    r.fallback());
            ClusterConfig cl = c.clusters().get(0);
            assertEquals(new SlowStartConfig(Duration.ofSeconds(30), 1.0, 10), cl.slowStart());
            assertEquals(List.of(new EndpointConfig(new HostPort("10.0.0.1", 8080), 1, 0),
                    new EndpointConfig(new HostPort("10.1.0.1", 8080), 1, 1)), cl.endpoints());
        }
    }

    @Nested
    class RateLimit {

        @Test
        void burstDefaultsToOneSecondOfTheRate() throws ConfigException {
            assertEquals(new RateLimitConfig(50, 50, null), route("cluster: api\nrate_limit: { requests_per_second: 50 }")
                    .rateLimit());
            assertEquals(new RateLimitConfig(2.5, 3, null),
                    route("cluster: api\nrate_limit: { requests_per_second: 2.5 }").rateLimit());
            assertEquals(new RateLimitConfig(0.1, 1, null),
                    route("cluster: api\nrate_limit: { requests_per_second: 0.1 }").rateLimit());
        }

        @Test
        void keyHeaderNamesAreLowerCased() throws ConfigException {
            assertEquals("x-api-key", route("cluster: api\nrate_limit: { requests_per_second: 5, key: { header:"
                    + " X-Api-Key } }").rateLimit().keyHeader());
        }

        @Test
        void invalid() {
            assertEquals(List.of(R + "rate_limit.requests_per_second: missing, expected a number of requests per"
                    + " second such as 100"), routeErrors("cluster: api\nrate_limit: { burst: 5 }"));
            assertEquals(List.of(R + "rate_limit.requests_per_second: 0: must be > 0",
                            R + "rate_limit.burst: 0: must be 1-1000000"),
                    routeErrors("cluster: api\nrate_limit: { requests_per_second: 0, burst: 0 }"));
            assertEquals(List.of(R + "rate_limit.requests_per_second: \"fast\": expected a number such as 0.5"),
                    routeErrors("cluster: api\nrate_limit: { requests_per_second: fast }"));
            assertEquals(List.of(R + "rate_limit.key.header: missing, expected a header name such as x-api-key"),
                    routeErrors("cluster: api\nrate_limit: { requests_per_second: 1, key: {} }"));
            assertEquals(List.of(R + "rate_limit.key.cookie: unknown key (expected one of: header)",
                            R + "rate_limit.key.header: missing, expected a header name such as x-api-key"),
                    routeErrors("cluster: api\nrate_limit: { requests_per_second: 1, key: { cookie: s } }"));
            assertEquals(List.of(R + "rate_limit.key.header: \"x api\": not a valid header name"),
                    routeErrors("cluster: api\nrate_limit: { requests_per_second: 1, key: { header: x api } }"));
            assertEquals(List.of(R + "rate_limit.request_per_second: unknown key, did you mean"
                            + " \"requests_per_second\"?",
                            R + "rate_limit.requests_per_second: missing, expected a number of requests per second"
                                    + " such as 100"),
                    routeErrors("cluster: api\nrate_limit: { request_per_second: 1 }"));
        }

        @Test
        void onAListener() throws ConfigException {
            assertEquals(List.of("listeners[0].rate_limit: expected a map such as { requests_per_second: 100,"
                    + " burst: 20 }, got a list"), listenerErrors("rate_limit: [ 1 ]"));
            assertEquals(List.of("listeners[0].rate_limit: only http listeners have a rate limit: it counts"
                    + " requests"), errors("""
                    listeners:
                      - name: db
                        address: 127.0.0.1:15432
                        protocol: tcp
                        cluster: api
                        rate_limit: { requests_per_second: 10 }
                    """ + Configs.API_CLUSTER));
        }
    }

    @Nested
    class Fault {

        @Test
        void percentagesDefaultToEveryRequest() throws ConfigException {
            assertEquals(new FaultConfig(new FaultConfig.Delay(Duration.ofMillis(250), 100),
                            new FaultConfig.Abort(500, 100), null),
                    route("cluster: api\nfault: { delay: { fixed: 250ms }, abort: { status: 500 } }").fault());
            assertEquals(new FaultConfig(null, new FaultConfig.Abort(503, 0.5), "x-chaos"),
                    route("cluster: api\nfault: { abort: { status: 503, percent: 0.5 }, only_with_header: X-Chaos }")
                            .fault());
        }

        @Test
        void invalid() {
            assertEquals(List.of(R + "fault: needs delay, abort or both, such as { abort: { status: 503, percent: 5"
                    + " } }"), routeErrors("cluster: api\nfault: { only_with_header: x-f }"));
            assertEquals(List.of(R + "fault.delay.fixed: missing, expected a duration such as 2s",
                            R + "fault.delay.percent: 101: must be 0-100"),
                    routeErrors("cluster: api\nfault: { delay: { percent: 101 } }"));
            assertEquals(List.of(R + "fault.delay.fixed: \"0s\": must be > 0"),
                    routeErrors("cluster: api\nfault: { delay: { fixed: 0s } }"));
            assertEquals(List.of(R + "fault.abort.status: missing, expected an HTTP status such as 503"),
                    routeErrors("cluster: api\nfault: { abort: { percent: 5 } }"));
            assertEquals(List.of(R + "fault.abort.status: 700: must be 200-599",
                            R + "fault.abort.percent: -1: must be 0-100"),
                    routeErrors("cluster: api\nfault: { abort: { status: 700, percent: -1 } }"));
            assertEquals(List.of(R + "fault.only_with_header: \"x:y\": not a valid header name"),
                    routeErrors("cluster: api\nfault: { abort: { status: 503 }, only_with_header: \"x:y\" }"));
        }
    }

    @Nested
    class Fallback {

        @Test
        void contentTypeAndBodyHaveDefaults() throws ConfigException {
            assertEquals(new FallbackConfig(503, Defaults.FALLBACK_CONTENT_TYPE, ""),
                    route("cluster: api\nfallback: { status: 503 }").fallback());
        }

        @Test
        void invalid() {
            assertEquals(List.of(R + "fallback.status: missing, expected an HTTP status such as 200"),
                    routeErrors("cluster: api\nfallback: { body: degraded }"));
            assertEquals(List.of(R + "fallback.status: 99: must be 200-599"),
                    routeErrors("cluster: api\nfallback: { status: 99 }"));
            assertEquals(List.of(R + "fallback.content_type: \"a\\nb\": must not contain CR, LF or NUL"),
                    routeErrors("cluster: api\nfallback: { status: 200, content_type: \"a\\nb\" }"));
            assertEquals(List.of(R + "fallback.body: too long (65537 bytes, at most 65536)"),
                    routeErrors("cluster: api\nfallback: { status: 200, body: " + "x".repeat(65537) + " }"));
        }
    }

    @Nested
    class RouteActions {

        @Test
        void weightedClustersReplaceCluster() throws ConfigException {
            RouteConfig r = route("weighted_clusters: [ { cluster: api, weight: 90 } ]");
            assertNull(r.cluster());
            assertEquals(List.of(new WeightedCluster("api", 90)), r.weightedClusters());
            assertEquals(List.of("api"), r.clusters());
        }

        @Test
        void weightedClusterErrors() {
            assertEquals(List.of(R + "weighted_clusters: empty, expected a list such as [ { cluster: stable, weight:"
                    + " 90 }, { cluster: canary, weight: 10 } ]"), routeErrors("weighted_clusters: []"));
            assertEquals(List.of(R + "weighted_clusters[0].weight: missing, expected a weight such as 10 (0-10000)"),
                    routeErrors("weighted_clusters: [ { cluster: api } ]"));
            assertEquals(List.of(R + "weighted_clusters: every weight is 0; at least one cluster needs a weight"
                    + " above 0"), routeErrors("weighted_clusters: [ { cluster: api, weight: 0 } ]"));
            assertEquals(List.of(R + "weighted_clusters[1].cluster: \"api\": listed twice, also at"
                            + " weighted_clusters[0]"),
                    routeErrors("weighted_clusters: [ { cluster: api, weight: 1 }, { cluster: api, weight: 2 } ]"));
            assertEquals(List.of(R + "weighted_clusters[0].weight: 10001: must be 0-10000"),
                    routeErrors("weighted_clusters: [ { cluster: api, weight: 10001 } ]"));
        }

        @Test
        void exactlyOneAction() {
            assertEquals(List.of(R + "cluster: missing, expected the name of a cluster"), routeErrors("timeout: 1s"));
            assertEquals(List.of("listeners[0].routes[0]: give only one of cluster, weighted_clusters,"
                            + " direct_response or redirect (given: cluster, direct_response)"),
                    routeErrors("cluster: api\ndirect_response: { status: 200 }"));
        }

        @Test
        void aRouteThatAnswersItselfHasNoForwardingKeys() {
            assertEquals(List.of(R + "retry: a route with direct_response answers itself and forwards nothing, so"
                            + " retry would never apply",
                            R + "prefix_rewrite: a route with direct_response answers itself and forwards nothing,"
                                    + " so prefix_rewrite would never apply"),
                    routeErrors("direct_response: { status: 200 }\nretry: {}\nprefix_rewrite: /x"));
        }

        @Test
        void headers() throws ConfigException {
            RouteConfig r = route("""
                    cluster: api
                    request_headers_to_add: { X-Env: prod, x-team: "search" }
                    request_headers_to_remove: [ Cookie, x-debug ]
                    response_headers_to_add: [ { name: Cache-Control, value: no-store } ]
                    """);
            assertEquals(List.of(new HeaderValue("x-env", "prod"), new HeaderValue("x-team", "search")),
                    r.requestHeadersToAdd());
            assertEquals(List.of("cookie", "x-debug"), r.requestHeadersToRemove());
            assertEquals(List.of(new HeaderValue("cache-control", "no-store")), r.responseHeadersToAdd());
        }

        @Test
        void headerErrors() {
            assertEquals(List.of(R + "request_headers_to_add: \"Host\": Remora manages this header itself (message"
                            + " framing, hop-by-hop or routing), a route may not set or remove it"),
                    routeErrors("cluster: api\nrequest_headers_to_add: { Host: evil }"));
            assertEquals(List.of(R + "request_headers_to_remove[0]: \"content-length\": Remora manages this header"
                            + " itself (message framing, hop-by-hop or routing), a route may not set or remove it"),
                    routeErrors("cluster: api\nrequest_headers_to_remove: [ content-length ]"));
            assertEquals(List.of(R + "response_headers_to_add.x-version: 2: expected a string, put the value in"
                    + " quotes"), routeErrors("cluster: api\nresponse_headers_to_add: { x-version: 2 }"));
            assertEquals(List.of(R + "request_headers_to_add[1].name: \"x-a\": same header as \"X-A\" (header names"
                            + " ignore case)"),
                    routeErrors("cluster: api\nrequest_headers_to_add: [ { name: X-A, value: a }, { name: x-a,"
                            + " value: b } ]"));
            assertEquals(List.of(R + "request_headers_to_add[0].value: missing, expected the header's value"),
                    routeErrors("cluster: api\nrequest_headers_to_add: [ { name: x-a } ]"));
            assertEquals(List.of(R + "request_headers_to_remove: expected a list of header names such as [ x-debug,"
                    + " cookie ], got a map"), routeErrors("cluster: api\nrequest_headers_to_remove: { a: b }"));
            assertEquals(List.of(R + "request_headers_to_add: \"bad header\": not a valid header name"),
                    routeErrors("cluster: api\nrequest_headers_to_add: { bad header: x }"));
        }

        @Test
        void prefixRewrite() throws ConfigException {
            assertEquals("/v2/", route("cluster: api\nprefix_rewrite: /v2/").prefixRewrite());
            assertEquals(List.of(R + "prefix_rewrite: \"v2\": must start with \"/\""),
                    routeErrors("cluster: api\nprefix_rewrite: v2"));
            assertEquals(List.of(R + "prefix_rewrite: \"/a?b\": must not contain \"?\" or \"#\": the request's query"
                    + " string is kept"), routeErrors("cluster: api\nprefix_rewrite: /a?b"));
        }

        @Test
        void directResponse() throws ConfigException {
            RouteConfig r = route("direct_response: { status: 204 }");
            assertNull(r.cluster());
            assertEquals(new DirectResponseConfig(204, ""), r.directResponse());
            assertTrue(r.answersItself());
            assertEquals(List.of(), r.clusters());
            assertEquals(List.of(R + "direct_response.status: missing, expected an HTTP status such as 200"),
                    routeErrors("direct_response: { body: hi }"));
        }

        @Test
        void redirect() throws ConfigException {
            assertEquals(new RedirectConfig(true, null, null, 301), route("redirect: { https: true }").redirect());
            assertEquals(new RedirectConfig(false, "new.example.com:8443", "/landing", 308),
                    route("redirect: { host: New.Example.com:8443, path: /landing, status: 308 }").redirect());
            assertEquals(new RedirectConfig(false, "[::1]:8080", null, 301),
                    route("redirect: { host: \"[::1]:8080\" }").redirect());
        }

        @Test
        void redirectErrors() {
            assertEquals(List.of(R + "redirect: needs https: true, host or path; without them it would redirect a"
                    + " request to itself"), routeErrors("redirect: {}"));
            assertEquals(List.of(R + "redirect.status: 304: expected one of: 301, 302, 303, 307, 308"),
                    routeErrors("redirect: { https: true, status: 304 }"));
            assertEquals(List.of(R + "redirect.host: \"bad host\": not a valid host name (letters, digits, \"-\","
                    + " \"_\" and \".\" only)"), routeErrors("redirect: { host: bad host }"));
            assertEquals(List.of(R + "redirect.host: \"a.com:99999\": port must be 1-65535"),
                    routeErrors("redirect: { host: \"a.com:99999\" }"));
            assertEquals(List.of(R + "redirect.path: \"new\": must start with \"/\""),
                    routeErrors("redirect: { path: new }"));
        }
    }

    @Nested
    class SlowStartAndPriority {

        @Test
        void slowStartDefaults() throws ConfigException {
            assertEquals(new SlowStartConfig(Duration.ofSeconds(60), 1.0, 10),
                    cluster(CLUSTER + "slow_start: { window: 60s }").slowStart());
            assertNull(cluster(CLUSTER).slowStart());
        }

        @Test
        void slowStartErrors() {
            assertEquals(List.of("clusters[0].slow_start.window: missing, expected a duration such as 30s (how long a"
                    + " host's weight ramps up)"), clusterErrors(CLUSTER + "slow_start: {}"));
            assertEquals(List.of("clusters[0].slow_start.aggression: 0: must be > 0",
                            "clusters[0].slow_start.min_weight_percent: 150: must be 0-100"),
                    clusterErrors(CLUSTER + "slow_start: { window: 10s, aggression: 0, min_weight_percent: 150 }"));
            assertEquals(List.of("clusters[0].slow_start: only lb_policy round_robin, least_request and peak_ewma"
                            + " ramp weights up, and this cluster's lb_policy is random"),
                    clusterErrors(CLUSTER + "lb_policy: random\nslow_start: { window: 10s }"));
        }

        @Test
        void endpointPriority() throws ConfigException {
            assertEquals(3, cluster("name: api\nendpoints: [ { address: 127.0.0.1:1, priority: 3 } ]").endpoints()
                    .get(0).priority());
            assertEquals(List.of("clusters[0].endpoints[0].priority: -1: must be 0-127"),
                    clusterErrors("name: api\nendpoints: [ { address: 127.0.0.1:1, priority: -1 } ]"));
        }

        @Test
        void weightedClustersMustExist() {
            assertEquals(List.of(R + "weighted_clusters[1].cluster: \"nope\": no such cluster (clusters: api)"),
                    routeErrors("weighted_clusters: [ { cluster: api, weight: 1 }, { cluster: nope, weight: 1 } ]"));
        }
    }
}
