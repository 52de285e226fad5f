/**
 * Clusters and hosts: the upstream side of the proxy. A {@link io.remora.core.upstream.Cluster} publishes its
 * membership as an immutable {@link io.remora.core.upstream.HostSet} snapshot behind one volatile reference, so
 * event loops read it without locks and a DNS refresh replaces it atomically. The snapshot also carries the
 * cluster's priority levels and their share of the traffic ({@link io.remora.core.upstream.PriorityLoad}), and the
 * ramped weights of slow-starting hosts.
 */
package io.remora.core.upstream;
