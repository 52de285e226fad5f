package io.remora.core.metrics;

import io.netty.util.internal.PlatformDependent;
import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import io.remora.core.upstream.HostSet;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The proxy's metrics: one {@link ListenerStats} per listener, one {@link ClusterStats} per cluster, and process
 * figures; rendered as Prometheus text ({@link #prometheus()}) and as JSON ({@link #json()}) for the admin server.
 *
 * <p>Names follow Prometheus conventions (so {@code promtool check metrics} reports nothing): a {@code remora_}
 * prefix, {@code _total} on counters, base units in the name, latencies as histograms in seconds, and labels only
 * from {@code listener, cluster, host, code_class, flag, reason, result, limit, grpc_status}, each with a bounded
 * set of values.
 * Rendering runs on the admin thread; it reads counters and live cluster state without blocking the event loops.
 */
public final class MetricsRegistry {
    /** The {@code Content-Type} of {@link #prometheus()}. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The {@code grpc_status} label: the 17 canonical status names, then {@code OTHER} for codes past 16. */
    static final String[] GRPC_STATUS_LABELS = grpcStatusLabels();

    private static String[] grpcStatusLabels() {
        String[] names = io.remora.core.grpc.GrpcStatus.NAMES;
        String[] labels = java.util.Arrays.copyOf(names, names.length + 1);
        labels[names.length] = "OTHER";
        return labels;
    }

    private final LongSupplier nanoClock;
    private final long startNanos;
    private final long startEpochMillis;
    private final Map<String, ListenerStats> listenersByName = new ConcurrentHashMap<>();
    private final Map<String, ClusterStats> clustersByName = new ConcurrentHashMap<>();
    /** Creation order, for a stable rendering. */
    private final List<ListenerStats> listeners = new CopyOnWriteArrayList<>();
    private final List<ClusterStats> clusters = new CopyOnWriteArrayList<>();
    private final LongAdder reloadsOk = new LongAdder();
    private final LongAdder reloadsFailed = new LongAdder();
    private volatile int eventLoops;

    public MetricsRegistry() {
        this(System::nanoTime, System.currentTimeMillis());
    }

    /**
     * @param nanoClock        monotonic time, for the uptime
     * @param startEpochMillis wall-clock time of the start, for {@code remora_start_time_seconds}
     */
    public MetricsRegistry(LongSupplier nanoClock, long startEpochMillis) {
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.startEpochMillis = startEpochMillis;
    }

    /** The stats of listener {@code name}, created on first use; look it up once, not per request. */
    public ListenerStats listener(String name) {
        ListenerStats s = listenersByName.get(name);
        return s != null ? s : create(listenersByName, listeners, name, ListenerStats::new);
    }

    /** The stats of cluster {@code name}, created on first use; look it up once, not per request. */
    public ClusterStats cluster(String name) {
        ClusterStats s = clustersByName.get(name);
        return s != null ? s : create(clustersByName, clusters, name, ClusterStats::new);
    }

    private synchronized <T> T create(Map<String, T> byName, List<T> ordered, String name,
            java.util.function.Function<String, T> factory) {
        T s = byName.get(name);
        if (s == null) {
            s = factory.apply(name);
            byName.put(name, s);
            ordered.add(s);
        }
        return s;
    }

    /** A config reload was tried: {@code remora_config_reloads_total{result="success|failure"}}. */
    public void configReload(boolean ok) {
        (ok ? reloadsOk : reloadsFailed).increment();
    }

    /** The number of worker event loops, for {@code remora_event_loops}. */
    public void eventLoops(int n) {
        this.eventLoops = n;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    private double uptimeSeconds() {
        return (nanoClock.getAsLong() - startNanos) / 1e9;
    }

    // ---- Prometheus --------------------------------------------------------------------------------------

    /** Every family in the Prometheus text format 0.0.4. */
    public String prometheus() {
        StringBuilder sb = new StringBuilder(16 * 1024);
        writePrometheus(sb);
        return sb.toString();
    }

    public void writePrometheus(StringBuilder sb) {
        PrometheusText p = new PrometheusText(sb);
        writeProcess(p);
        writeListeners(p);
        writeClusters(p);
    }

    private void writeProcess(PrometheusText p) {
        p.family("remora_uptime_seconds", "gauge", "Seconds since the proxy started.")
                .sample("remora_uptime_seconds", uptimeSeconds());
        p.family("remora_start_time_seconds", "gauge", "Start time of the proxy, in seconds since the Unix epoch.")
                .sample("remora_start_time_seconds", startEpochMillis / 1000.0);
        p.family("remora_config_reloads_total", "counter", "Config reloads tried, by result.")
                .sample("remora_config_reloads_total", reloadsOk.sum(), "result", "success")
                .sample("remora_config_reloads_total", reloadsFailed.sum(), "result", "failure");
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        p.family("remora_jvm_heap_used_bytes", "gauge", "JVM heap in use.")
                .sample("remora_jvm_heap_used_bytes", heap.getUsed());
        p.family("remora_jvm_heap_committed_bytes", "gauge", "JVM heap committed by the operating system.")
                .sample("remora_jvm_heap_committed_bytes", heap.getCommitted());
        p.family("remora_jvm_heap_max_bytes", "gauge", "JVM heap limit (-1 when undefined).")
                .sample("remora_jvm_heap_max_bytes", heap.getMax());
        p.family("remora_direct_memory_used_bytes", "gauge",
                "Direct (off-heap) memory in use: Netty's buffers and the JDK's direct buffer pool.")
                .sample("remora_direct_memory_used_bytes", directMemoryUsed());
        p.family("remora_event_loops", "gauge", "Worker event loops serving connections.")
                .sample("remora_event_loops", eventLoops);
    }

    /** Netty's own direct allocations (counted when it bypasses the JDK's cleaner) plus the JDK's direct pool. */
    static long directMemoryUsed() {
        long netty = Math.max(0, PlatformDependent.usedDirectMemory());
        long jdk = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(pool.getName())) {
                jdk = Math.max(0, pool.getMemoryUsed());
            }
        }
        return netty + jdk;
    }

    private void writeListeners(PrometheusText p) {
        p.family("remora_downstream_connections_active", "gauge", "Open downstream connections.");
        for (ListenerStats l : listeners) {
            p.sample("remora_downstream_connections_active", l.connectionsActive(), "listener", l.name());
        }
        p.family("remora_downstream_connections_total", "counter", "Downstream connections accepted.");
        for (ListenerStats l : listeners) {
            p.sample("remora_downstream_connections_total", l.connectionsTotal(), "listener", l.name());
        }
        p.family("remora_downstream_connections_refused_total", "counter",
                "Downstream connections closed at once because the listener was at its max_connections.");
        for (ListenerStats l : listeners) {
            p.sample("remora_downstream_connections_refused_total", l.connectionsRefused(), "listener", l.name());
        }
        p.family("remora_downstream_requests_total", "counter", "Downstream requests answered, by status class.");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < CodeClass.LABELS.length; i++) {
                p.sample("remora_downstream_requests_total", l.requests(i), "listener", l.name(), "code_class",
                        CodeClass.LABELS[i]);
            }
        }
        p.family("remora_downstream_received_bytes_total", "counter", "Request bytes received from clients.");
        for (ListenerStats l : listeners) {
            p.sample("remora_downstream_received_bytes_total", l.bytesIn(), "listener", l.name());
        }
        p.family("remora_downstream_sent_bytes_total", "counter", "Response bytes sent to clients.");
        for (ListenerStats l : listeners) {
            p.sample("remora_downstream_sent_bytes_total", l.bytesOut(), "listener", l.name());
        }
        p.family("remora_downstream_rejected_requests_total", "counter",
                "Requests refused before routing (400 malformed, 408 head too slow, 414 line too long, 431 headers"
                        + " too large), by reason.");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < ListenerStats.REJECT_REASONS.length; i++) {
                p.sample("remora_downstream_rejected_requests_total", l.rejectedCount(i), "listener", l.name(),
                        "reason", ListenerStats.REJECT_REASONS[i]);
            }
        }
        p.family("remora_downstream_response_flags_total", "counter",
                "Responses carrying a response flag (x-remora-flags), by flag.");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < ListenerStats.FLAGS.length; i++) {
                p.sample("remora_downstream_response_flags_total", l.flagged(i), "listener", l.name(), "flag",
                        ListenerStats.FLAGS[i]);
            }
        }
        p.family("remora_downstream_grpc_requests_total", "counter",
                "gRPC calls answered, by the grpc-status the client got (from the upstream or Remora's own reply).");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < GRPC_STATUS_LABELS.length; i++) {
                p.sample("remora_downstream_grpc_requests_total", l.grpcCount(i), "listener", l.name(),
                        "grpc_status", GRPC_STATUS_LABELS[i]);
            }
        }
        p.family("remora_rate_limited_requests_total", "counter",
                "Requests refused 429 (flag RL) by a local rate limit, by whose limit: the listener's or a route's.");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < ListenerStats.RATE_LIMITS.length; i++) {
                p.sample("remora_rate_limited_requests_total", l.rateLimitedCount(i), "listener", l.name(), "limit",
                        ListenerStats.RATE_LIMITS[i]);
            }
        }
        p.family("remora_faults_injected_total", "counter",
                "Faults injected into requests by a route's fault config (flag FI), by kind.");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < ListenerStats.FAULTS.length; i++) {
                p.sample("remora_faults_injected_total", l.faultCount(i), "listener", l.name(), "reason",
                        ListenerStats.FAULTS[i]);
            }
        }
        p.family("remora_fallback_responses_total", "counter",
                "Static fallback responses served instead of Remora's own failure reply (flag FB), by the failure.");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < ListenerStats.FALLBACK_FLAGS.length; i++) {
                p.sample("remora_fallback_responses_total", l.fallbackCount(i), "listener", l.name(), "flag",
                        ListenerStats.FALLBACK_FLAGS[i]);
            }
        }
        p.family("remora_downstream_request_duration_seconds", "histogram",
                "Downstream request duration, from the request's first byte to the response's last.");
        for (ListenerStats l : listeners) {
            p.histogram("remora_downstream_request_duration_seconds", l.duration().snapshot(), "listener", l.name());
        }
        p.family("remora_tls_handshake_failures_total", "counter",
                "Inbound TLS handshakes refused, by reason.");
        for (ListenerStats l : listeners) {
            for (int i = 0; i < ListenerStats.TLS_REASONS.length; i++) {
                p.sample("remora_tls_handshake_failures_total", l.tlsFailures(i), "listener", l.name(), "reason",
                        ListenerStats.TLS_REASONS[i]);
            }
        }
        p.family("remora_plaintext_connections_total", "counter",
                "Plaintext connections a permissive TLS listener accepted.");
        for (ListenerStats l : listeners) {
            p.sample("remora_plaintext_connections_total", l.plaintextConnections(), "listener", l.name());
        }
        p.family("remora_tls_certificate_expiry_seconds", "gauge",
                "Seconds until the certificate a listener or cluster presents expires (negative once expired).");
        for (io.remora.core.tls.TlsContext t : tlsContexts.get()) {
            long s = t.secondsToExpiry();
            if (s != Long.MAX_VALUE) {
                p.sample("remora_tls_certificate_expiry_seconds", s, t.isServer() ? "listener" : "cluster",
                        t.name()); // (fix) the bare name, like every other listener/cluster label
            }
        }
        p.family("remora_access_log_dropped_total", "counter",
                "Access-log entries dropped because the writer's queue was full.");
        for (ListenerStats l : listeners) {
            p.sample("remora_access_log_dropped_total", l.accessLogDroppedCount(), "listener", l.name());
        }
    }

    /** Where the TLS contexts are found at scrape time (the server sets it; none by default). */
    private volatile java.util.function.Supplier<java.util.List<io.remora.core.tls.TlsContext>> tlsContexts =
            java.util.List::of;

    public void tlsContexts(java.util.function.Supplier<java.util.List<io.remora.core.tls.TlsContext>> supplier) {
        this.tlsContexts = supplier;
    }

    private void writeClusters(PrometheusText p) {
        p.family("remora_upstream_requests_total", "counter", "Upstream responses received, by status class.");
        for (ClusterStats c : clusters) {
            for (int i = 0; i < CodeClass.LABELS.length; i++) {
                p.sample("remora_upstream_requests_total", c.responses(i), "cluster", c.name(), "code_class",
                        CodeClass.LABELS[i]);
            }
        }
        counter(p, "remora_upstream_attempts_total", "Upstream attempts (first tries and retries).",
                ClusterStats::attempts);
        counter(p, "remora_upstream_retries_total", "Retries granted.", ClusterStats::retries);
        counter(p, "remora_upstream_retries_denied_total",
                "Retries wanted but refused (retry budget, max_retries, attempts or time exhausted): flag URX.",
                ClusterStats::retriesDenied);
        counter(p, "remora_upstream_timeouts_total", "Upstream attempts that timed out (per-try or route timeout).",
                ClusterStats::timeouts);
        counter(p, "remora_upstream_connect_failures_total", "Upstream connections that could not be made.",
                ClusterStats::connectFailures);
        counter(p, "remora_upstream_tls_failures_total",
                "Upstream TLS handshakes that failed (wrong identity, unknown CA, ...); also connect failures.",
                ClusterStats::tlsFailureCount);
        p.family("remora_upstream_grpc_responses_total", "counter",
                "gRPC responses from upstreams, by grpc-status (trailers-only responses and trailers).");
        for (ClusterStats c : clusters) {
            for (int i = 0; i < GRPC_STATUS_LABELS.length; i++) {
                p.sample("remora_upstream_grpc_responses_total", c.grpcCount(i), "cluster", c.name(), "grpc_status",
                        GRPC_STATUS_LABELS[i]);
            }
        }
        p.family("remora_upstream_request_duration_seconds", "histogram",
                "Upstream attempt duration, from sending the request to the end of the response.");
        for (ClusterStats c : clusters) {
            p.histogram("remora_upstream_request_duration_seconds", c.attemptDuration().snapshot(), "cluster",
                    c.name());
        }
        p.family("remora_upstream_ejections_total", "counter", "Hosts ejected by outlier detection, by detector.");
        for (ClusterStats c : clusters) {
            for (int i = 0; i < ClusterStats.EJECTION_REASONS.length; i++) {
                p.sample("remora_upstream_ejections_total", c.ejections(i), "cluster", c.name(), "reason",
                        ClusterStats.EJECTION_REASONS[i]);
            }
            if (c.otherEjections() > 0) {
                p.sample("remora_upstream_ejections_total", c.otherEjections(), "cluster", c.name(), "reason",
                        "other");
            }
        }
        List<ClusterStats> bound = new ArrayList<>();
        for (ClusterStats c : clusters) {
            if (c.cluster() != null) {
                bound.add(c);
            }
        }
        p.family("remora_circuit_breaker_overflows_total", "counter",
                "Requests refused by a circuit-breaker limit (503 UO, or a retry not taken), by limit.");
        for (ClusterStats c : bound) {
            CircuitBreaker b = c.cluster().breaker();
            for (CircuitBreaker.Kind k : CircuitBreaker.Kind.values()) {
                p.sample("remora_circuit_breaker_overflows_total", b.overflows(k), "cluster", c.name(), "limit",
                        k.configName());
            }
        }
        breakerGauge(p, bound, "remora_upstream_pending_requests", "Requests waiting for an upstream connection.",
                CircuitBreaker.Kind.PENDING_REQUESTS);
        breakerGauge(p, bound, "remora_upstream_active_requests", "Upstream requests in flight.",
                CircuitBreaker.Kind.REQUESTS);
        breakerGauge(p, bound, "remora_upstream_active_connections", "Open upstream connections.",
                CircuitBreaker.Kind.CONNECTIONS);
        breakerGauge(p, bound, "remora_upstream_active_retries", "Retries in flight.", CircuitBreaker.Kind.RETRIES);
        List<HostCounts> counts = new ArrayList<>();
        for (ClusterStats c : bound) {
            counts.add(HostCounts.of(c.cluster()));
        }
        hostGauge(p, bound, counts, "remora_upstream_hosts", "Hosts in the cluster.", HostCounts::total);
        hostGauge(p, bound, counts, "remora_upstream_healthy_hosts", "Hosts passing active health checks.",
                HostCounts::healthy);
        hostGauge(p, bound, counts, "remora_upstream_ejected_hosts", "Hosts ejected by outlier detection.",
                HostCounts::ejected);
        hostGauge(p, bound, counts, "remora_upstream_available_hosts",
                "Hosts the balancer may pick: healthy and not ejected.", HostCounts::available);
        hostGauge(p, bound, counts, "remora_upstream_panic_mode",
                "1 while fewer than panic_threshold percent of hosts are available and all hosts take traffic.",
                h -> h.panic() ? 1 : 0);
        p.family("remora_retry_budget_remaining", "gauge", "Retries the cluster's retry budget would allow now.");
        for (ClusterStats c : bound) {
            p.sample("remora_retry_budget_remaining", c.cluster().retryBudget().available(), "cluster", c.name());
        }
        writeHosts(p, bound);
    }

    private void writeHosts(PrometheusText p, List<ClusterStats> bound) {
        // a member listed twice is two hosts with one address: one series per address, so none is duplicated
        List<Map<String, long[]>> perCluster = new ArrayList<>();
        for (ClusterStats c : bound) {
            Map<String, long[]> byAddress = new LinkedHashMap<>();
            for (Host h : c.cluster().hostSet().hosts()) {
                long[] v = byAddress.computeIfAbsent(h.addressString(), k -> new long[5]);
                v[0] += h.successes();
                v[1] += h.failures();
                v[2] += h.activeRequests();
                v[3] = Math.max(v[3], h.outlier().isEjected() ? 1 : 0);
                v[4] = Math.max(v[4], h.isHealthy() ? 1 : 0);
            }
            perCluster.add(byAddress);
        }
        p.family("remora_upstream_host_attempts_total", "counter",
                "Attempts per host since it joined, by result (failure: 5xx or no usable response).");
        for (int i = 0; i < bound.size(); i++) {
            for (Map.Entry<String, long[]> e : perCluster.get(i).entrySet()) {
                String cluster = bound.get(i).name();
                p.sample("remora_upstream_host_attempts_total", e.getValue()[0], "cluster", cluster, "host",
                        e.getKey(), "result", "success");
                p.sample("remora_upstream_host_attempts_total", e.getValue()[1], "cluster", cluster, "host",
                        e.getKey(), "result", "failure");
            }
        }
        hostSeries(p, bound, perCluster, "remora_upstream_host_active_requests", "Requests in flight per host.", 2);
        hostSeries(p, bound, perCluster, "remora_upstream_host_ejected", "1 while the host is ejected.", 3);
        hostSeries(p, bound, perCluster, "remora_upstream_host_healthy",
                "1 while the host passes active health checks (always 1 without health checks).", 4);
    }

    private static void hostSeries(PrometheusText p, List<ClusterStats> bound, List<Map<String, long[]>> perCluster,
            String name, String help, int index) {
        p.family(name, "gauge", help);
        for (int i = 0; i < bound.size(); i++) {
            for (Map.Entry<String, long[]> e : perCluster.get(i).entrySet()) {
                p.sample(name, e.getValue()[index], "cluster", bound.get(i).name(), "host", e.getKey());
            }
        }
    }

    private void counter(PrometheusText p, String name, String help,
            java.util.function.ToLongFunction<ClusterStats> value) {
        p.family(name, "counter", help);
        for (ClusterStats c : clusters) {
            p.sample(name, value.applyAsLong(c), "cluster", c.name());
        }
    }

    private static void breakerGauge(PrometheusText p, List<ClusterStats> bound, String name, String help,
            CircuitBreaker.Kind kind) {
        p.family(name, "gauge", help);
        for (ClusterStats c : bound) {
            p.sample(name, c.cluster().breaker().current(kind), "cluster", c.name());
        }
    }

    private static void hostGauge(PrometheusText p, List<ClusterStats> bound, List<HostCounts> counts, String name,
            String help, java.util.function.ToLongFunction<HostCounts> value) {
        p.family(name, "gauge", help);
        for (int i = 0; i < bound.size(); i++) {
            p.sample(name, value.applyAsLong(counts.get(i)), "cluster", bound.get(i).name());
        }
    }

    /** One reading of a cluster's membership. */
    private record HostCounts(long total, long healthy, long ejected, long available, boolean panic) {
        static HostCounts of(Cluster c) {
            HostSet s = c.hostSet();
            long healthy = 0;
            long ejected = 0;
            for (Host h : s.hosts()) {
                healthy += h.isHealthy() ? 1 : 0;
                ejected += h.outlier().isEjected() ? 1 : 0;
            }
            return new HostCounts(s.hosts().size(), healthy, ejected, s.available(), s.panic());
        }
    }

    // ---- JSON --------------------------------------------------------------------------------------------

    /** The same figures as {@link #prometheus()}, as one JSON document, with latency percentiles added. */
    public String json() {
        JsonWriter w = JsonWriter.pretty();
        writeJson(w);
        return w.toString();
    }

    public void writeJson(JsonWriter w) {
        w.beginObject();
        w.name("process").beginObject();
        w.field("uptime_seconds", Math.round(uptimeSeconds() * 1000) / 1000.0);
        w.field("start_time", Instant.ofEpochMilli(startEpochMillis).toString());
        w.name("config_reloads").beginObject().field("success", reloadsOk.sum())
                .field("failure", reloadsFailed.sum()).endObject();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        w.field("jvm_heap_used_bytes", heap.getUsed());
        w.field("jvm_heap_committed_bytes", heap.getCommitted());
        w.field("jvm_heap_max_bytes", heap.getMax());
        w.field("direct_memory_used_bytes", directMemoryUsed());
        w.field("event_loops", eventLoops);
        w.endObject();

        w.name("listeners").beginArray();
        for (ListenerStats l : listeners) {
            w.beginObject();
            w.field("name", l.name());
            w.field("connections_active", l.connectionsActive());
            w.field("connections_total", l.connectionsTotal());
            w.field("connections_refused", l.connectionsRefused());
            w.name("requests").beginObject();
            long total = 0;
            for (int i = 0; i < CodeClass.LABELS.length; i++) {
                long n = l.requests(i);
                total += n;
                w.field(CodeClass.LABELS[i], n);
            }
            w.field("total", total).endObject();
            w.field("received_bytes", l.bytesIn());
            w.field("sent_bytes", l.bytesOut());
            w.name("rejected").beginObject();
            for (int i = 0; i < ListenerStats.REJECT_REASONS.length; i++) {
                w.field(ListenerStats.REJECT_REASONS[i], l.rejectedCount(i));
            }
            w.endObject();
            w.name("response_flags").beginObject();
            for (int i = 0; i < ListenerStats.FLAGS.length; i++) {
                w.field(ListenerStats.FLAGS[i], l.flagged(i));
            }
            w.endObject();
            w.name("rate_limited").beginObject();
            for (int i = 0; i < ListenerStats.RATE_LIMITS.length; i++) {
                w.field(ListenerStats.RATE_LIMITS[i], l.rateLimitedCount(i));
            }
            w.endObject();
            w.name("faults_injected").beginObject();
            for (int i = 0; i < ListenerStats.FAULTS.length; i++) {
                w.field(ListenerStats.FAULTS[i], l.faultCount(i));
            }
            w.endObject();
            w.name("fallbacks").beginObject();
            for (int i = 0; i < ListenerStats.FALLBACK_FLAGS.length; i++) {
                w.field(ListenerStats.FALLBACK_FLAGS[i], l.fallbackCount(i));
            }
            w.endObject();
            w.field("access_log_dropped", l.accessLogDroppedCount());
            w.name("request_duration");
            latency(w, l.duration().snapshot());
            w.endObject();
        }
        w.endArray();

        w.name("clusters").beginArray();
        for (ClusterStats c : clusters) {
            w.beginObject();
            w.field("name", c.name());
            w.name("responses").beginObject();
            long total = 0;
            for (int i = 0; i < CodeClass.LABELS.length; i++) {
                long n = c.responses(i);
                total += n;
                w.field(CodeClass.LABELS[i], n);
            }
            w.field("total", total).endObject();
            w.field("attempts", c.attempts());
            w.field("retries", c.retries());
            w.field("retries_denied", c.retriesDenied());
            w.field("timeouts", c.timeouts());
            w.field("connect_failures", c.connectFailures());
            w.name("ejections").beginObject();
            for (int i = 0; i < ClusterStats.EJECTION_REASONS.length; i++) {
                w.field(ClusterStats.EJECTION_REASONS[i], c.ejections(i));
            }
            if (c.otherEjections() > 0) {
                w.field("other", c.otherEjections());
            }
            w.endObject();
            w.name("attempt_duration");
            latency(w, c.attemptDuration().snapshot());
            Cluster live = c.cluster();
            if (live != null) {
                CircuitBreaker b = live.breaker();
                w.field("pending_requests", b.current(CircuitBreaker.Kind.PENDING_REQUESTS));
                w.field("active_requests", b.current(CircuitBreaker.Kind.REQUESTS));
                w.field("active_connections", b.current(CircuitBreaker.Kind.CONNECTIONS));
                w.field("active_retries", b.current(CircuitBreaker.Kind.RETRIES));
                w.name("circuit_breakers").beginObject();
                for (CircuitBreaker.Kind k : CircuitBreaker.Kind.values()) {
                    w.name(k.configName()).beginObject().field("in_use", b.current(k)).field("max", b.max(k))
                            .field("overflows", b.overflows(k)).endObject();
                }
                w.endObject();
                HostCounts h = HostCounts.of(live);
                w.name("hosts").beginObject().field("total", h.total()).field("healthy", h.healthy())
                        .field("ejected", h.ejected()).field("available", h.available()).field("panic", h.panic())
                        .endObject();
                w.field("retry_budget_remaining", live.retryBudget().available());
            }
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }

    private static void latency(JsonWriter w, LatencyHistogram.Snapshot s) {
        w.beginObject();
        w.field("count", s.count());
        w.field("sum_seconds", s.sumNanos() / 1e9);
        w.field("p50_ms", millis(s.p50Nanos()));
        w.field("p90_ms", millis(s.p90Nanos()));
        w.field("p99_ms", millis(s.p99Nanos()));
        w.field("p999_ms", millis(s.p999Nanos()));
        w.field("max_ms", millis(s.maxNanos()));
        w.name("buckets").beginObject();
        long[] b = s.cumulativeBuckets();
        for (int i = 0; i < b.length; i++) {
            w.field(i < LatencyHistogram.BUCKET_LABELS.length ? LatencyHistogram.BUCKET_LABELS[i] : "+Inf", b[i]);
        }
        w.endObject();
        w.endObject();
    }

    /** Milliseconds with microsecond precision. */
    private static double millis(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }
}
