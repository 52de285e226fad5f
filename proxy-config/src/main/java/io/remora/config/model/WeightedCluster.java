package io.remora.config.model;

/**
 * One cluster of a route's {@code weighted_clusters} (a traffic split, for canaries): it takes
 * {@code weight / sum of weights} of the route's requests. A weight of 0 takes none.
 */
public record WeightedCluster(String cluster, int weight) {
}
