/**
 * HTTP/1.1 proxying: one {@link io.remora.core.http.HttpProxyHandler} per downstream connection drives one
 * {@link io.remora.core.http.Exchange} per request, streaming bodies both ways with backpressure over pooled
 * upstream connections of the same event loop. Failures the proxy itself answers carry a status, a one-line
 * body and an {@code x-remora-flags} header ({@link io.remora.core.http.ResponseFlag}).
 */
package io.remora.core.http;
