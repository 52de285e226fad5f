package io.remora.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the admin API's JSON documents as tables and indented text for {@code remora admin}. */
final class AdminViews {
    private AdminViews() {
    }

    // ---- clusters ----------------------------------------------------------------------------------------

    static void clusters(PrintWriter out, Map<String, Object> doc) {
        List<Object> clusters = list(doc.get("clusters"));
        if (clusters.isEmpty()) {
            out.println("no clusters");
            return;
        }
        boolean first = true;
        for (Object o : clusters) {
            Map<String, Object> c = map(o);
            if (!first) {
                out.println();
            }
            first = false;
            out.println("cluster " + c.get("name") + "  (" + c.get("lb_policy") + ", " + c.get("hosts_available")
                    + " of " + c.get("hosts_total") + " hosts available" + (Boolean.TRUE.equals(c.get("panic"))
                    ? ", PANIC: all hosts take traffic" : "") + ", retry budget " + c.get("retry_budget_remaining")
                    + " retries)");
            Table t = new Table("ADDRESS", ">WEIGHT", "HEALTH", "EJECTED", ">ACTIVE", ">EWMA MS", ">OK", ">FAILED",
                    ">SUCCESS", ">RECENT");
            for (Object h : list(c.get("hosts"))) {
                Map<String, Object> host = map(h);
                String health = String.valueOf(host.get("health"));
                if (host.get("health_reason") != null && !"healthy".equals(health)) {
                    health += " (" + host.get("health_reason") + ")";
                }
                String ejected = "no";
                if (Boolean.TRUE.equals(host.get("ejected"))) {
                    ejected = "yes, " + seconds(number(host.get("ejection_remaining_ms")) / 1000.0) + " left ("
                            + host.get("ejection_reason") + ")";
                }
                t.row(host.get("address"), host.get("weight"), health, ejected, host.get("active_requests"),
                        decimal(host.get("ewma_latency_ms")), host.get("successes"), host.get("failures"),
                        percent(host.get("success_rate_percent")), percent(host.get("recent_success_rate_percent")));
            }
            if (t.isEmpty()) {
                out.println("  no hosts (endpoints not resolved yet?)");
            } else {
                t.print(out, "  ");
            }
        }
    }

    // ---- stats -------------------------------------------------------------------------------------------

    static void stats(PrintWriter out, Map<String, Object> doc) {
        Map<String, Object> p = map(doc.get("process"));
        out.println("uptime " + seconds(number(p.get("uptime_seconds"))) + ", config reloads "
                + at(p, "config_reloads", "success") + " ok / " + at(p, "config_reloads", "failure") + " failed, heap "
                + bytes(p.get("jvm_heap_used_bytes")) + " used of " + bytes(p.get("jvm_heap_committed_bytes"))
                + " committed, direct memory " + bytes(p.get("direct_memory_used_bytes")) + ", "
                + p.get("event_loops") + " event loop(s)");

        out.println();
        Table l = new Table("LISTENER", ">OPEN", ">ACCEPTED", ">REQUESTS", ">2xx", ">3xx", ">4xx", ">5xx",
                ">REJECTED", ">IN", ">OUT", ">P50 MS", ">P90 MS", ">P99 MS", ">P99.9 MS");
        for (Object o : list(doc.get("listeners"))) {
            Map<String, Object> s = map(o);
            long rejected = 0;
            for (Object n : map(s.get("rejected")).values()) {
                rejected += (long) number(n);
            }
            Map<String, Object> d = map(s.get("request_duration"));
            l.row(s.get("name"), s.get("connections_active"), s.get("connections_total"), at(s, "requests", "total"),
                    at(s, "requests", "2xx"), at(s, "requests", "3xx"), at(s, "requests", "4xx"),
                    at(s, "requests", "5xx"), rejected, bytes(s.get("received_bytes")), bytes(s.get("sent_bytes")),
                    decimal(d.get("p50_ms")), decimal(d.get("p90_ms")), decimal(d.get("p99_ms")),
                    decimal(d.get("p999_ms")));
        }
        print(out, l, "no listeners");

        out.println();
        Table c = new Table("CLUSTER", ">RESPONSES", ">2xx", ">4xx", ">5xx", ">ATTEMPTS", ">RETRIES", ">DENIED URX",
                ">TIMEOUTS", ">CONNECT FAIL", ">P50 MS", ">P90 MS", ">P99 MS", ">P99.9 MS");
        Table state = new Table("CLUSTER", ">HOSTS", ">AVAILABLE", ">EJECTED", ">EJECTIONS", ">PENDING", ">ACTIVE",
                ">CONNECTIONS", "BREAKER OVERFLOWS", ">BUDGET");
        for (Object o : list(doc.get("clusters"))) {
            Map<String, Object> s = map(o);
            Map<String, Object> d = map(s.get("attempt_duration"));
            c.row(s.get("name"), at(s, "responses", "total"), at(s, "responses", "2xx"), at(s, "responses", "4xx"),
                    at(s, "responses", "5xx"), s.get("attempts"), s.get("retries"), s.get("retries_denied"),
                    s.get("timeouts"), s.get("connect_failures"), decimal(d.get("p50_ms")), decimal(d.get("p90_ms")),
                    decimal(d.get("p99_ms")), decimal(d.get("p999_ms")));
            long ejections = 0;
            for (Object n : map(s.get("ejections")).values()) {
                ejections += (long) number(n);
            }
            StringBuilder overflows = new StringBuilder();
            if (s.get("circuit_breakers") != null) {
                for (Map.Entry<String, Object> e : map(s.get("circuit_breakers")).entrySet()) {
                    long n = (long) number(map(e.getValue()).get("overflows"));
                    if (n > 0) {
                        overflows.append(overflows.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(n);
                    }
                }
            }
            state.row(s.get("name"), at(s, "hosts", "total"), at(s, "hosts", "available"), at(s, "hosts", "ejected"),
                    ejections, s.get("pending_requests"), s.get("active_requests"), s.get("active_connections"),
                    overflows.length() == 0 ? "none" : overflows, s.get("retry_budget_remaining"));
        }
        print(out, c, "no clusters");
        if (!state.isEmpty()) {
            out.println();
            state.print(out, "");
        }
    }

    // ---- config and listeners ----------------------------------------------------------------------------

    static void config(PrintWriter out, Map<String, Object> doc) {
        out.println("config " + doc.get("hash") + ", loaded " + doc.get("loaded_at"));
        Object error = doc.get("last_reload_error");
        out.println(error == null ? "last reload: no error" : "LAST RELOAD FAILED at " + doc.get("last_reload_error_at")
                + ": " + error);
        out.println();
        tree(out, map(doc.get("config")), "");
    }

    static void listeners(PrintWriter out, Map<String, Object> doc) {
        Table t = new Table("LISTENER", "PROTOCOL", "ADDRESS", ">BOUND PORT", "ACCESS LOG");
        for (Object o : list(doc.get("listeners"))) {
            Map<String, Object> l = map(o);
            long port = (long) number(l.get("bound_port"));
            t.row(l.get("name"), l.get("protocol"), l.get("address"), port == 0 ? "closed" : port,
                    l.get("access_log") == null ? "none" : l.get("access_log"));
        }
        print(out, t, "no listeners");
        if (doc.get("admin_address") != null) {
            out.println();
            out.println("admin server on " + doc.get("admin_address"));
        }
    }

    /** A JSON object as indented {@code key: value} lines, YAML-like, as the config file would say it. */
    private static void tree(PrintWriter out, Map<String, Object> m, String indent) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Map<?, ?> child) {
                if (child.isEmpty()) {
                    out.println(indent + e.getKey() + ": {}");
                } else {
                    out.println(indent + e.getKey() + ":");
                    tree(out, map(child), indent + "  ");
                }
            } else if (v instanceof List<?> items && !items.isEmpty() && items.get(0) instanceof Map) {
                out.println(indent + e.getKey() + ":");
                for (Object item : items) {
                    List<String> lines = new java.util.ArrayList<>();
                    java.io.StringWriter sw = new java.io.StringWriter();
                    PrintWriter pw = new PrintWriter(sw);
                    tree(pw, map(item), "");
                    pw.flush();
                    sw.toString().lines().forEach(lines::add);
                    for (int i = 0; i < lines.size(); i++) {
                        out.println(indent + (i == 0 ? "  - " : "    ") + lines.get(i));
                    }
                }
            } else {
                out.println(indent + e.getKey() + ": " + scalar(v));
            }
        }
    }

    private static String scalar(Object v) {
        if (v == null) {
            return "none";
        }
        if (v instanceof List<?> items) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < items.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(scalar(items.get(i)));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private static void print(PrintWriter out, Table t, String whenEmpty) {
        if (t.isEmpty()) {
            out.println(whenEmpty);
        } else {
            t.print(out, "");
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    static Object at(Map<String, Object> m, String... path) {
        Object o = m;
        for (String p : path) {
            o = map(o).get(p);
        }
        return o;
    }

    static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    /** {@code 12.3}, or {@code -} when absent. */
    static String decimal(Object o) {
        if (!(o instanceof Number n)) {
            return "-";
        }
        double d = n.doubleValue();
        return d >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.1f", d);
    }

    static String percent(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.1f%%", n.doubleValue()) : "-";
    }

    static String bytes(Object o) {
        double b = number(o);
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (b >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f B", b) : String.format(Locale.ROOT, "%.1f %s", b, units[u]);
    }

    /** {@code 45s}, {@code 3m05s}, {@code 2h03m}. */
    static String seconds(double s) {
        long t = Math.round(s);
        if (t < 60) {
            return t + "s";
        }
        if (t < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60);
    }
}
