package io.remora.core.server;

import io.remora.config.model.ClusterConfig;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RemoraConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a reload changes, by name: listeners to bind, to drain, to drain and bind again (their address or protocol
 * changed, so the socket must change), or to update in place (routes, timeouts, limits: the socket stays);
 * clusters to add, remove, or rebuild. Pure: computed from two configs, applied by {@link ProxyServer}.
 */
public record ConfigDiff(
        List<String> listenersAdded,
        List<String> listenersRemoved,
        List<String> listenersRebound,
        List<String> listenersUpdated,
        List<String> clustersAdded,
        List<String> clustersRemoved,
        List<String> clustersChanged) {

    public static ConfigDiff between(RemoraConfig old, RemoraConfig next) {
        Map<String, ListenerConfig> before = new TreeMap<>();
        old.listeners().forEach(l -> before.put(l.name(), l));
        Map<String, ListenerConfig> after = new TreeMap<>();
        next.listeners().forEach(l -> after.put(l.name(), l));
        List<String> lAdded = new ArrayList<>();
        List<String> lRemoved = new ArrayList<>();
        List<String> lRebound = new ArrayList<>();
        List<String> lUpdated = new ArrayList<>();
        for (String name : after.keySet()) {
            ListenerConfig a = after.get(name);
            ListenerConfig b = before.get(name);
            if (b == null) {
                lAdded.add(name);
            } else if (!socketIdentity(a).equals(socketIdentity(b))) {
                lRebound.add(name);
            } else if (!a.equals(b)) {
                lUpdated.add(name);
            }
        }
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                lRemoved.add(name);
            }
        }
        Map<String, ClusterConfig> cBefore = new TreeMap<>();
        old.clusters().forEach(c -> cBefore.put(c.name(), c));
        Map<String, ClusterConfig> cAfter = new TreeMap<>();
        next.clusters().forEach(c -> cAfter.put(c.name(), c));
        List<String> cAdded = new ArrayList<>();
        List<String> cRemoved = new ArrayList<>();
        List<String> cChanged = new ArrayList<>();
        for (String name : cAfter.keySet()) {
            ClusterConfig b = cBefore.get(name);
            if (b == null) {
                cAdded.add(name);
            } else if (!b.equals(cAfter.get(name))) {
                cChanged.add(name);
            }
        }
        for (String name : cBefore.keySet()) {
            if (!cAfter.containsKey(name)) {
                cRemoved.add(name);
            }
        }
        return new ConfigDiff(lAdded, lRemoved, lRebound, lUpdated, cAdded, cRemoved, cChanged);
    }

    /** What a listening socket is: changing any of it means a new socket (TLS decides the pipeline). */
    private static List<Object> socketIdentity(ListenerConfig l) {
        return java.util.Arrays.asList(l.address(), l.protocol(), l.tls());
    }

    public boolean isEmpty() {
        return listenersAdded.isEmpty() && listenersRemoved.isEmpty() && listenersRebound.isEmpty()
                && listenersUpdated.isEmpty() && clustersAdded.isEmpty() && clustersRemoved.isEmpty()
                && clustersChanged.isEmpty();
    }

    /** One line for the log: {@code listeners +a -b ~c(rebind) ~d; clusters +x -y ~z}, or {@code no changes}. */
    public String summary() {
        if (isEmpty()) {
            return "no changes";
        }
        List<String> l = new ArrayList<>();
        listenersAdded.forEach(n -> l.add("+" + n));
        listenersRemoved.forEach(n -> l.add("-" + n));
        listenersRebound.forEach(n -> l.add("~" + n + "(rebind)"));
        listenersUpdated.forEach(n -> l.add("~" + n));
        List<String> c = new ArrayList<>();
        clustersAdded.forEach(n -> c.add("+" + n));
        clustersRemoved.forEach(n -> c.add("-" + n));
        clustersChanged.forEach(n -> c.add("~" + n));
        return "listeners " + (l.isEmpty() ? "unchanged" : String.join(" ", l)) + "; clusters "
                + (c.isEmpty() ? "unchanged" : String.join(" ", c));
    }

}
