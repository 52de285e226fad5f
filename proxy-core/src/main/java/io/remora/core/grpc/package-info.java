/**
 * What Remora knows of gRPC, which rides on HTTP/2 and keeps its outcome in {@code grpc-status} (in the trailers,
 * or in the headers of a trailers-only response): reading that status for retries ({@code retry_on: unavailable,
 * ...}), outlier detection and metrics; the {@code grpc-timeout} request header that bounds a call's route
 * timeout; and the gRPC-shaped replies (HTTP 200, {@code grpc-status}, {@code grpc-message}) Remora sends instead
 * of a bare 503 or 504 when it fails a gRPC call itself, because gRPC clients read the status, not the HTTP code.
 * Pure functions on headers: no Netty pipeline state lives here.
 */
package io.remora.core.grpc;
