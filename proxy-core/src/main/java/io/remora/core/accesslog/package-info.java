/**
 * Per-listener access logs: the event loop fills an {@link io.remora.core.accesslog.AccessLogEntry} and offers it
 * to a bounded queue; one background thread per log formats JSON lines and writes them. The event loop never
 * blocks, formats or does I/O for the log: when the queue is full the entry is dropped and counted.
 */
package io.remora.core.accesslog;
