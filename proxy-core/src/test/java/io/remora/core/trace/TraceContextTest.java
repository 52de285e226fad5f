package io.remora.core.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TraceContextTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidHeaderIsPropagatedUnchanged() {
        TraceContext t = TraceContext.of(VALID);
        assertSame(VALID, t.traceparent());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertFalse(t.started());
    }

    @Test
    void aLaterVersionWithMoreFieldsIsKeptAsItIs() {
        String v = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds";
        TraceContext t = TraceContext.of(v);
        assertEquals(v, t.traceparent());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertFalse(t.started());
    }

    @Test
    void noHeaderStartsATraceNotSampled() {
        TraceContext t = TraceContext.of(null, new SplittableRandom(42), false);
        assertTrue(t.started());
        assertTrue(TraceContext.isValid(t.traceparent()), t.traceparent());
        assertTrue(t.traceparent().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00"), t.traceparent());
        assertEquals(t.traceparent().substring(3, 35), t.traceId());
    }

    @Test
    void aSampledNewTraceHasFlags01() {
        assertTrue(TraceContext.of(null, new SplittableRandom(1), true).traceparent().endsWith("-01"));
    }

    @Test
    void newTracesDiffer() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(TraceContext.of(null).traceId());
        }
        assertEquals(1000, ids.size());
    }

    @Test
    void allZeroRandomnessIsNeverUsedAsAnId() {
        // a generator whose first draws are zero: the all-zero trace and parent ids are invalid, so redrawn
        java.util.random.RandomGenerator zerosFirst = new java.util.random.RandomGenerator() {
            private int n;

            @Override
            public long nextLong() {
                return n++ < 3 ? 0 : n;
            }
        };
        TraceContext t = TraceContext.start(zerosFirst, false);
        assertTrue(TraceContext.isValid(t.traceparent()), t.traceparent());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has exactly 4 fields
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // uppercase hex
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is forbidden
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // trace id one digit short
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // wrong separator
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", // bad flags
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", // later version, extra not after a dash
    })
    void anInvalidHeaderIsReplacedByANewTrace(String bad) {
        TraceContext t = TraceContext.of(bad, new SplittableRandom(7), false);
        assertTrue(t.started(), bad);
        assertNotEquals(bad, t.traceparent());
        assertTrue(TraceContext.isValid(t.traceparent()));
    }
}
