package io.remora.config.load;

import io.remora.config.model.AdminConfig;
import io.remora.config.model.ClusterConfig;
import io.remora.config.model.Defaults;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RemoraConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the top level of the file into a {@link RemoraConfig}. The result is a best effort: invalid values are
 * left {@code null} (or at their defaults) and reported, and every list keeps one element per element of the
 * file, so that cross-key rules can still run and report with the right indices. It is only handed out when no
 * error was found.
 */
final class ConfigReader {

    private static final String TOP_LEVEL = "a map of top-level keys (admin, drain_timeout, listeners, clusters)";

    private ConfigReader() {
    }

    static RemoraConfig read(Object root, ErrorList errors) {
        MapReader top = MapReader.open(root, "", ConfigKeys.ROOT, TOP_LEVEL, errors);
        if (top == null) {
            return new RemoraConfig(AdminConfig.DEFAULT, Defaults.DRAIN_TIMEOUT, List.of(), List.of());
        }
        AdminConfig admin = readAdmin(top.section("admin", ConfigKeys.ADMIN,
                "a map such as { address: 127.0.0.1:9901 }"));
        Duration drainTimeout = top.duration("drain_timeout", Defaults.DRAIN_TIMEOUT);

        List<ListenerConfig> listeners = new ArrayList<>();
        List<Object> listenerItems = top.list("listeners", "a list of listeners");
        for (int i = 0; listenerItems != null && i < listenerItems.size(); i++) {
            listeners.add(ListenerReader.read(listenerItems.get(i), Paths.index("listeners", i), errors));
        }
        List<ClusterConfig> clusters = new ArrayList<>();
        List<Object> clusterItems = top.list("clusters", "a list of clusters");
        for (int i = 0; clusterItems != null && i < clusterItems.size(); i++) {
            clusters.add(ClusterReader.read(clusterItems.get(i), Paths.index("clusters", i), errors));
        }
        return new RemoraConfig(admin, drainTimeout, listeners, clusters);
    }

    private static AdminConfig readAdmin(MapReader admin) {
        if (admin == null) {
            return AdminConfig.DEFAULT;
        }
        return new AdminConfig(admin.hostPort("address", Defaults.ADMIN_ADDRESS), admin.bool("allow_remote", false));
    }
}
