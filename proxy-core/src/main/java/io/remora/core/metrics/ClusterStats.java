package io.remora.core.metrics;

import io.remora.core.outlier.OutlierDetector;
import io.remora.core.upstream.Cluster;
import java.util.concurrent.atomic.LongAdder;

/**
 * One cluster's upstream metrics. The recording methods are wait-free and allocation-free, for the event loops;
 * fetch the instance once (it is cached by name in {@link MetricsRegistry#cluster}), not per request.
 *
 * <p>Gauges (pending requests, active connections, host counts) and the circuit breaker's overflow counts are
 * not recorded here but read at scrape time from the running {@link Cluster} given to {@link #bind}.
 */
public final class ClusterStats {
    /** The {@code reason} label of ejections: the outlier detectors, a bounded set. */
    static final String[] EJECTION_REASONS = {OutlierDetector.CONSECUTIVE_5XX,
        OutlierDetector.CONSECUTIVE_GATEWAY_FAILURE, OutlierDetector.SUCCESS_RATE,
        OutlierDetector.FAILURE_PERCENTAGE};

    private final String name;
    private final LongAdder attempts = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder retriesDenied = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder[] responses = CodeClass.adders();
    /** One per {@link #EJECTION_REASONS}, then one for a reason outside the set (never expected). */
    private final LongAdder[] ejections = ListenerStats.adders(EJECTION_REASONS.length + 1);
    private final LatencyHistogram attemptDuration = new LatencyHistogram();
    private volatile Cluster cluster;

    private final java.util.concurrent.atomic.LongAdder tlsFailures = new java.util.concurrent.atomic.LongAdder();

    ClusterStats(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /**
     * Reads gauges from {@code cluster} from now on and counts its outlier ejections by reason (registering with
     * its {@link OutlierDetector}, if it has one). Call again with the new instance if the cluster is rebuilt.
     */
    public void bind(Cluster cluster) {
        this.cluster = cluster;
        OutlierDetector od = cluster.outlierDetector();
        if (od != null) {
            od.onEjection(this::ejection);
        }
    }

    /** The running cluster bound to these stats, or null. */
    public Cluster cluster() {
        return cluster;
    }

    /** An attempt (first try or retry) was sent to a host, or tried to be. */
    public void attempt() {
        attempts.increment();
    }

    /** A retry was granted (counted in addition to its {@link #attempt}). */
    public void retry() {
        retries.increment();
    }

    /** A wanted retry was refused (budget, breaker, attempts or time left): the response carries {@code URX}. */
    public void retryDenied() {
        retriesDenied.increment();
    }

    /** An attempt timed out (per-try or route timeout) before its response ended. */
    public void timeout() {
        timeouts.increment();
    }

    /** A connection to a host could not be made (refused, connect timeout). */
    /** An upstream TLS handshake failed (also counted as a connect failure). */
    public void tlsFailure() {
        tlsFailures.increment();
    }

    long tlsFailureCount() {
        return tlsFailures.sum();
    }

    public void connectFailure() {
        connectFailures.increment();
    }

    /**
     * An upstream answered an attempt: counted by status class, with the attempt's duration from sending the
     * request to the end of the response (or to the response head, if that is all the caller knows).
     */
    public void upstreamResponse(int status, long attemptNanos) {
        responses[CodeClass.index(status)].increment();
        attemptDuration.record(attemptNanos);
    }

    /**
     * A host was ejected; {@code reason} is one of {@link OutlierDetector#CONSECUTIVE_5XX},
     * {@link OutlierDetector#CONSECUTIVE_GATEWAY_FAILURE}, {@link OutlierDetector#SUCCESS_RATE},
     * {@link OutlierDetector#FAILURE_PERCENTAGE} (anything else is counted as {@code other}).
     */
    public void ejection(String reason) {
        for (int i = 0; i < EJECTION_REASONS.length; i++) {
            if (EJECTION_REASONS[i].equals(reason)) {
                ejections[i].increment();
                return;
            }
        }
        ejections[EJECTION_REASONS.length].increment();
    }

    /** Per gRPC status 0-16 (the {@code grpc_status} label), then one for codes past 16. */
    private final LongAdder[] grpc = ListenerStats.adders(io.remora.core.grpc.GrpcStatus.NAMES.length + 1);

    /** An upstream answered a gRPC call with {@code code} (from a trailers-only response or the trailers). */
    public void grpcResponse(int code) {
        grpc[code >= 0 && code < io.remora.core.grpc.GrpcStatus.NAMES.length ? code
                : io.remora.core.grpc.GrpcStatus.NAMES.length].increment();
    }

    long grpcCount(int code) {
        return grpc[code].sum();
    }

    // ---- read at scrape time -----------------------------------------------------------------------------

    long attempts() {
        return attempts.sum();
    }

    long retries() {
        return retries.sum();
    }

    long retriesDenied() {
        return retriesDenied.sum();
    }

    long timeouts() {
        return timeouts.sum();
    }

    long connectFailures() {
        return connectFailures.sum();
    }

    long responses(int codeClassIndex) {
        return responses[codeClassIndex].sum();
    }

    long ejections(int reasonIndex) {
        return ejections[reasonIndex].sum();
    }

    long otherEjections() {
        return ejections[EJECTION_REASONS.length].sum();
    }

    LatencyHistogram attemptDuration() {
        return attemptDuration;
    }
}
