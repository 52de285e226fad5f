package io.remora.cli;

import io.remora.core.upstream.Cluster;
import io.remora.core.upstream.Host;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's traffic and its live table: a fixed rate of GETs through Remora for a bounded time, and once a
 * second the client's success rate next to each host's requests, success rate, latency estimate and state, so
 * ejection and latency-aware balancing can be watched as they happen.
 */
final class DemoLoad implements AutoCloseable {
    private final URI target;
    private final int ratePerSecond;
    private final Duration duration;
    private final Cluster cluster;
    private final Map<Integer, String> names;
    private final PrintWriter out;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "remora-demo-load");
        t.setDaemon(true);
        return t;
    });
    private final Semaphore inFlight = new Semaphore(64);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long lastOk;
    private long lastFailed;
    private long started;

    /** @param names backend name per port, for the table */
    DemoLoad(URI target, int ratePerSecond, Duration duration, Cluster cluster, Map<Integer, String> names,
            PrintWriter out) {
        this.target = target;
        this.ratePerSecond = ratePerSecond;
        this.duration = duration;
        this.cluster = cluster;
        this.names = names;
        this.out = out;
    }

    void start() {
        started = System.nanoTime();
        long periodMicros = 1_000_000L / ratePerSecond;
        var sending = timer.scheduleAtFixedRate(this::send, 0, periodMicros, TimeUnit.MICROSECONDS);
        var printing = timer.scheduleAtFixedRate(this::print, 1, 1, TimeUnit.SECONDS);
        timer.schedule(() -> {
            sending.cancel(false);
            timer.schedule(() -> {
                printing.cancel(false);
                print();
                out.println("Load finished after " + duration.toSeconds() + " s; Remora keeps serving until Ctrl-C.");
                out.flush();
            }, 1, TimeUnit.SECONDS);
        }, duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void send() {
        if (!inFlight.tryAcquire()) {
            failed.incrementAndGet(); // the client would have waited: count it against Remora
            return;
        }
        client.sendAsync(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding())
                .whenComplete((r, e) -> {
                    inFlight.release();
                    (e == null && r.statusCode() == 200 ? ok : failed).incrementAndGet();
                });
    }

    private synchronized void print() { // the demo's own timer thread only; nothing on the proxy's path
        long okNow = ok.get();
        long failedNow = failed.get();
        long total = okNow + failedNow;
        long window = okNow - lastOk + failedNow - lastFailed;
        long windowOk = okNow - lastOk;
        lastOk = okNow;
        lastFailed = failedNow;
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        out.printf("%n[%3ds] client: %d requests, %s ok overall, %s in the last second (%d/%d)%n", seconds, total,
                pct(okNow, total), pct(windowOk, window), windowOk, window);
        out.printf("  %-10s %-16s %9s %8s %10s  %s%n", "backend", "address", "attempts", "success", "ewma",
                "state");
        long now = cluster.nanoTime();
        for (Host h : cluster.hostSet().hosts()) {
            long s = h.successes();
            long f = h.failures();
            String state;
            if (h.outlier().isEjected()) {
                long left = TimeUnit.NANOSECONDS.toSeconds(Math.max(0, h.outlier().ejectedUntil() - now));
                state = "EJECTED (" + h.outlier().ejectionReason() + "), back in " + left + " s";
            } else {
                state = h.isHealthy() ? "serving" : "UNHEALTHY (" + h.unhealthyReason() + ")";
            }
            out.printf("  %-10s %-16s %9d %8s %7.1f ms  %s%n", names.getOrDefault(h.address().getPort(), "?"),
                    h.addressString(), s + f, pct(s, s + f), h.ewma().estimateNanos(now) / 1e6, state);
        }
        out.flush();
    }

    private static String pct(long part, long whole) {
        return whole == 0 ? "-" : String.format("%.2f%%", 100.0 * part / whole);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
