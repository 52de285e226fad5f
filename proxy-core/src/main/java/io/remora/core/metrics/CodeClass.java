package io.remora.core.metrics;

import java.util.concurrent.atomic.LongAdder;

/** The {@code code_class} label: {@code 1xx} to {@code 5xx}. */
final class CodeClass {
    static final String[] LABELS = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    private CodeClass() {
    }

    /** Index into {@link #LABELS}; a status outside 100-599 (never sent) is clamped into the nearest class. */
    static int index(int status) {
        int c = status / 100 - 1;
        return c < 0 ? 0 : Math.min(c, 4);
    }

    static LongAdder[] adders() {
        return ListenerStats.adders(LABELS.length);
    }
}
