package io.remora.cli;

import io.remora.core.admin.JsonReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code remora admin clusters|stats|config|listeners}: what a running Remora is doing, read from its admin
 * server's JSON and printed as tables for a person at a terminal.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Show what a running Remora is doing, from its admin server: clusters (every host: health,"
                + " ejection, load, latency, success rate), stats (traffic, latency percentiles, retries, ejections),"
                + " config (the running config with its defaults) or listeners.",
        footer = {"", "Examples:", "  remora admin clusters", "  remora admin stats --admin 127.0.0.1:9902",
                "  curl -s http://127.0.0.1:9901/stats/prometheus   # the same data for Prometheus"})
final class AdminCommand implements Callable<Integer> {
    private static final List<String> VIEWS = List.of("clusters", "stats", "config", "listeners");

    @Parameters(index = "0", paramLabel = "VIEW", description = "clusters, stats, config or listeners")
    String view;

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9901",
            description = "the admin server's address, as in admin.address (default: ${DEFAULT-VALUE})")
    String admin;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        String v = view.toLowerCase(Locale.ROOT);
        if (!VIEWS.contains(v)) {
            err.println("remora: unknown view '" + view + "', expected one of: " + String.join(", ", VIEWS));
            return 2;
        }
        URI base;
        try {
            base = URI.create("http://" + admin);
            if (base.getHost() == null || base.getPort() < 0) {
                throw new IllegalArgumentException("no port");
            }
        } catch (IllegalArgumentException e) {
            err.println("remora: --admin " + admin + ": expected host:port, such as 127.0.0.1:9901");
            return 2;
        }
        String path = v.equals("stats") ? "/stats" : "/" + v;
        Map<String, Object> doc;
        try {
            doc = fetch(base, path);
        } catch (AdminUnreachable e) {
            err.println("remora: " + e.getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (v) {
            case "clusters" -> AdminViews.clusters(out, doc);
            case "stats" -> AdminViews.stats(out, doc);
            case "config" -> AdminViews.config(out, doc);
            default -> AdminViews.listeners(out, doc);
        }
        out.flush();
        return 0;
    }

    /** One sentence for an operator: why the admin data could not be had. */
    static final class AdminUnreachable extends Exception {
        private static final long serialVersionUID = 1L;

        AdminUnreachable(String message) {
            super(message);
        }
    }

    private Map<String, Object> fetch(URI base, String path) throws AdminUnreachable, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(3)).build();
        HttpResponse<String> r;
        try {
            r = client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new AdminUnreachable("cannot reach the admin server at " + admin + " (connection refused): is"
                    + " Remora running, and is --admin its admin.address?");
        } catch (HttpConnectTimeoutException e) {
            throw new AdminUnreachable("cannot reach the admin server at " + admin + " (connect timed out): is"
                    + " --admin its admin.address?");
        } catch (HttpTimeoutException e) {
            throw new AdminUnreachable("the admin server at " + admin + " did not answer " + path + " within 10 s");
        } catch (IOException e) {
            throw new AdminUnreachable("cannot reach the admin server at " + admin + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
        if (r.statusCode() != 200) {
            String first = r.body().lines().findFirst().orElse("");
            throw new AdminUnreachable("the admin server at " + admin + " answered " + r.statusCode() + " for "
                    + path + (first.isEmpty() ? "" : ": " + first));
        }
        try {
            return JsonReader.parseObject(r.body());
        } catch (IllegalArgumentException e) {
            throw new AdminUnreachable("the server at " + admin + " is not a Remora admin server (" + path
                    + " is not JSON)");
        }
    }
}
