/**
 * Clusters and hosts: the upstream side of the proxy. A {@link io.remora.core.upstream.Cluster} publishes its
 * membership as an immutable {@link io.remora.core.upstream.HostSet} snapshot behind one volatile reference, so
 * event loops read it without locks and a DNS refresh replaces it atomically.
 */
package io.remora.core.upstream;
