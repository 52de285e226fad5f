package io.remora.core.trace;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The trace a request belongs to, after W3C Trace Context (https://www.w3.org/TR/trace-context/): the
 * {@code traceparent} value to send upstream and the trace id for the access log.
 *
 * <p>A valid incoming {@code traceparent} is propagated unchanged (Remora does not create spans of its own, so it
 * does not replace the parent id). A missing or invalid one is replaced by a new trace: a random 16-byte trace id,
 * a random 8-byte parent id, flags {@code 00} (not sampled) unless asked otherwise. When the trace was started
 * here, any incoming {@code tracestate} belongs to no valid trace and should be removed ({@link #started()}).
 *
 * @param traceparent the header value to send upstream: {@code 00-<32 hex>-<16 hex>-<2 hex>} for a new trace
 * @param traceId     the 32 lowercase hex digits of the trace id
 * @param started     true if the trace was started here (no valid incoming header)
 */
public record TraceContext(String traceparent, String traceId, boolean started) {
    /** The request header that carries the context. */
    public static final String TRACEPARENT = "traceparent";
    /** The vendor-specific companion header; propagated unchanged with a valid {@code traceparent}. */
    public static final String TRACESTATE = "tracestate";

    private static final int VERSION_00_LENGTH = 55;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The context for a request whose {@code traceparent} header is {@code incoming} (null when absent). */
    public static TraceContext of(String incoming) {
        return of(incoming, ThreadLocalRandom.current(), false);
    }

    /**
     * @param random  where new ids come from
     * @param sampled the flags of a new trace: {@code 01} if true, {@code 00} otherwise
     */
    public static TraceContext of(String incoming, RandomGenerator random, boolean sampled) {
        if (incoming != null && isValid(incoming)) {
            return new TraceContext(incoming, incoming.substring(3, 35), false);
        }
        return start(random, sampled);
    }

    /** A new trace. */
    public static TraceContext start(RandomGenerator random, boolean sampled) {
        char[] c = new char[VERSION_00_LENGTH];
        c[0] = '0';
        c[1] = '0';
        c[2] = '-';
        long hi;
        long lo;
        do {
            hi = random.nextLong();
            lo = random.nextLong();
        } while (hi == 0 && lo == 0); // all zeros is an invalid trace id
        hex(hi, c, 3);
        hex(lo, c, 19);
        c[35] = '-';
        long parent;
        do {
            parent = random.nextLong();
        } while (parent == 0);
        hex(parent, c, 36);
        c[52] = '-';
        c[53] = '0';
        c[54] = sampled ? '1' : '0';
        String header = new String(c);
        return new TraceContext(header, header.substring(3, 35), true);
    }

    /**
     * Whether {@code v} is a {@code traceparent} to keep: version {@code 00} of exactly 55 characters, or a later
     * version (not {@code ff}) of at least 55 whose extra part starts with a dash; lowercase hex throughout; trace id
     * and parent id not all zeros.
     */
    public static boolean isValid(String v) {
        int n = v.length();
        if (n < VERSION_00_LENGTH || !isHex(v, 0, 2) || v.charAt(2) != '-' || v.charAt(35) != '-'
                || v.charAt(52) != '-') {
            return false;
        }
        boolean v00 = v.charAt(0) == '0' && v.charAt(1) == '0';
        if (v.charAt(0) == 'f' && v.charAt(1) == 'f') {
            return false; // version ff is forbidden
        }
        if (v00 ? n != VERSION_00_LENGTH : n > VERSION_00_LENGTH && v.charAt(VERSION_00_LENGTH) != '-') {
            return false;
        }
        return isHex(v, 3, 35) && !allZeros(v, 3, 35) && isHex(v, 36, 52) && !allZeros(v, 36, 52)
                && isHex(v, 53, 55);
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZeros(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    private static void hex(long v, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xF)];
            v >>>= 4;
        }
    }
}
