/**
 * Counters, gauges and latency histograms, and their Prometheus text and JSON renderings for the admin server.
 *
 * <p>Recording runs on the event loops and is wait-free: counters are {@link java.util.concurrent.atomic.LongAdder}s
 * (striped cells, so loops do not contend on one cache line), latencies go to exact bucket counters and an
 * HdrHistogram {@link org.HdrHistogram.Recorder}. Everything that costs more — merging histograms, reading gauges
 * from the live clusters, formatting text — happens at scrape time on the admin thread, which never takes a lock
 * an event loop waits for. Label values come from bounded sets only (listener and cluster names from the config,
 * host addresses, status classes, flags, reasons): never a path or a request id.
 */
package io.remora.core.metrics;
