package io.remora.core.grpc;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;

/**
 * The {@code grpc-timeout} request header: "1 to 8 ASCII digits, then a unit" ({@code H} hours, {@code M}
 * minutes, {@code S} seconds, {@code m} milliseconds, {@code u} microseconds, {@code n} nanoseconds), the time the
 * client gives the whole call. It bounds the route timeout, counted from the request's start.
 */
public final class GrpcTimeout {
    public static final String HEADER = "grpc-timeout";

    private GrpcTimeout() {
    }

    /** The request's {@code grpc-timeout} in nanoseconds, or -1 when absent or malformed (then it is ignored). */
    public static long nanos(HttpHeaders headers) {
        return parse(headers.get(HEADER));
    }

    /** {@code value} in nanoseconds, or -1 when null or not of the header's form. */
    public static long parse(String value) {
        if (value == null) {
            return -1;
        }
        int n = value.length();
        if (n < 2 || n > 9) {
            return -1;
        }
        long amount = 0;
        for (int i = 0; i < n - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            amount = amount * 10 + (c - '0');
        }
        TimeUnit unit;
        switch (value.charAt(n - 1)) {
            case 'H' -> unit = TimeUnit.HOURS;
            case 'M' -> unit = TimeUnit.MINUTES;
            case 'S' -> unit = TimeUnit.SECONDS;
            case 'm' -> unit = TimeUnit.MILLISECONDS;
            case 'u' -> unit = TimeUnit.MICROSECONDS;
            case 'n' -> unit = TimeUnit.NANOSECONDS;
            default -> {
                return -1;
            }
        }
        return unit.toNanos(amount); // at most 99999999 hours: saturates at Long.MAX_VALUE, never overflows
    }
}
