package io.remora.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The low-level format: escaping and number spelling, asserted byte for byte. */
class PrometheusTextTest {

    @Test
    void labelValuesEscapeBackslashQuoteAndLineFeed() {
        StringBuilder sb = new StringBuilder();
        new PrometheusText(sb).sample("m_total", 1, "listener", "a\\b\"c\nd");
        assertEquals("m_total{listener=\"a\\\\b\\\"c\\nd\"} 1\n", sb.toString());
    }

    @Test
    void helpEscapesBackslashAndLineFeedButNotQuotes() {
        StringBuilder sb = new StringBuilder();
        new PrometheusText(sb).family("m_total", "counter", "a \"b\" \\ c\nd");
        assertEquals("# HELP m_total a \"b\" \\\\ c\\nd\n# TYPE m_total counter\n", sb.toString());
    }

    @Test
    void severalLabelsAreCommaSeparatedInOrder() {
        StringBuilder sb = new StringBuilder();
        new PrometheusText(sb).sample("m_total", 7, "cluster", "api", "code_class", "5xx");
        assertEquals("m_total{cluster=\"api\",code_class=\"5xx\"} 7\n", sb.toString());
    }

    @Test
    void noLabelsNoBraces() {
        StringBuilder sb = new StringBuilder();
        new PrometheusText(sb).sample("m", 2.5);
        assertEquals("m 2.5\n", sb.toString());
    }

    @Test
    void doublesAreSpelledAsTheFormatReadsThem() {
        StringBuilder sb = new StringBuilder();
        PrometheusText.appendDouble(sb, 3.0);
        sb.append(' ');
        PrometheusText.appendDouble(sb, 0.25);
        sb.append(' ');
        PrometheusText.appendDouble(sb, Double.POSITIVE_INFINITY);
        sb.append(' ');
        PrometheusText.appendDouble(sb, Double.NaN);
        assertEquals("3 0.25 +Inf NaN", sb.toString());
    }

    @Test
    void aHistogramSeriesIsCumulativeBucketsThenSumThenCount() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_000_000); // 1 ms
        h.record(3_000_000_000L); // 3 s
        StringBuilder sb = new StringBuilder();
        new PrometheusText(sb).histogram("d_seconds", h.snapshot(), "cluster", "api");
        assertEquals("""
                d_seconds_bucket{cluster="api",le="0.0005"} 0
                d_seconds_bucket{cluster="api",le="0.001"} 1
                d_seconds_bucket{cluster="api",le="0.0025"} 1
                d_seconds_bucket{cluster="api",le="0.005"} 1
                d_seconds_bucket{cluster="api",le="0.01"} 1
                d_seconds_bucket{cluster="api",le="0.025"} 1
                d_seconds_bucket{cluster="api",le="0.05"} 1
                d_seconds_bucket{cluster="api",le="0.1"} 1
                d_seconds_bucket{cluster="api",le="0.25"} 1
                d_seconds_bucket{cluster="api",le="0.5"} 1
                d_seconds_bucket{cluster="api",le="1"} 1
                d_seconds_bucket{cluster="api",le="2.5"} 1
                d_seconds_bucket{cluster="api",le="5"} 2
                d_seconds_bucket{cluster="api",le="10"} 2
                d_seconds_bucket{cluster="api",le="+Inf"} 2
                d_seconds_sum{cluster="api"} 3.001
                d_seconds_count{cluster="api"} 2
                """, sb.toString());
    }
}
