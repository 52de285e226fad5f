package io.remora.core.metrics;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: a {@code # HELP} and a {@code # TYPE} line per
 * family, then its samples, each family's samples together. Label values are escaped as the format requires
 * (backslash, double quote, line feed); HELP text escapes backslash and line feed.
 */
final class PrometheusText {
    private final StringBuilder out;

    PrometheusText(StringBuilder out) {
        this.out = out;
    }

    /** Starts a family: {@code type} is {@code counter}, {@code gauge} or {@code histogram}. */
    PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        escapeHelp(out, help);
        out.append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} alternate names and values. */
    PrometheusText sample(String name, long value, String... labels) {
        start(name, labels);
        out.append(value).append('\n');
        return this;
    }

    PrometheusText sample(String name, double value, String... labels) {
        start(name, labels);
        appendDouble(out, value);
        out.append('\n');
        return this;
    }

    /**
     * The samples of one histogram series: cumulative {@code _bucket}s with {@code le}, then {@code _sum} (in
     * seconds) and {@code _count}.
     */
    PrometheusText histogram(String name, LatencyHistogram.Snapshot s, String... labels) {
        long[] buckets = s.cumulativeBuckets();
        String[] withLe = new String[labels.length + 2];
        System.arraycopy(labels, 0, withLe, 0, labels.length);
        withLe[labels.length] = "le";
        for (int i = 0; i < buckets.length; i++) {
            withLe[labels.length + 1] = i < LatencyHistogram.BUCKET_LABELS.length
                    ? LatencyHistogram.BUCKET_LABELS[i] : "+Inf";
            sample(name + "_bucket", buckets[i], withLe);
        }
        sample(name + "_sum", s.sumNanos() / 1e9, labels);
        sample(name + "_count", s.count(), labels);
        return this;
    }

    private void start(String name, String[] labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escapeLabelValue(out, labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        out.append(' ');
    }

    static void escapeLabelValue(StringBuilder out, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    static void escapeHelp(StringBuilder out, String help) {
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** Integers without a fraction, others as Java prints them (Go's ParseFloat reads both), NaN and ±Inf as named. */
    static void appendDouble(StringBuilder out, double d) {
        if (Double.isNaN(d)) {
            out.append("NaN");
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "+Inf" : "-Inf");
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }
}
