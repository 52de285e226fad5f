/**
 * Load balancers. Each balancer is built once per membership snapshot (an immutable host list) and is then
 * shared by every event loop, so picks are lock-free: an atomic counter, or per-pick randomness, over arrays
 * computed when the snapshot was built.
 */
package io.remora.core.lb;
