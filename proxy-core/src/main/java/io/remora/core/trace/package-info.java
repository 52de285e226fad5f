/**
 * W3C Trace Context ({@code traceparent}): kept unchanged when a request carries a valid one, started when it
 * carries none (or an invalid one), so that every upstream request and access-log line has a trace id.
 */
package io.remora.core.trace;
