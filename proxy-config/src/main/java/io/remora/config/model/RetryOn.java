package io.remora.config.model;

/** The conditions a route's {@code retry.retry_on} can list. */
public enum RetryOn {
    /** Any 5xx, and connect failures, resets and upstream timeouts. */
    FIVE_XX("5xx"),
    /** 502, 503, 504, and connect failures, resets and upstream timeouts. */
    GATEWAY_ERROR("gateway-error"),
    CONNECT_FAILURE("connect-failure"),
    /** The upstream closed or reset the connection before the response completed. */
    RESET("reset"),
    /** HTTP/2 REFUSED_STREAM (the request was not processed). */
    REFUSED_STREAM("refused-stream"),
    /** A status listed in {@code retriable_status_codes}. */
    RETRIABLE_STATUS_CODES("retriable-status-codes"),
    /**
     * gRPC status CANCELLED (1), read from {@code grpc-status} in a trailers-only response (as Envoy does, the
     * status of a response whose headers were already forwarded is not retried on). The gRPC conditions make a gRPC
     * call (always a POST) retriable without {@code retry_non_idempotent}: listing them is that consent.
     */
    CANCELLED("cancelled"),
    /** gRPC status DEADLINE_EXCEEDED (4). */
    DEADLINE_EXCEEDED("deadline-exceeded"),
    /** gRPC status INTERNAL (13). */
    INTERNAL("internal"),
    /** gRPC status RESOURCE_EXHAUSTED (8). */
    RESOURCE_EXHAUSTED("resource-exhausted"),
    /** gRPC status UNAVAILABLE (14). */
    UNAVAILABLE("unavailable");

    private final String configName;

    RetryOn(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
