/**
 * Active health checking: each cluster's hosts are probed (HTTP GET or TCP connect) on the control event loop,
 * never on a worker's, with jittered intervals; hosts cross thresholds of consecutive results to leave or
 * rejoin the balancer.
 */
package io.remora.core.health;
