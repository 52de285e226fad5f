package io.remora.core.metrics;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency distribution recorded on the request path and read at scrape time. {@link #record} is wait-free: it
 * bumps one exact bucket counter and the nanosecond sum (both {@link LongAdder}s) and records the value, in
 * microseconds, into an HdrHistogram {@link Recorder} (a wait-free writer). The Prometheus buckets come from the
 * exact counters, so a value on a bucket's bound always counts in that bucket; the percentiles come from the
 * HdrHistogram, accumulated since start, to two significant digits.
 *
 * <p>{@link #snapshot} is for the admin thread: it swaps the recorder's interval histogram into the cumulative one
 * (synchronized among scrapers only; writers never wait for it).
 */
public final class LatencyHistogram {
    /** Upper bounds of the Prometheus buckets, in seconds as they appear in {@code le} labels; +Inf follows. */
    static final String[] BUCKET_LABELS = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
        "0.25", "0.5", "1", "2.5", "5", "10"};
    /** The same bounds in nanoseconds. */
    static final long[] BUCKET_NANOS = {500_000L, 1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L,
        50_000_000L, 100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L, 5_000_000_000L,
        10_000_000_000L};
    /** Longest value the HdrHistogram tracks (an hour, in microseconds); longer ones are clamped to it. */
    private static final long MAX_MICROS = 3_600_000_000L;

    /** {@code buckets[i]}: values in (bound[i-1], bound[i]]; the last one: above the last bound (+Inf only). */
    private final LongAdder[] buckets = new LongAdder[BUCKET_NANOS.length + 1];
    private final LongAdder sumNanos = new LongAdder();
    private final Recorder recorder = new Recorder(1, MAX_MICROS, 2);
    /** Guarded by this: everything recorded up to the last snapshot. */
    private final Histogram cumulative = new Histogram(1, MAX_MICROS, 2);
    private Histogram recycled;

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one duration; negative durations (a clock that stepped back) count as zero. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        sumNanos.add(v);
        buckets[bucketOf(v)].increment();
        recorder.recordValue(Math.min(MAX_MICROS, v / 1000));
    }

    static int bucketOf(long nanos) {
        // fourteen bounds: a short scan beats a binary search's branches, and most requests stop early
        for (int i = 0; i < BUCKET_NANOS.length; i++) {
            if (nanos <= BUCKET_NANOS[i]) {
                return i;
            }
        }
        return BUCKET_NANOS.length;
    }

    /** What has been recorded so far; for the admin thread (it merges the recorder's interval). */
    public synchronized Snapshot snapshot() {
        Histogram interval = recorder.getIntervalHistogram(recycled);
        cumulative.add(interval);
        recycled = interval;
        long[] cumulativeBuckets = new long[buckets.length];
        long running = 0;
        for (int i = 0; i < buckets.length; i++) {
            running += buckets[i].sum();
            cumulativeBuckets[i] = running;
        }
        // read after the buckets: the sum then covers at least every value the counts include
        long sum = sumNanos.sum();
        long n = cumulative.getTotalCount();
        return new Snapshot(cumulativeBuckets, sum,
                n == 0 ? 0 : cumulative.getValueAtPercentile(50) * 1000,
                n == 0 ? 0 : cumulative.getValueAtPercentile(90) * 1000,
                n == 0 ? 0 : cumulative.getValueAtPercentile(99) * 1000,
                n == 0 ? 0 : cumulative.getValueAtPercentile(99.9) * 1000,
                n == 0 ? 0 : cumulative.getMaxValue() * 1000);
    }

    /**
     * One reading.
     *
     * @param cumulativeBuckets per bucket bound (and +Inf last), how many values were at most that bound
     * @param sumNanos          the exact sum of the recorded values
     * @param p50Nanos          percentiles and maximum from the HdrHistogram (two significant digits, microsecond
     *                          resolution), 0 when nothing was recorded
     */
    public record Snapshot(long[] cumulativeBuckets, long sumNanos, long p50Nanos, long p90Nanos, long p99Nanos,
            long p999Nanos, long maxNanos) {

        /** Values recorded: the +Inf bucket. */
        public long count() {
            return cumulativeBuckets[cumulativeBuckets.length - 1];
        }
    }
}
