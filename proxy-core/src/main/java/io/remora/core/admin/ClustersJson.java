package io.remora.core.admin;

import io.remora.core.breaker.CircuitBreaker;
import io.remora.core.metrics.JsonWriter;
import io.remora.core.outlier.OutlierDetector;
import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import io.remora.core.upstream.HostOutlierState;
import io.remora.core.upstream.HostSet;
import java.time.Instant;
import java.util.Collection;

/**
 * {@code GET /clusters}: every cluster and every host in it, as the balancers see them now — health-check state,
 * ejection (until when and why), requests in flight, latency estimate and success rates.
 */
final class ClustersJson {
    private ClustersJson() {
    }

    /**
     * @param nowEpochMillis wall-clock time now, to turn the cluster clock's ejection deadlines into timestamps
     */
    static void write(JsonWriter w, Collection<Cluster> clusters, long nowEpochMillis) {
        w.beginObject();
        w.name("clusters").beginArray();
        for (Cluster c : clusters) {
            writeCluster(w, c, nowEpochMillis);
        }
        w.endArray();
        w.endObject();
    }

    private static void writeCluster(JsonWriter w, Cluster c, long nowEpochMillis) {
        long now = c.nanoTime();
        HostSet s = c.hostSet();
        w.beginObject();
        w.field("name", c.name());
        w.field("lb_policy", c.config().lbPolicy().configName());
        w.field("health_checks", c.config().healthCheck() != null);
        w.field("outlier_detection", c.outlierDetector() != null);
        w.field("hosts_total", s.hosts().size());
        w.field("hosts_available", s.available());
        w.field("panic", s.panic());
        if (s.levels().size() > 1) {
            // priority failover: how the levels share the traffic now
            w.name("priorities").beginArray();
            for (HostSet.Level l : s.levels()) {
                w.beginObject().field("priority", l.priority()).field("hosts", l.hosts().size())
                        .field("available", l.available()).field("load_percent", l.loadPercent())
                        .field("panic", l.panic()).endObject();
            }
            w.endArray();
        }
        CircuitBreaker b = c.breaker();
        w.name("circuit_breakers").beginObject();
        for (CircuitBreaker.Kind k : CircuitBreaker.Kind.values()) {
            w.name(k.configName()).beginObject().field("in_use", b.current(k)).field("max", b.max(k))
                    .field("overflows", b.overflows(k)).endObject();
        }
        w.endObject();
        w.field("retry_budget_remaining", c.retryBudget().available());
        OutlierDetector od = c.outlierDetector();
        if (od != null) {
            w.field("ejected_now", od.ejectedCount());
        }
        w.name("hosts").beginArray();
        for (Host h : s.hosts()) {
            writeHost(w, c, s, h, now, nowEpochMillis);
        }
        w.endArray();
        w.endObject();
    }

    private static void writeHost(JsonWriter w, Cluster c, HostSet s, Host h, long now, long nowEpochMillis) {
        w.beginObject();
        w.field("address", h.addressString());
        w.field("endpoint", h.endpoint());
        w.field("weight", h.weight());
        w.field("priority", h.priority());
        if (h.rampStart() != Host.NOT_RAMPING && c.config().slowStart() != null) {
            // slow start: the share of its weight the host is balanced with in the current snapshot
            w.field("slow_start_elapsed_ms", Math.max(0, (now - h.rampStart()) / 1_000_000));
            w.field("slow_start_weight_percent", Math.round(100.0 * s.weightOf(h)
                    / (h.weight() * (double) io.remora.core.lb.SlowStart.SCALE)));
        }
        w.field("available", h.isAvailable());
        w.field("health", healthState(c, h));
        w.field("health_reason", h.unhealthyReason());
        HostOutlierState o = h.outlier();
        long until = o.ejectedUntil();
        boolean ejected = until != 0;
        w.field("ejected", ejected);
        if (ejected) {
            long remainingMillis = Math.max(0, (until - now) / 1_000_000);
            w.field("ejected_until", Instant.ofEpochMilli(nowEpochMillis + remainingMillis).toString());
            w.field("ejection_remaining_ms", remainingMillis);
            w.field("ejection_reason", o.ejectionReason());
        } else {
            w.name("ejected_until").nullValue();
            w.name("ejection_remaining_ms").nullValue();
            w.name("ejection_reason").nullValue();
        }
        w.field("ejections", o.ejections());
        w.field("active_requests", h.activeRequests());
        w.field("ewma_latency_ms", Math.round(h.ewma().estimateNanos(now) / 1000.0) / 1000.0);
        long ok = h.successes();
        long failed = h.failures();
        w.field("successes", ok);
        w.field("failures", failed);
        if (ok + failed > 0) {
            w.field("success_rate_percent", Math.round(1000.0 * ok / (ok + failed)) / 10.0);
        } else {
            w.name("success_rate_percent").nullValue();
        }
        double recent = o.lastSuccessRate();
        if (recent >= 0) {
            w.field("recent_success_rate_percent", Math.round(recent * 10) / 10.0);
        } else {
            // measured per outlier-detection interval, and only with enough requests in it
            w.name("recent_success_rate_percent").nullValue();
        }
        w.endObject();
    }

    /** {@code healthy}, {@code unhealthy}, {@code pending} (before the first probe) or {@code unchecked}. */
    static String healthState(Cluster c, Host h) {
        if (c.config().healthCheck() == null) {
            return "unchecked";
        }
        if (h.isHealthy()) {
            return "healthy";
        }
        return Cluster.PENDING_FIRST_CHECK.equals(h.unhealthyReason()) ? "pending" : "unhealthy";
    }
}
