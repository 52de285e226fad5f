/**
 * The admin server: readiness and liveness probes, metrics (Prometheus text and JSON), per-host cluster state,
 * the running config, listeners, and drain. It runs on an event loop of its own, so a busy data plane cannot
 * starve it and a slow scrape cannot slow the data plane; it reads the proxy's state through
 * {@link io.remora.core.admin.AdminBackend}, never the other way round.
 */
package io.remora.core.admin;
