package io.remora.config.model;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A whole, validated config: what one snapshot of the running proxy is built from. */
public record RemoraConfig(
        AdminConfig admin,
        Duration drainTimeout,
        List<ListenerConfig> listeners,
        List<ClusterConfig> clusters) {

    public RemoraConfig {
        listeners = List.copyOf(listeners);
        clusters = List.copyOf(clusters);
    }

    public Optional<ClusterConfig> cluster(String name) {
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public Optional<ListenerConfig> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }
}
