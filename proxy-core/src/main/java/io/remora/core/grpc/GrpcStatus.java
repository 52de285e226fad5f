package io.remora.core.grpc;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * gRPC status codes and how Remora maps them. The codes are the canonical ones of
 * {@code grpc/doc/statuscodes.md}; the HTTP equivalents follow Envoy's {@code Grpc::Utility::grpcToHttpStatus},
 * so outlier detection counts UNAVAILABLE as a gateway error (503) and INTERNAL as a 5xx, like an HTTP upstream's.
 */
public final class GrpcStatus {
    public static final int OK = 0;
    public static final int CANCELLED = 1;
    public static final int UNKNOWN = 2;
    public static final int INVALID_ARGUMENT = 3;
    public static final int DEADLINE_EXCEEDED = 4;
    public static final int NOT_FOUND = 5;
    public static final int ALREADY_EXISTS = 6;
    public static final int PERMISSION_DENIED = 7;
    public static final int RESOURCE_EXHAUSTED = 8;
    public static final int FAILED_PRECONDITION = 9;
    public static final int ABORTED = 10;
    public static final int OUT_OF_RANGE = 11;
    public static final int UNIMPLEMENTED = 12;
    public static final int INTERNAL = 13;
    public static final int UNAVAILABLE = 14;
    public static final int DATA_LOSS = 15;
    public static final int UNAUTHENTICATED = 16;

    /** The names of codes 0-16, the {@code grpc_status} label of metrics (a bounded set). */
    public static final String[] NAMES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

    public static final String STATUS_HEADER = "grpc-status";
    public static final String MESSAGE_HEADER = "grpc-message";
    public static final String CONTENT_TYPE = "application/grpc";

    private GrpcStatus() {
    }

    /** The name of {@code code}; a code outside 0-16 is UNKNOWN, as gRPC clients read it. */
    public static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : NAMES[UNKNOWN];
    }

    /** Whether the message is gRPC: {@code content-type: application/grpc}, {@code application/grpc+proto}, ... */
    public static boolean isGrpc(HttpHeaders headers) {
        String ct = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return ct != null && ct.regionMatches(true, 0, CONTENT_TYPE, 0, CONTENT_TYPE.length())
                && (ct.length() == CONTENT_TYPE.length() || ct.charAt(CONTENT_TYPE.length()) == '+'
                || ct.charAt(CONTENT_TYPE.length()) == ';');
    }

    /** The {@code grpc-status} in {@code headers} (0 and up), or -1 when absent or not a number. */
    public static int of(HttpHeaders headers) {
        String v = headers == null ? null : headers.get(STATUS_HEADER);
        if (v == null || v.isEmpty() || v.length() > 9) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** The HTTP status that stands for {@code code} in outlier detection and success rates (Envoy's mapping). */
    public static int toHttpStatus(int code) {
        return switch (code) {
            case OK -> 200;
            case CANCELLED -> 499;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case PERMISSION_DENIED -> 403;
            case RESOURCE_EXHAUSTED -> 429;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            case UNAUTHENTICATED -> 401;
            default -> 500; // UNKNOWN, INTERNAL, DATA_LOSS and codes past 16
        };
    }

    /**
     * The status of a reply Remora produces itself for a gRPC call, from the HTTP status and response flags it
     * would otherwise send: an upstream timeout is DEADLINE_EXCEEDED, a rate limit RESOURCE_EXHAUSTED, no route
     * UNIMPLEMENTED, a malformed or oversized request INTERNAL, and every upstream failure (no healthy host,
     * connect failure, reset, circuit breaker, exhausted retries) UNAVAILABLE, which gRPC clients may retry.
     *
     * @param flags the {@code x-remora-flags} value, comma-separated, or null
     */
    public static int forLocalReply(int httpStatus, String flags) {
        if (flags != null) {
            for (String f : flags.split(",")) {
                switch (f.trim()) {
                    case "UT":
                        return DEADLINE_EXCEEDED;
                    case "RL":
                        return RESOURCE_EXHAUSTED;
                    case "NR":
                        return UNIMPLEMENTED;
                    default:
                        break;
                }
            }
        }
        return switch (httpStatus) {
            case 400, 414, 431 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 408, 504 -> DEADLINE_EXCEEDED;
            case 429 -> RESOURCE_EXHAUSTED;
            case 502, 503 -> UNAVAILABLE;
            default -> httpStatus >= 500 ? UNAVAILABLE : UNKNOWN;
        };
    }
}
