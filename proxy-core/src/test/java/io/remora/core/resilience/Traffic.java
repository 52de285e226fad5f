package io.remora.core.resilience;

import io.remora.core.testing.RawHttpClient;
import io.remora.core.testing.RawResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * Bounded client load for the resilience tests: {@code clients} threads, each on its own keep-alive connection
 * to the proxy, send up to {@code perClient} requests one after another, and stop early when {@code maxTime}
 * has passed, so a run is bounded in both count and time. Every response is tallied by status and flags, and
 * every client-visible failure (an I/O error, a connection the proxy closed) is recorded; the client then
 * reconnects and goes on.
 */
final class Traffic implements AutoCloseable {
    /** Builds request number {@code i} (counted over all clients) as raw bytes. */
    interface Requests extends IntFunction<String> {
    }

    static Requests get(String path) {
        return i -> "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    private final ExecutorService threads;
    private final List<Future<?>> runs = new ArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bodies = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final long startNanos = System.nanoTime();
    private volatile long endNanos;

    private Traffic(int clients) {
        this.threads = Executors.newFixedThreadPool(clients, r -> {
            Thread t = new Thread(r, "traffic");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the load and returns at once. */
    static Traffic start(int port, int clients, int perClient, Duration maxTime, Requests requests) {
        Traffic t = new Traffic(clients);
        long deadline = System.nanoTime() + maxTime.toNanos();
        for (int c = 0; c < clients; c++) {
            t.runs.add(t.threads.submit(() -> t.client(port, perClient, deadline, requests)));
        }
        return t;
    }

    /** Runs the load to its end and returns the tally. */
    static Traffic run(int port, int clients, int perClient, Duration maxTime, Requests requests) {
        Traffic t = start(port, clients, perClient, maxTime, requests);
        t.await();
        return t;
    }

    private void client(int port, int perClient, long deadline, Requests requests) {
        RawHttpClient c = null;
        try {
            for (int n = 0; n < perClient && System.nanoTime() - deadline < 0; n++) {
                int i = sequence.getAndIncrement();
                try {
                    if (c == null) {
                        c = new RawHttpClient(port);
                    }
                    c.send(requests.apply(i));
                    RawResponse r = c.readResponse();
                    String key = r.status() + (r.flags() == null ? "" : " " + r.flags());
                    outcomes.computeIfAbsent(key, k -> new LongAdder()).increment();
                    bodies.computeIfAbsent(r.bodyText(), k -> new LongAdder()).increment();
                    if ("close".equalsIgnoreCase(r.header("connection"))) {
                        c.close();
                        c = null;
                    }
                } catch (IOException e) {
                    outcomes.computeIfAbsent("I/O error", k -> new LongAdder()).increment();
                    failures.add("request " + i + ": " + e);
                    closeQuietly(c);
                    c = null;
                } finally {
                    completed.incrementAndGet();
                }
            }
        } finally {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(RawHttpClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a broken test connection
            }
        }
    }

    /** Requests answered (or failed) so far. */
    int completed() {
        return completed.get();
    }

    /** Waits for every client to finish (each is bounded by its count and the deadline). */
    Traffic await() {
        for (Future<?> f : runs) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new AssertionError("a traffic client failed", e);
            }
        }
        endNanos = System.nanoTime();
        threads.shutdown();
        return this;
    }

    /** Wall time of the run, in seconds (after {@link #await()}). */
    double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    int total() {
        return completed.get();
    }

    /** Responses whose status (and flags, space-separated, when the proxy set any) were exactly {@code key}. */
    long count(String key) {
        LongAdder a = outcomes.get(key);
        return a == null ? 0 : a.sum();
    }

    /** Responses with {@code status}, whatever their flags. */
    long status(int status) {
        String prefix = Integer.toString(status);
        return outcomes.entrySet().stream()
                .filter(e -> e.getKey().equals(prefix) || e.getKey().startsWith(prefix + " "))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** Responses whose body was exactly {@code body}. */
    long body(String body) {
        LongAdder a = bodies.get(body);
        return a == null ? 0 : a.sum();
    }

    List<String> failures() {
        return failures;
    }

    /** The tally, for assertion messages. */
    @Override
    public String toString() {
        Map<String, Long> sorted = new TreeMap<>();
        outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
        return total() + " requests: " + sorted + (failures.isEmpty() ? ""
                : "; first failures: " + failures.subList(0, Math.min(5, failures.size())));
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
