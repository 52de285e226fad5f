package io.remora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end: the packaged {@code remora.jar} run as a process, driven by a real HTTP client. */
@Timeout(60)
class RemoraCliIT {
    private static final Path JAR = Path.of(System.getProperty("remora.jar", "target/remora.jar"));

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private HttpServer backend;

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        if (backend != null) {
            backend.stop(0);
        }
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        processes.add(p);
        return p;
    }

    private record Result(int exit, String out, String err) {
    }

    private Result runToEnd(String... args) throws Exception {
        Process p = start(args);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "remora " + String.join(" ", args) + " did not exit");
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private int startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", ex -> {
            byte[] body = ("backend saw " + ex.getRequestURI() + " xff=" + ex.getRequestHeaders().getFirst(
                    "x-forwarded-for")).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        backend.start();
        return backend.getAddress().getPort();
    }

    /** A config whose admin server is on a free port, so that no test needs (or holds) the default 9901. */
    private String config(int listenPort, int backendPort) throws IOException {
        return config(listenPort, backendPort, freePort());
    }

    private String config(int listenPort, int backendPort, int adminPort) {
        return """
                admin: { address: 127.0.0.1:%d }
                listeners:
                  - name: ingress
                    address: 127.0.0.1:%d
                    routes:
                      - match: { prefix: / }
                        cluster: app
                clusters:
                  - name: app
                    endpoints: [ { address: 127.0.0.1:%d } ]
                """.formatted(adminPort, listenPort, backendPort);
    }

    @Test
    void validateAcceptsAGoodFile() throws Exception {
        Result r = runToEnd("validate", write("good.yaml", config(15001, 8081)).toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("OK", r.out().strip());
    }

    @Test
    void validateListsEveryErrorWithItsPath() throws Exception {
        Path bad = write("bad.yaml", """
                listeners:
                  - name: ingress
                    address: 127.0.0.1:15001
                    rutes:
                      - match: { prefix: / }
                        cluster: app
                clusters:
                  - name: app
                    endpoints: [ { address: "127.0.0.1:99999" } ]
                """);
        Result r = runToEnd("validate", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("listeners[0].rutes: unknown key, did you mean \"routes\"?"), r.err());
        assertTrue(r.err().contains("clusters[0].endpoints[0].address: \"127.0.0.1:99999\": port must be 1-65535"),
                r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void runProxiesTrafficAndExitsZeroOnSigterm() throws Exception {
        int backendPort = startBackend();
        int port = freePort();
        Process p = start("run", "--config", write("run.yaml", config(port, backendPort)).toString(),
                "--workers", "1");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> r = awaitResponse(client, URI.create("http://127.0.0.1:" + port + "/hello"));
        assertEquals(200, r.statusCode());
        assertEquals("backend saw /hello xff=127.0.0.1", r.body());
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "remora did not stop on SIGTERM");
        assertEquals(0, p.exitValue());
    }

    /**
     * The resilience demo: one backend failing half its requests and one slow, yet the client sees every request
     * succeed once retries and ejection act (the issue asks for >= 99.9% once ejection has kicked in).
     */
    @Test
    void resilienceDemoKeepsTheClientWhole() throws Exception {
        Process p = start("demo", "--port", "0", "--duration", "4", "--rate", "100");
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        String lastSummary = null;
        boolean ejected = false;
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.contains("] client: ")) {
                lastSummary = line;
            }
            ejected |= line.contains("backend-2") && line.contains("EJECTED");
            if (line.startsWith("Load finished")) {
                break;
            }
        }
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertTrue(ejected, "backend-2 (failing half its requests) was never shown ejected");
        assertTrue(lastSummary != null, "no client summary printed");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("client: (\\d+) requests, ([0-9.]+)% ok overall")
                .matcher(lastSummary);
        assertTrue(m.find(), lastSummary);
        assertTrue(Integer.parseInt(m.group(1)) >= 300, lastSummary);
        assertTrue(Double.parseDouble(m.group(2)) >= 99.0, lastSummary);
    }

    private static HttpResponse<String> awaitResponse(HttpClient client, URI uri) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e;
                TimeUnit.MILLISECONDS.sleep(50); // polling for the listener to come up, with a deadline
            }
        }
        throw new AssertionError("no response from " + uri, last);
    }

    @Test
    void adminShowsTheRunningProxyAsTables() throws Exception {
        int backendPort = startBackend();
        int port = freePort();
        int adminPort = freePort();
        Process p = start("run", "--config", write("admin.yaml", config(port, backendPort, adminPort)).toString(),
                "--workers", "1");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> ready = awaitResponse(client, URI.create("http://127.0.0.1:" + adminPort + "/ready"));
        assertEquals(200, ready.statusCode());
        assertEquals(200, awaitResponse(client, URI.create("http://127.0.0.1:" + port + "/x")).statusCode());
        String admin = "127.0.0.1:" + adminPort;

        Result clusters = runToEnd("admin", "clusters", "--admin", admin);
        assertEquals(0, clusters.exit(), clusters.err());
        assertTrue(clusters.out().startsWith("cluster app  (round_robin, 1 of 1 hosts available"), clusters.out());
        assertTrue(clusters.out().contains("ADDRESS"), clusters.out());
        assertTrue(clusters.out().contains("127.0.0.1:" + backendPort), clusters.out());

        Result stats = runToEnd("admin", "stats", "--admin", admin);
        assertEquals(0, stats.exit(), stats.err());
        assertTrue(stats.out().startsWith("uptime "), stats.out());
        assertTrue(stats.out().contains("LISTENER") && stats.out().contains("ingress"), stats.out());
        assertTrue(stats.out().contains("CLUSTER") && stats.out().contains("app"), stats.out());

        Result config = runToEnd("admin", "config", "--admin", admin);
        assertEquals(0, config.exit(), config.err());
        assertTrue(config.out().startsWith("config sha256:"), config.out());
        assertTrue(config.out().contains("\ndrain_timeout: 15s\n"), config.out());
        assertTrue(config.out().contains("  - name: ingress\n"), config.out());

        Result listeners = runToEnd("admin", "listeners", "--admin", admin);
        assertEquals(0, listeners.exit(), listeners.err());
        assertTrue(listeners.out().lines().anyMatch(l -> l.matches("ingress +http +127\\.0\\.0\\.1:" + port + " +"
                + port + " +none")), listeners.out());

        String prometheus = awaitResponse(client, URI.create("http://127.0.0.1:" + adminPort + "/stats/prometheus"))
                .body();
        assertTrue(prometheus.contains("remora_downstream_connections_total{listener=\"ingress\"} 1"), prometheus);
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    @Test
    void adminWithNothingListeningIsOneSentence() throws Exception {
        int nobody = freePort();
        Result r = runToEnd("admin", "clusters", "--admin", "127.0.0.1:" + nobody);
        assertEquals(1, r.exit());
        assertEquals("remora: cannot reach the admin server at 127.0.0.1:" + nobody + " (connection refused): is"
                + " Remora running, and is --admin its admin.address?", r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    void adminRefusesAnUnknownView() throws Exception {
        Result r = runToEnd("admin", "hosts");
        assertEquals(2, r.exit());
        assertEquals("remora: unknown view 'hosts', expected one of: clusters, stats, config, listeners",
                r.err().strip());
    }

    @Test
    void missingConfigFileIsOneSentence() throws Exception {
        Result r = runToEnd("run", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("nope.yaml"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void portInUseIsOneSentence() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Result r = runToEnd("run", "--config", write("busy.yaml", config(taken.getLocalPort(), 8081)).toString());
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("cannot bind listener ingress to 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use"), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
        }
    }

    @Test
    void badFlagIsOneSentenceAndExitTwo() throws Exception {
        Result r = runToEnd("run", "--nope");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("remora: "), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void versionNamesTheBuild() throws Exception {
        Result r = runToEnd("version");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("remora 0."), r.out());
        assertTrue(r.out().contains("netty 4.2.14.Final"), r.out());
    }

    @Test
    void demoServesThroughTheProxy() throws Exception {
        Process p = start("demo", "--port", "0", "--no-load");
        String listening = null;
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("Listening on ")) {
                listening = line.substring("Listening on ".length(), line.indexOf('/', "Listening on http://".length())
                        + 1);
                break;
            }
        }
        assertTrue(listening != null, "demo printed no listener URL");
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(listening + "canary/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"backend\":\"backend-3\""), r.body());
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }
}
