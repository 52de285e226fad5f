/**
 * Per-event-loop upstream resources: the connector that opens upstream connections on the caller's own event
 * loop, and the per-host pools of idle connections. Everything here is touched by one event loop only, so it
 * uses plain fields and collections, no locks and no volatiles.
 */
package io.remora.core.pool;
