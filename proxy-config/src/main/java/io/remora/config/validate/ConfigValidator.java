package io.remora.config.validate;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.HostPort;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.Protocol;
import io.remora.config.model.RemoraConfig;
import io.remora.config.model.RouteConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The rules that span several keys of a config: unique listener names and addresses, unique cluster names,
 * clusters that routes (their {@code cluster} or {@code weighted_clusters}) and tcp listeners refer to, and an
 * admin server that stays on loopback unless allowed otherwise. They are checked on the model, after every key was
 * read, because no single key can be judged alone.
 *
 * <p>Paths are built from list positions ({@code listeners[1].name}), so the lists must be in file order.
 * A {@code null} field is skipped: the loader builds a best-effort model even from a broken file, so that these
 * rules still run, and it has already reported why the field is missing or invalid.
 */
public final class ConfigValidator {

    private ConfigValidator() {
    }

    /**
     * Every cross-key error of {@code config}, rule by rule, each rule's errors in file order; empty if there is
     * none.
     */
    public static List<ValidationError> validate(RemoraConfig config) {
        List<ValidationError> errors = new ArrayList<>();
        checkAdmin(config, errors);
        checkListenerNames(config.listeners(), errors);
        checkListenerAddresses(config, errors);
        checkClusterReferences(config, errors);
        checkClusterNames(config.clusters(), errors);
        return errors;
    }

    private static void checkAdmin(RemoraConfig config, List<ValidationError> errors) {
        if (config.admin() == null || config.admin().address() == null) {
            return;
        }
        HostPort address = config.admin().address();
        if (!config.admin().allowRemote() && !address.isLoopback()) {
            errors.add(ValidationError.forValue("admin.address", address.toString(),
                    "not a loopback address; the admin API can drain and reconfigure the proxy, so set"
                            + " admin.allow_remote: true to serve it to other hosts"));
        }
    }

    private static void checkListenerNames(List<ListenerConfig> listeners, List<ValidationError> errors) {
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < listeners.size(); i++) {
            String name = listeners.get(i).name();
            if (name == null) {
                continue;
            }
            Integer first = firstIndex.putIfAbsent(name, i);
            if (first != null) {
                errors.add(ValidationError.forValue("listeners[" + i + "].name", name,
                        "duplicate listener name, also used by listeners[" + first + "]"));
            }
        }
    }

    private static void checkListenerAddresses(RemoraConfig config, List<ValidationError> errors) {
        Map<String, String> users = new HashMap<>();
        if (config.admin() != null && config.admin().address() != null) {
            users.put(key(config.admin().address()), "admin.address");
        }
        List<ListenerConfig> listeners = config.listeners();
        for (int i = 0; i < listeners.size(); i++) {
            HostPort address = listeners.get(i).address();
            if (address == null) {
                continue;
            }
            String user = users.putIfAbsent(key(address), describe(listeners.get(i), i));
            if (user != null) {
                errors.add(ValidationError.forValue("listeners[" + i + "].address", address.toString(),
                        "already used by " + user));
            }
        }
    }

    /** Host names are case-insensitive, so {@code LOCALHOST:80} and {@code localhost:80} are one socket. */
    private static String key(HostPort address) {
        return address.host().toLowerCase(Locale.ROOT) + " " + address.port();
    }

    private static String describe(ListenerConfig listener, int index) {
        return listener.name() == null
                ? "listeners[" + index + "]"
                : "listeners[" + index + "] (" + ValidationError.quote(listener.name()) + ")";
    }

    private static void checkClusterNames(List<ClusterConfig> clusters, List<ValidationError> errors) {
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < clusters.size(); i++) {
            String name = clusters.get(i).name();
            if (name == null) {
                continue;
            }
            Integer first = firstIndex.putIfAbsent(name, i);
            if (first != null) {
                errors.add(ValidationError.forValue("clusters[" + i + "].name", name,
                        "duplicate cluster name, also used by clusters[" + first + "]"));
            }
        }
    }

    private static void checkClusterReferences(RemoraConfig config, List<ValidationError> errors) {
        Set<String> names = new LinkedHashSet<>();
        for (ClusterConfig cluster : config.clusters()) {
            if (cluster.name() != null) {
                names.add(cluster.name());
            }
        }
        List<ListenerConfig> listeners = config.listeners();
        for (int i = 0; i < listeners.size(); i++) {
            ListenerConfig listener = listeners.get(i);
            String path = "listeners[" + i + "]";
            if (listener.protocol() == Protocol.TCP) {
                checkReference(path + ".cluster", listener.cluster(), names, errors);
            }
            List<RouteConfig> routes = listener.routes();
            for (int r = 0; r < routes.size(); r++) {
                RouteConfig route = routes.get(r);
                checkReference(path + ".routes[" + r + "].cluster", route.cluster(), names, errors);
                for (int w = 0; w < route.weightedClusters().size(); w++) {
                    checkReference(path + ".routes[" + r + "].weighted_clusters[" + w + "].cluster",
                            route.weightedClusters().get(w).cluster(), names, errors);
                }
            }
        }
    }

    private static void checkReference(String path, String cluster, Set<String> names,
                                       List<ValidationError> errors) {
        if (cluster == null || names.contains(cluster)) {
            return;
        }
        String known = names.isEmpty() ? "no clusters are defined" : "clusters: " + String.join(", ", names);
        errors.add(ValidationError.forValue(path, cluster, "no such cluster (" + known + ")"));
    }
}
