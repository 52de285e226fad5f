package io.remora.config.load;

import static io.remora.config.load.Configs.cluster;
import static io.remora.config.load.Configs.clusterErrors;
import static io.remora.config.load.Configs.errors;
import static io.remora.config.load.Configs.route;
import static io.remora.config.load.Configs.routeErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.remora.config.model.AdminConfig;
import io.remora.config.model.CircuitBreakersConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.DnsFamily;
import io.remora.config.model.EndpointConfig;
import io.remora.config.model.HashOn;
import io.remora.config.model.HealthCheckConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.LbPolicy;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.OutlierDetectionConfig;
import io.remora.config.model.OutlierDetectionConfig.FailurePercentage;
import io.remora.config.model.OutlierDetectionConfig.SuccessRate;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.config.model.RetryBudgetConfig;
import io.remora.config.model.RetryOn;
import io.remora.config.model.RetryPolicyConfig;
import io.remora.config.model.RouteConfig;
import io.remora.config.model.RouteMatch;
import io.remora.config.validate.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The keys of issue 3 (fault tolerance): what they become in the model, and every rule on them. */
class FaultToleranceConfigTest {

    private static final String CLUSTER = "name: api\nendpoints: [ { address: 127.0.0.1:8081 } ]\n";

    @Nested
    class Issue3Example {

        /** The example of issue 3, byte for byte. */
        private static String example() throws IOException {
            try (InputStream in = FaultToleranceConfigTest.class.getResourceAsStream("issue-3-example.yaml")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        @Test
        void everyIssue3KeyOfTheExampleIsAcceptedAsWritten() throws IOException {
            // the example is a fragment: it leaves out two keys the foundation requires, and it shows hash_on
            // beside peak_ewma, which does not use it; nothing else in it is refused
            assertEquals(List.of(
                            "listeners[0].address: missing, expected host:port or [v6]:port, such as 127.0.0.1:8080",
                            "clusters[0].endpoints: missing, expected a non-empty list of endpoints such as"
                                    + " [ { address: 127.0.0.1:8080 } ]",
                            "clusters[0].hash_on: only lb_policy ring_hash uses hash_on, and this cluster's"
                                    + " lb_policy is peak_ewma"),
                    errors(example()));
        }

        @Test
        void completedExampleBecomesThisModel() throws IOException, ConfigException {
            String yaml = example()
                    .replace("  - name: api\n", "  - name: api\n    endpoints: [ { address: 127.0.0.1:8081 } ]\n")
                    .replace("  - name: ingress\n", "  - name: ingress\n    address: 127.0.0.1:15001\n")
                    .replace("lb_policy: peak_ewma", "lb_policy: ring_hash");

            RemoraConfig expected = new RemoraConfig(AdminConfig.DEFAULT, Defaults.DRAIN_TIMEOUT,
                    List.of(new ListenerConfig("ingress", new HostPort("127.0.0.1", 15001), Protocol.HTTP, null,
                            List.of(new RouteConfig(new RouteMatch("/", null, null, Map.of()), "api",
                                    Duration.ofSeconds(2),
                                    new RetryPolicyConfig(
                                            Set.of(RetryOn.FIVE_XX, RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE,
                                                    RetryOn.RESET, RetryOn.RETRIABLE_STATUS_CODES),
                                            List.of(503), 2, Duration.ofMillis(500), Duration.ofMillis(25),
                                            Duration.ofMillis(250), false, 65536))),
                            Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(10), 64)),
                    List.of(new ClusterConfig("api", List.of(new EndpointConfig(new HostPort("127.0.0.1", 8081), 1)),
                            Duration.ofSeconds(5), DnsFamily.AUTO, LbPolicy.RING_HASH, Duration.ofSeconds(1),
                            Duration.ofSeconds(60), 0,
                            50,
                            new HashOn("x-user-id", null, false),
                            new HealthCheckConfig(Duration.ofSeconds(5), Duration.ofSeconds(1), 3, 2, "/healthz",
                                    List.of(200)),
                            new OutlierDetectionConfig(5, 5, Duration.ofSeconds(10), Duration.ofSeconds(30),
                                    Duration.ofSeconds(300), 10, new SuccessRate(5, 100, 1.9),
                                    new FailurePercentage(85, 5, 50)),
                            new CircuitBreakersConfig(1024, 1024, 1024, 3, Duration.ofSeconds(1)),
                            new RetryBudgetConfig(0.2, 10, Duration.ofSeconds(10)))));

            assertEquals(expected, ConfigLoader.parse(yaml, "issue-3.yaml"));
        }

        @Test
        void theExampleSpellsOutTheDefaults() throws IOException, ConfigException {
            String yaml = example()
                    .replace("  - name: api\n", "  - name: api\n    endpoints: [ { address: 127.0.0.1:8081 } ]\n")
                    .replace("  - name: ingress\n", "  - name: ingress\n    address: 127.0.0.1:15001\n")
                    .replace("lb_policy: peak_ewma", "lb_policy: ring_hash");
            ClusterConfig c = ConfigLoader.parse(yaml, "issue-3.yaml").clusters().get(0);

            assertEquals(Defaults.OUTLIER_DETECTION, c.outlierDetection());
            assertEquals(Defaults.CIRCUIT_BREAKERS, c.circuitBreakers());
            assertEquals(Defaults.RETRY_BUDGET, c.retryBudget());
            assertEquals(Defaults.PANIC_THRESHOLD, c.panicThreshold());
        }
    }

    @Nested
    class ClusterDefaults {

        @Test
        void aClusterWithoutTheKeysGetsTheDefaults() throws ConfigException {
            ClusterConfig c = cluster(CLUSTER);

            assertEquals(50, c.panicThreshold());
            assertNull(c.hashOn());
            assertNull(c.healthCheck());
            assertNull(c.outlierDetection());
            assertEquals(new CircuitBreakersConfig(1024, 1024, 1024, 3, Duration.ofSeconds(1)), c.circuitBreakers());
            assertEquals(new RetryBudgetConfig(0.2, 10, Duration.ofSeconds(10)), c.retryBudget());
            assertEquals(new ClusterConfig(c.name(), c.endpoints(), c.dnsRefresh(), c.dnsFamily(), c.lbPolicy(),
                    c.connectTimeout(), c.idleTimeout(), c.maxRequestsPerConnection()), c);
        }

        @Test
        void peakEwmaNeedsNothingElse() throws ConfigException {
            assertEquals(LbPolicy.PEAK_EWMA, cluster(CLUSTER + "lb_policy: peak_ewma").lbPolicy());
        }
    }

    @Nested
    class HashOnKey {

        @Test
        void headerNamesAreLowerCased() throws ConfigException {
            ClusterConfig c = cluster(CLUSTER + "lb_policy: ring_hash\nhash_on: { header: X-User-Id }");
            assertEquals(LbPolicy.RING_HASH, c.lbPolicy());
            assertEquals(new HashOn("x-user-id", null, false), c.hashOn());
        }

        @Test
        void cookieNamesAreKeptAsWritten() throws ConfigException {
            assertEquals(new HashOn(null, "Session_ID", false),
                    cluster(CLUSTER + "lb_policy: ring_hash\nhash_on: { cookie: Session_ID }").hashOn());
        }

        @Test
        void sourceIp() throws ConfigException {
            assertEquals(new HashOn(null, null, true),
                    cluster(CLUSTER + "lb_policy: ring_hash\nhash_on: { source_ip: true }").hashOn());
        }

        @Test
        void ringHashNeedsHashOn() {
            assertEquals(List.of("clusters[0].hash_on: missing, lb_policy ring_hash needs a key to hash, expected a"
                            + " map such as { header: x-user-id }, { cookie: session } or { source_ip: true }"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash"));
        }

        @Test
        void hashOnWithoutRingHashIsAnError() {
            assertEquals(List.of("clusters[0].hash_on: only lb_policy ring_hash uses hash_on, and this cluster's"
                            + " lb_policy is least_request"),
                    clusterErrors(CLUSTER + "lb_policy: least_request\nhash_on: { header: x-user-id }"));
            assertEquals(List.of("clusters[0].hash_on: only lb_policy ring_hash uses hash_on, and this cluster's"
                            + " lb_policy is round_robin (the default)"),
                    clusterErrors(CLUSTER + "hash_on: { header: x-user-id }"));
        }

        @Test
        void anInvalidLbPolicyIsNotAlsoBlamedOnHashOn() {
            assertEquals(List.of("clusters[0].lb_policy: \"ringhash\": expected one of: round_robin, least_request,"
                            + " random, ring_hash, peak_ewma"),
                    clusterErrors(CLUSTER + "lb_policy: ringhash\nhash_on: { header: x-user-id }"));
        }

        @Test
        void exactlyOneKey() {
            assertEquals(List.of("clusters[0].hash_on: needs one of header, cookie or source_ip, such as"
                            + " { header: x-user-id }"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: {}"));
            assertEquals(List.of("clusters[0].hash_on: needs one of header, cookie or source_ip, such as"
                            + " { header: x-user-id }"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on:"));
            assertEquals(List.of("clusters[0].hash_on: give only one of header, cookie or source_ip"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: { header: x-a, source_ip: true }"));
        }

        @Test
        void mustBeAMap() {
            assertEquals(List.of("clusters[0].hash_on: \"source_ip\": expected a map such as { header: x-user-id },"
                            + " { cookie: session } or { source_ip: true }"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: source_ip"));
        }

        @Test
        void namesMustBeTokens() {
            assertEquals(List.of("clusters[0].hash_on.header: \"x user\": not a valid header name"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: { header: x user }"));
            assertEquals(List.of("clusters[0].hash_on.cookie: \"\": not a valid cookie name"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: { cookie: \"\" }"));
            assertEquals(List.of("clusters[0].hash_on.header: 1: expected a header name such as x-user-id"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: { header: 1 }"));
        }

        @Test
        void sourceIpMustBeTrue() {
            assertEquals(List.of("clusters[0].hash_on.source_ip: false: must be true; to hash on something else"
                            + " give header or cookie instead"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: { source_ip: false }"));
            assertEquals(List.of("clusters[0].hash_on.source_ip: \"yes\": expected true"),
                    clusterErrors(CLUSTER + "lb_policy: ring_hash\nhash_on: { source_ip: yes }"));
        }
    }

    @Nested
    class PanicThreshold {

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 100})
        void zeroToHundred(int percent) throws ConfigException {
            assertEquals(percent, cluster(CLUSTER + "panic_threshold: " + percent).panicThreshold());
        }

        @Test
        void outOfRange() {
            assertEquals(List.of("clusters[0].panic_threshold: 101: must be 0-100"),
                    clusterErrors(CLUSTER + "panic_threshold: 101"));
            assertEquals(List.of("clusters[0].panic_threshold: -1: must be 0-100"),
                    clusterErrors(CLUSTER + "panic_threshold: -1"));
            assertEquals(List.of("clusters[0].panic_threshold: \"50%\": expected an integer"),
                    clusterErrors(CLUSTER + "panic_threshold: 50%"));
        }
    }

    @Nested
    class HealthCheck {

        @Test
        void httpWithDefaults() throws ConfigException {
            assertEquals(new HealthCheckConfig(Defaults.HEALTH_CHECK_INTERVAL, Defaults.HEALTH_CHECK_TIMEOUT,
                            Defaults.HEALTH_CHECK_UNHEALTHY_THRESHOLD, Defaults.HEALTH_CHECK_HEALTHY_THRESHOLD,
                            "/healthz", Defaults.HEALTH_CHECK_EXPECTED_STATUSES),
                    cluster(CLUSTER + "health_check: { http: { path: /healthz } }").healthCheck());
            assertEquals(new HealthCheckConfig(Duration.ofSeconds(5), Duration.ofSeconds(1), 3, 2, "/healthz",
                    List.of(200)), cluster(CLUSTER + "health_check: { http: { path: /healthz } }").healthCheck());
        }

        @Test
        void everyKeyGiven() throws ConfigException {
            HealthCheckConfig hc = cluster(CLUSTER + """
                    health_check:
                      interval: 2s
                      timeout: 10s
                      unhealthy_threshold: 1
                      healthy_threshold: 5
                      http: { path: "/ready?full=1", expected_statuses: [200, 204, 503] }
                    """).healthCheck();
            // a timeout longer than the interval is allowed: a slow probe delays the next one
            assertEquals(new HealthCheckConfig(Duration.ofSeconds(2), Duration.ofSeconds(10), 1, 5, "/ready?full=1",
                    List.of(200, 204, 503)), hc);
            assertEquals(true, hc.isHttp());
        }

        @Test
        void tcp() throws ConfigException {
            HealthCheckConfig hc = cluster(CLUSTER + "health_check: { interval: 1s, tcp: {} }").healthCheck();
            assertEquals(new HealthCheckConfig(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, 2, null, List.of()),
                    hc);
            assertEquals(false, hc.isHttp());
            assertEquals(hc, cluster(CLUSTER + "health_check:\n  interval: 1s\n  tcp:").healthCheck());
        }

        @Test
        void exactlyOneProbe() {
            assertEquals(List.of("clusters[0].health_check: missing a probe, expected http: { path: /healthz } or"
                    + " tcp: {}"), clusterErrors(CLUSTER + "health_check: { interval: 5s }"));
            assertEquals(List.of("clusters[0].health_check: missing a probe, expected http: { path: /healthz } or"
                    + " tcp: {}"), clusterErrors(CLUSTER + "health_check:"));
            assertEquals(List.of("clusters[0].health_check: give either http or tcp, not both"),
                    clusterErrors(CLUSTER + "health_check: { http: { path: /healthz }, tcp: {} }"));
        }

        @Test
        void mustBeMaps() {
            assertEquals(List.of("clusters[0].health_check: true: expected a map such as { interval: 5s, http:"
                            + " { path: /healthz } } or { interval: 5s, tcp: {} }"),
                    clusterErrors(CLUSTER + "health_check: true"));
            assertEquals(List.of("clusters[0].health_check.http: \"/healthz\": expected a map such as"
                            + " { path: /healthz, expected_statuses: [200] }"),
                    clusterErrors(CLUSTER + "health_check: { http: /healthz }"));
            assertEquals(List.of("clusters[0].health_check.tcp: true: expected {} (a connect probe has nothing to"
                    + " configure)"), clusterErrors(CLUSTER + "health_check: { tcp: true }"));
        }

        @Test
        void httpPath() {
            assertEquals(List.of("clusters[0].health_check.http.path: missing, expected a path starting with \"/\","
                            + " such as /healthz"),
                    clusterErrors(CLUSTER + "health_check: { http: {} }"));
            assertEquals(List.of("clusters[0].health_check.http.path: \"healthz\": must start with \"/\""),
                    clusterErrors(CLUSTER + "health_check: { http: { path: healthz } }"));
            assertEquals(List.of("clusters[0].health_check.http.path: \"/health check\": must not contain spaces,"
                            + " control or non-ASCII characters (percent-encode them)"),
                    clusterErrors(CLUSTER + "health_check: { http: { path: /health check } }"));
        }

        @Test
        void expectedStatuses() {
            assertEquals(List.of("clusters[0].health_check.http.expected_statuses[0]: 99: must be 100-599",
                            "clusters[0].health_check.http.expected_statuses[2]: 600: must be 100-599"),
                    clusterErrors(CLUSTER + "health_check: { http: { path: /h, expected_statuses: [99, 200, 600] } }"));
            assertEquals(List.of("clusters[0].health_check.http.expected_statuses[0]: \"200\": expected an HTTP"
                            + " status such as 200"),
                    clusterErrors(CLUSTER + "health_check: { http: { path: /h, expected_statuses: [\"200\"] } }"));
            assertEquals(List.of("clusters[0].health_check.http.expected_statuses: empty, expected a list of HTTP"
                            + " statuses such as [200, 204]"),
                    clusterErrors(CLUSTER + "health_check: { http: { path: /h, expected_statuses: [] } }"));
            assertEquals(List.of("clusters[0].health_check.http.expected_statuses: 200: expected a list of HTTP"
                            + " statuses such as [200, 204]"),
                    clusterErrors(CLUSTER + "health_check: { http: { path: /h, expected_statuses: 200 } }"));
        }

        @Test
        void thresholdsAreAtLeastOne() {
            assertEquals(List.of("clusters[0].health_check.unhealthy_threshold: 0: must be >= 1",
                            "clusters[0].health_check.healthy_threshold: 0: must be >= 1"),
                    clusterErrors(CLUSTER
                            + "health_check: { unhealthy_threshold: 0, healthy_threshold: 0, tcp: {} }"));
        }

        @Test
        void intervalAndTimeoutArePositive() {
            assertEquals(List.of("clusters[0].health_check.interval: \"0s\": must be > 0",
                            "clusters[0].health_check.timeout: \"0ms\": must be > 0"),
                    clusterErrors(CLUSTER + "health_check: { interval: 0s, timeout: 0ms, tcp: {} }"));
            assertEquals(List.of("clusters[0].health_check.interval: 5: expected a duration such as 250ms, 2s, 1m"),
                    clusterErrors(CLUSTER + "health_check: { interval: 5, tcp: {} }"));
        }
    }

    @Nested
    class OutlierDetection {

        @Test
        void anEmptyBlockTurnsEverythingOnWithDefaults() throws ConfigException {
            OutlierDetectionConfig expected = new OutlierDetectionConfig(5, 5, Duration.ofSeconds(10),
                    Duration.ofSeconds(30), Duration.ofSeconds(300), 10, new SuccessRate(5, 100, 1.9),
                    new FailurePercentage(85, 5, 50));
            assertEquals(expected, Defaults.OUTLIER_DETECTION);
            assertEquals(expected, cluster(CLUSTER + "outlier_detection: {}").outlierDetection());
            // entries all commented out: the block is still there
            assertEquals(expected, cluster(CLUSTER + "outlier_detection:\n#  consecutive_5xx: 5").outlierDetection());
        }

        @Test
        void detectorsCanBeTurnedOff() throws ConfigException {
            OutlierDetectionConfig od = cluster(CLUSTER + """
                    outlier_detection:
                      consecutive_5xx: 0
                      consecutive_gateway_failure: 0
                      success_rate: off
                      failure_percentage: off
                    """).outlierDetection();
            assertEquals(new OutlierDetectionConfig(0, 0, Duration.ofSeconds(10), Duration.ofSeconds(30),
                    Duration.ofSeconds(300), 10, null, null), od);
        }

        @Test
        void partialDetectorBlocksKeepTheOtherDefaults() throws ConfigException {
            OutlierDetectionConfig od = cluster(CLUSTER + """
                    outlier_detection:
                      success_rate: { minimum_hosts: 3, stdev_factor: 2 }
                      failure_percentage: { threshold: 50 }
                    """).outlierDetection();
            assertEquals(new SuccessRate(3, 100, 2.0), od.successRate());
            assertEquals(new FailurePercentage(50, 5, 50), od.failurePercentage());
        }

        @Test
        void offIsTheOnlyWordThatTurnsADetectorOff() {
            assertEquals(List.of("clusters[0].outlier_detection.success_rate: false: expected a map such as"
                            + " { minimum_hosts: 5, request_volume: 100, stdev_factor: 1.9 }, or off to turn it off",
                            "clusters[0].outlier_detection.failure_percentage: \"disabled\": expected a map such as"
                                    + " { threshold: 85, minimum_hosts: 5, request_volume: 50 }, or off to turn it off"),
                    clusterErrors(CLUSTER
                            + "outlier_detection: { success_rate: false, failure_percentage: disabled }"));
        }

        @Test
        void intervalsArePositive() {
            assertEquals(List.of("clusters[0].outlier_detection.interval: \"0s\": must be > 0",
                            "clusters[0].outlier_detection.base_ejection_time: \"0s\": must be > 0",
                            "clusters[0].outlier_detection.max_ejection_time: \"0s\": must be > 0"),
                    clusterErrors(CLUSTER
                            + "outlier_detection: { interval: 0s, base_ejection_time: 0s, max_ejection_time: 0s }"));
        }

        @Test
        void maxEjectionTimeIsAtLeastTheBase() {
            assertEquals(List.of("clusters[0].outlier_detection.max_ejection_time: \"10s\": must be >="
                            + " base_ejection_time (30s)"),
                    clusterErrors(CLUSTER + "outlier_detection: { max_ejection_time: 10s }"));
            assertEquals(List.of("clusters[0].outlier_detection.max_ejection_time: \"1m\": must be >="
                            + " base_ejection_time (1m30s)"),
                    clusterErrors(CLUSTER + "outlier_detection: { base_ejection_time: 90s, max_ejection_time: 1m }"));
        }

        @Test
        void maxEjectionTimeDefaultsToTheBaseWhenThatIsLonger() throws ConfigException {
            assertEquals(Duration.ofSeconds(400), cluster(CLUSTER + "outlier_detection: { base_ejection_time: 400s }")
                    .outlierDetection().maxEjectionTime());
            assertEquals(Duration.ofSeconds(300), cluster(CLUSTER + "outlier_detection: { base_ejection_time: 10s }")
                    .outlierDetection().maxEjectionTime());
            assertEquals(Duration.ofSeconds(30), cluster(CLUSTER + "outlier_detection: { max_ejection_time: 30s }")
                    .outlierDetection().maxEjectionTime());
        }

        @Test
        void ranges() {
            assertEquals(List.of("clusters[0].outlier_detection.consecutive_5xx: -1: must be >= 0",
                            "clusters[0].outlier_detection.consecutive_gateway_failure: -2: must be >= 0",
                            "clusters[0].outlier_detection.max_ejection_percent: 101: must be 0-100",
                            "clusters[0].outlier_detection.success_rate.minimum_hosts: 0: must be >= 1",
                            "clusters[0].outlier_detection.success_rate.request_volume: 0: must be >= 1",
                            "clusters[0].outlier_detection.failure_percentage.threshold: 101: must be 0-100",
                            "clusters[0].outlier_detection.failure_percentage.minimum_hosts: 0: must be >= 1",
                            "clusters[0].outlier_detection.failure_percentage.request_volume: 0: must be >= 1"),
                    clusterErrors(CLUSTER + """
                            outlier_detection:
                              consecutive_5xx: -1
                              consecutive_gateway_failure: -2
                              max_ejection_percent: 101
                              success_rate: { minimum_hosts: 0, request_volume: 0 }
                              failure_percentage: { threshold: 101, minimum_hosts: 0, request_volume: 0 }
                            """));
        }

        @Test
        void boundsAreAccepted() throws ConfigException {
            OutlierDetectionConfig od = cluster(CLUSTER + """
                    outlier_detection:
                      max_ejection_percent: 0
                      success_rate: { minimum_hosts: 1, request_volume: 1, stdev_factor: 0.01 }
                      failure_percentage: { threshold: 0, minimum_hosts: 1, request_volume: 1 }
                    """).outlierDetection();
            assertEquals(0, od.maxEjectionPercent());
            assertEquals(new SuccessRate(1, 1, 0.01), od.successRate());
            assertEquals(new FailurePercentage(0, 1, 1), od.failurePercentage());
            assertEquals(100, cluster(CLUSTER + "outlier_detection: { max_ejection_percent: 100 }")
                    .outlierDetection().maxEjectionPercent());
        }

        @Test
        void stdevFactorIsAPositiveNumber() {
            String prefix = "clusters[0].outlier_detection.success_rate.stdev_factor: ";
            assertEquals(List.of(prefix + "0: must be > 0"),
                    clusterErrors(CLUSTER + "outlier_detection: { success_rate: { stdev_factor: 0 } }"));
            assertEquals(List.of(prefix + "-1.5: must be > 0"),
                    clusterErrors(CLUSTER + "outlier_detection: { success_rate: { stdev_factor: -1.5 } }"));
            assertEquals(List.of(prefix + "\"1.9\": expected a number such as 0.5"),
                    clusterErrors(CLUSTER + "outlier_detection: { success_rate: { stdev_factor: \"1.9\" } }"));
            assertEquals(List.of(prefix + "Infinity: expected a finite number"),
                    clusterErrors(CLUSTER + "outlier_detection: { success_rate: { stdev_factor: .inf } }"));
        }

        @Test
        void mustBeAMap() {
            assertEquals(List.of("clusters[0].outlier_detection: \"on\": expected a map such as"
                            + " { consecutive_5xx: 5, base_ejection_time: 30s }"),
                    clusterErrors(CLUSTER + "outlier_detection: on"));
        }
    }

    @Nested
    class CircuitBreakers {

        @Test
        void partialBlockKeepsTheOtherDefaults() throws ConfigException {
            assertEquals(new CircuitBreakersConfig(10, 1024, 1024, 0, Duration.ofMillis(250)),
                    cluster(CLUSTER + "circuit_breakers: { max_connections: 10, max_retries: 0,"
                            + " pending_timeout: 250ms }").circuitBreakers());
            assertEquals(CircuitBreakersConfig.DEFAULT, cluster(CLUSTER + "circuit_breakers: {}").circuitBreakers());
        }

        @Test
        void limits() {
            assertEquals(List.of("clusters[0].circuit_breakers.max_connections: 0: must be >= 1",
                            "clusters[0].circuit_breakers.max_pending_requests: 0: must be >= 1",
                            "clusters[0].circuit_breakers.max_requests: 0: must be >= 1",
                            "clusters[0].circuit_breakers.max_retries: -1: must be >= 0",
                            "clusters[0].circuit_breakers.pending_timeout: \"0s\": must be > 0"),
                    clusterErrors(CLUSTER + "circuit_breakers: { max_connections: 0, max_pending_requests: 0,"
                            + " max_requests: 0, max_retries: -1, pending_timeout: 0s }"));
        }

        @Test
        void mustBeAMap() {
            assertEquals(List.of("clusters[0].circuit_breakers: 100: expected a map such as { max_connections: 1024,"
                            + " max_pending_requests: 1024, max_requests: 1024, max_retries: 3 }"),
                    clusterErrors(CLUSTER + "circuit_breakers: 100"));
        }
    }

    @Nested
    class RetryBudget {

        @Test
        void ratioIsAnIntegerOrADecimal() throws ConfigException {
            assertEquals(new RetryBudgetConfig(1.0, 10, Duration.ofSeconds(10)),
                    cluster(CLUSTER + "retry_budget: { retry_ratio: 1 }").retryBudget());
            assertEquals(new RetryBudgetConfig(0.001, 0, Duration.ofSeconds(1)),
                    cluster(CLUSTER + "retry_budget: { retry_ratio: 1e-3, min_retries_per_second: 0, ttl: 1s }")
                            .retryBudget());
            assertEquals(new RetryBudgetConfig(0.0, 10, Duration.ofSeconds(60)),
                    cluster(CLUSTER + "retry_budget: { retry_ratio: 0, ttl: 60s }").retryBudget());
            assertEquals(1000.0, cluster(CLUSTER + "retry_budget: { retry_ratio: 1000 }").retryBudget().retryRatio());
        }

        @Test
        void ratioIs0To1000() {
            assertEquals(List.of("clusters[0].retry_budget.retry_ratio: 1000.5: must be 0-1000"),
                    clusterErrors(CLUSTER + "retry_budget: { retry_ratio: 1000.5 }"));
            assertEquals(List.of("clusters[0].retry_budget.retry_ratio: -0.1: must be 0-1000"),
                    clusterErrors(CLUSTER + "retry_budget: { retry_ratio: -0.1 }"));
            assertEquals(List.of("clusters[0].retry_budget.retry_ratio: \"20%\": expected a number such as 0.5"),
                    clusterErrors(CLUSTER + "retry_budget: { retry_ratio: 20% }"));
            assertEquals(List.of("clusters[0].retry_budget.retry_ratio: NaN: expected a finite number"),
                    clusterErrors(CLUSTER + "retry_budget: { retry_ratio: .nan }"));
        }

        @Test
        void minRetriesPerSecondIsNotNegative() {
            assertEquals(List.of("clusters[0].retry_budget.min_retries_per_second: -1: must be >= 0"),
                    clusterErrors(CLUSTER + "retry_budget: { min_retries_per_second: -1 }"));
        }

        @Test
        void ttlIs1To60Seconds() {
            assertEquals(List.of("clusters[0].retry_budget.ttl: \"2m\": must be 1s-60s"),
                    clusterErrors(CLUSTER + "retry_budget: { ttl: 2m }"));
            assertEquals(List.of("clusters[0].retry_budget.ttl: \"999ms\": must be 1s-60s"),
                    clusterErrors(CLUSTER + "retry_budget: { ttl: 999ms }"));
            assertEquals(List.of("clusters[0].retry_budget.ttl: \"0s\": must be 1s-60s"),
                    clusterErrors(CLUSTER + "retry_budget: { ttl: 0s }"));
        }
    }

    @Nested
    class RouteRetry {

        private static final String PATH = "listeners[0].routes[0].retry";

        @Test
        void noBlockNoRetries() throws ConfigException {
            assertNull(route("cluster: api").retry());
        }

        @Test
        void anEmptyBlockRetriesWithTheDefaults() throws ConfigException {
            RetryPolicyConfig expected = new RetryPolicyConfig(Set.of(RetryOn.CONNECT_FAILURE,
                    RetryOn.REFUSED_STREAM), List.of(), 1, Duration.ZERO, Duration.ofMillis(25),
                    Duration.ofMillis(250), false, 64 * 1024);
            assertEquals(expected, Defaults.RETRY_POLICY);
            assertEquals(expected, route("cluster: api\nretry: {}").retry());
            assertEquals(expected, route("cluster: api\nretry:").retry());
        }

        @Test
        void everyKeyGiven() throws ConfigException {
            assertEquals(new RetryPolicyConfig(Set.of(RetryOn.RESET, RetryOn.RETRIABLE_STATUS_CODES),
                            List.of(429, 503), 10, Duration.ofSeconds(1), Duration.ofMillis(100),
                            Duration.ofSeconds(2), true, 1 << 20),
                    route("""
                            cluster: api
                            retry:
                              retry_on: [reset, retriable-status-codes, reset]
                              retriable_status_codes: [429, 503]
                              num_retries: 10
                              per_try_timeout: 1s
                              backoff: { base_interval: 100ms, max_interval: 2s }
                              retry_non_idempotent: true
                              max_buffered_body: 1MiB
                            """).retry());
        }

        @Test
        void everyCondition() throws ConfigException {
            assertEquals(Set.of(RetryOn.values()), route("""
                    cluster: api
                    retry:
                      retry_on: [5xx, gateway-error, connect-failure, reset, refused-stream, retriable-status-codes,
                                 cancelled, deadline-exceeded, internal, resource-exhausted, unavailable]
                      retriable_status_codes: [503]
                    """).retry().retryOn());
        }

        @Test
        void unknownConditionGetsTheNearest() {
            assertEquals(List.of(PATH + ".retry_on[2]: \"5xxx\": unknown condition, did you mean \"5xx\"?"),
                    routeErrors("cluster: api\nretry: { retry_on: [reset, connect-failure, 5xxx] }"));
            assertEquals(List.of(PATH + ".retry_on[0]: \"connect_failure\": unknown condition, did you mean"
                    + " \"connect-failure\"?"), routeErrors("cluster: api\nretry: { retry_on: [connect_failure] }"));
            assertEquals(List.of(PATH + ".retry_on[0]: \"teapot\": unknown condition (expected one of: 5xx,"
                            + " gateway-error, connect-failure, reset, refused-stream, retriable-status-codes,"
                            + " cancelled, deadline-exceeded, internal, resource-exhausted, unavailable)"),
                    routeErrors("cluster: api\nretry: { retry_on: [teapot] }"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"})
        void grpcConditionsAreAccepted(String condition) throws ConfigException {
            assertEquals(2, route("cluster: api\nretry: { retry_on: [5xx, " + condition + "] }").retry().retryOn()
                    .size());
        }

        @Test
        void aTypoOfAGrpcConditionSuggestsIt() {
            assertEquals(List.of(PATH + ".retry_on[0]: \"unavailble\": unknown condition, did you mean"
                    + " \"unavailable\"?"), routeErrors("cluster: api\nretry: { retry_on: [unavailble] }"));
        }

        @Test
        void aStatusInRetryOnSaysWhereStatusesGo() {
            assertEquals(List.of(PATH + ".retry_on[0]: 503: expected a condition such as 5xx; to retry on particular"
                            + " statuses, list them in retriable_status_codes and add retriable-status-codes here"),
                    routeErrors("cluster: api\nretry: { retry_on: [503] }"));
        }

        @Test
        void retryOnMustBeANonEmptyList() {
            assertEquals(List.of(PATH + ".retry_on: empty, expected a list of conditions such as [5xx,"
                            + " connect-failure] (a route without retry does not retry)"),
                    routeErrors("cluster: api\nretry: { retry_on: [] }"));
            assertEquals(List.of(PATH + ".retry_on: \"5xx\": expected a list of conditions such as [5xx,"
                    + " connect-failure]"), routeErrors("cluster: api\nretry: { retry_on: 5xx }"));
            assertEquals(List.of(PATH + ".retry_on[0]: expected a condition such as 5xx or connect-failure, got a"
                    + " list"), routeErrors("cluster: api\nretry: { retry_on: [[5xx]] }"));
        }

        @Test
        void retriableStatusCodesAndTheConditionComeTogether() {
            assertEquals(List.of(PATH + ".retriable_status_codes: missing, expected a list of HTTP statuses such as"
                            + " [503], because retry_on has retriable-status-codes"),
                    routeErrors("cluster: api\nretry: { retry_on: [retriable-status-codes] }"));
            assertEquals(List.of(PATH + ".retriable_status_codes: empty, expected a list of HTTP statuses such as"
                            + " [503], because retry_on has retriable-status-codes"),
                    routeErrors("cluster: api\nretry: { retry_on: [retriable-status-codes],"
                            + " retriable_status_codes: [] }"));
            assertEquals(List.of(PATH + ".retriable_status_codes: only used with retriable-status-codes in retry_on,"
                            + " which does not have it; add it there"),
                    routeErrors("cluster: api\nretry: { retry_on: [5xx], retriable_status_codes: [503] }"));
            assertEquals(List.of(PATH + ".retriable_status_codes: only used with retriable-status-codes in retry_on,"
                            + " which does not have it; add it there"),
                    routeErrors("cluster: api\nretry: { retriable_status_codes: [503] }"));
        }

        @Test
        void anEmptyStatusListWithoutTheConditionIsHarmless() throws ConfigException {
            assertEquals(List.of(), route("cluster: api\nretry: { retry_on: [5xx], retriable_status_codes: [] }")
                    .retry().retriableStatusCodes());
        }

        @Test
        void retriableStatusCodesAreStatuses() {
            assertEquals(List.of(PATH + ".retriable_status_codes[1]: 600: must be 100-599",
                            PATH + ".retriable_status_codes[2]: \"5xx\": expected an HTTP status such as 503"),
                    routeErrors("cluster: api\nretry: { retry_on: [retriable-status-codes],"
                            + " retriable_status_codes: [503, 600, 5xx] }"));
        }

        @Test
        void numRetriesIs0To10() throws ConfigException {
            assertEquals(0, route("cluster: api\nretry: { num_retries: 0 }").retry().numRetries());
            assertEquals(List.of(PATH + ".num_retries: 11: must be 0-10"),
                    routeErrors("cluster: api\nretry: { num_retries: 11 }"));
            assertEquals(List.of(PATH + ".num_retries: -1: must be 0-10"),
                    routeErrors("cluster: api\nretry: { num_retries: -1 }"));
        }

        @Test
        void perTryTimeout() throws ConfigException {
            assertEquals(Duration.ZERO, route("cluster: api\nretry: { per_try_timeout: 0s }").retry().perTryTimeout());
            assertEquals(Duration.ofMillis(500),
                    route("cluster: api\nretry: { per_try_timeout: 500ms }").retry().perTryTimeout());
            assertEquals(List.of(PATH + ".per_try_timeout: \"500\": missing unit, expected a duration such as 250ms,"
                    + " 2s, 1m"), routeErrors("cluster: api\nretry: { per_try_timeout: \"500\" }"));
        }

        @Test
        void backoffMaxDefaultsToTenTimesAGivenBase() throws ConfigException {
            RetryPolicyConfig r = route("cluster: api\nretry: { backoff: { base_interval: 100ms } }").retry();
            assertEquals(Duration.ofMillis(100), r.baseInterval());
            assertEquals(Duration.ofSeconds(1), r.maxInterval());
            r = route("cluster: api\nretry: { backoff: { max_interval: 1s } }").retry();
            assertEquals(Duration.ofMillis(25), r.baseInterval());
            assertEquals(Duration.ofSeconds(1), r.maxInterval());
            r = route("cluster: api\nretry: { backoff: {} }").retry();
            assertEquals(Duration.ofMillis(25), r.baseInterval());
            assertEquals(Duration.ofMillis(250), r.maxInterval());
            r = route("cluster: api\nretry: { backoff: { base_interval: 1s, max_interval: 1s } }").retry();
            assertEquals(Duration.ofSeconds(1), r.maxInterval());
        }

        @Test
        void backoffRules() {
            assertEquals(List.of(PATH + ".backoff.max_interval: \"50ms\": must be >= base_interval (100ms)"),
                    routeErrors("cluster: api\nretry: { backoff: { base_interval: 100ms, max_interval: 50ms } }"));
            assertEquals(List.of(PATH + ".backoff.max_interval: \"10ms\": must be >= base_interval (25ms)"),
                    routeErrors("cluster: api\nretry: { backoff: { max_interval: 10ms } }"));
            assertEquals(List.of(PATH + ".backoff.base_interval: \"0s\": must be > 0",
                            PATH + ".backoff.max_interval: \"0s\": must be > 0"),
                    routeErrors("cluster: api\nretry: { backoff: { base_interval: 0s, max_interval: 0s } }"));
            assertEquals(List.of(PATH + ".backoff: \"25ms\": expected a map such as { base_interval: 25ms,"
                    + " max_interval: 250ms }"), routeErrors("cluster: api\nretry: { backoff: 25ms }"));
        }

        @Test
        void retryNonIdempotentIsABoolean() {
            assertEquals(List.of(PATH + ".retry_non_idempotent: \"yes\": expected true or false"),
                    routeErrors("cluster: api\nretry: { retry_non_idempotent: yes }"));
        }

        @Test
        void maxBufferedBodyIsASize() throws ConfigException {
            assertEquals(512, route("cluster: api\nretry: { max_buffered_body: 512B }").retry().maxBufferedBody());
            assertEquals(65536, route("cluster: api\nretry: { max_buffered_body: 64KiB }").retry().maxBufferedBody());
            assertEquals(64 << 20, route("cluster: api\nretry: { max_buffered_body: 64MiB }").retry().maxBufferedBody());
            assertEquals(70000, route("cluster: api\nretry: { max_buffered_body: 70000 }").retry().maxBufferedBody());
            assertEquals(0, route("cluster: api\nretry: { max_buffered_body: 0 }").retry().maxBufferedBody());
        }

        @Test
        void maxBufferedBodyIs0To64MiB() {
            assertEquals(List.of(PATH + ".max_buffered_body: \"65MiB\": must be 0-64MiB"),
                    routeErrors("cluster: api\nretry: { max_buffered_body: 65MiB }"));
            assertEquals(List.of(PATH + ".max_buffered_body: \"1GiB\": must be 0-64MiB"),
                    routeErrors("cluster: api\nretry: { max_buffered_body: 1GiB }"));
            assertEquals(List.of(PATH + ".max_buffered_body: 67108865: must be 0-64MiB"),
                    routeErrors("cluster: api\nretry: { max_buffered_body: 67108865 }"));
            assertEquals(List.of(PATH + ".max_buffered_body: -1: must be 0-64MiB"),
                    routeErrors("cluster: api\nretry: { max_buffered_body: -1 }"));
            assertEquals(List.of(PATH + ".max_buffered_body: 99999999999999999999999: must be 0-64MiB"),
                    routeErrors("cluster: api\nretry: { max_buffered_body: 99999999999999999999999 }"));
        }

        @Test
        void maxBufferedBodySyntax() {
            assertEquals(List.of(PATH + ".max_buffered_body: \"64KB\": unknown unit \"KB\" (expected B, KiB, MiB"
                    + " or GiB)"), routeErrors("cluster: api\nretry: { max_buffered_body: 64KB }"));
            assertEquals(List.of(PATH + ".max_buffered_body: \"1.5MiB\": fractions are not supported, use a smaller"
                    + " unit such as 1536KiB for 1.5MiB"), routeErrors("cluster: api\nretry: { max_buffered_body: 1.5MiB }"));
            assertEquals(List.of(PATH + ".max_buffered_body: 1.5: expected a size such as 512B, 64KiB or 1MiB, or a"
                    + " number of bytes"), routeErrors("cluster: api\nretry: { max_buffered_body: 1.5 }"));
            assertEquals(List.of(PATH + ".max_buffered_body: \"64 KiB\": expected a size such as 512B, 64KiB or"
                    + " 1MiB, or a number of bytes"), routeErrors("cluster: api\nretry: { max_buffered_body: 64 KiB }"));
        }

        @Test
        void mustBeAMap() {
            assertEquals(List.of(PATH + ": true: expected a map such as { retry_on: [5xx, connect-failure],"
                    + " num_retries: 2 }"), routeErrors("cluster: api\nretry: true"));
        }
    }

    @Test
    void manyErrorsAreReportedTogetherEachAtItsPath() {
        assertEquals(List.of(
                        "listeners[0].routes[0].retry.retry_on[0]: \"5xxx\": unknown condition, did you mean \"5xx\"?",
                        "listeners[0].routes[0].retry.num_retries: 20: must be 0-10",
                        "clusters[0].hash_on: missing, lb_policy ring_hash needs a key to hash, expected a map such"
                                + " as { header: x-user-id }, { cookie: session } or { source_ip: true }",
                        "clusters[0].panic_threshold: 200: must be 0-100",
                        "clusters[0].health_check.http.path: \"healthz\": must start with \"/\"",
                        "clusters[0].outlier_detection.interval: \"0s\": must be > 0",
                        "clusters[0].circuit_breakers.max_requests: 0: must be >= 1",
                        "clusters[0].retry_budget.ttl: \"2m\": must be 1s-60s"),
                errors("""
                        listeners:
                          - name: ingress
                            address: 127.0.0.1:15001
                            routes:
                              - cluster: api
                                retry: { retry_on: [5xxx], num_retries: 20 }
                        clusters:
                          - name: api
                            endpoints: [ { address: 127.0.0.1:8081 } ]
                            lb_policy: ring_hash
                            panic_threshold: 200
                            health_check: { http: { path: healthz } }
                            outlier_detection: { interval: 0s }
                            circuit_breakers: { max_requests: 0 }
                            retry_budget: { ttl: 2m }
                        """));
    }
}
