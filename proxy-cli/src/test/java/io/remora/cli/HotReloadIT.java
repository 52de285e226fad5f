package io.remora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.remora.config.load.ConfigLoader;
import io.remora.core.admin.ConfigStatus;
import io.remora.core.admin.JsonReader;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload and graceful shutdown end to end: the packaged {@code remora.jar} run as a process ({@code remora
 * run --config FILE}), its config file changed on disk in every way operators and Kubernetes change it, while
 * clients keep sending requests over loopback; and SIGTERM in the middle of a long streaming response.
 *
 * <p>Every wait polls with a deadline; the only pauses are the clients' pacing and the streaming backend's own.
 */
@Timeout(90)
class HotReloadIT {
    private static final Path JAR = Path.of(System.getProperty("remora.jar", "target/remora.jar"));

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final List<HttpServer> backends = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Path stderr;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void cleanUp() {
        processes.forEach(Process::destroyForcibly);
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        backends.forEach(b -> b.stop(0));
        executors.forEach(ExecutorService::shutdownNow);
    }

    // ---- fixtures ---------------------------------------------------------------------------------------------

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A backend answering every request with its name (Content-Length); counts what it served. */
    private record Backend(String name, int port, AtomicInteger served) {
    }

    private Backend backend(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        AtomicInteger served = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        executors.add(pool);
        s.setExecutor(pool);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            served.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        backends.add(s);
        return new Backend(name, s.getAddress().getPort(), served);
    }

    private Process remora(Path config) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:+UseSerialGC", "-jar", JAR.toString(), "run", "--config", config.toString(), "--workers", "2");
        stderr = dir.resolve("remora-" + processes.size() + ".err");
        // to files, never to pipes nobody reads: a full pipe would block the proxy's logging
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("remora-" + processes.size() + ".out")
                .toFile()).redirectError(stderr.toFile()).start();
        processes.add(p);
        return p;
    }

    /** The proxy's log so far, for failure messages. */
    private String log() {
        try {
            String s = Files.readString(stderr);
            return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what
                        + "\n--- remora log ---\n" + log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private HttpResponse<String> admin(int adminPort, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private int status(int adminPort, String path) {
        HttpResponse<String> r = admin(adminPort, path);
        return r == null ? -1 : r.statusCode();
    }

    /** {@code remora_config_reloads_total{result=...}} from a live scrape. */
    private long reloads(int adminPort, String result) {
        HttpResponse<String> r = admin(adminPort, "/stats/prometheus");
        if (r == null || r.statusCode() != 200) {
            throw new AssertionError("no scrape: " + (r == null ? "unreachable" : r.statusCode()));
        }
        String prefix = "remora_config_reloads_total{result=\"" + result + "\"} ";
        return r.body().lines().filter(l -> l.startsWith(prefix)).mapToLong(l -> Long.parseLong(
                l.substring(prefix.length()).trim())).findFirst().orElseThrow(() -> new AssertionError(r.body()));
    }

    /** The value at {@code path} (member names and list indices) in a parsed JSON document. */
    private static Object at(Object root, Object... path) {
        Object o = root;
        for (Object p : path) {
            o = p instanceof Integer i ? ((List<?>) o).get(i) : ((Map<?, ?>) o).get(p);
        }
        return o;
    }

    /** The bound port of every listener, from {@code GET /listeners}. */
    @SuppressWarnings("unchecked")
    private List<Long> boundPorts(int adminPort) {
        HttpResponse<String> r = admin(adminPort, "/listeners");
        assertNotNull(r, "GET /listeners");
        List<Object> listeners = (List<Object>) JsonReader.parseObject(r.body()).get("listeners");
        List<Long> ports = new ArrayList<>();
        for (Object l : listeners) {
            ports.add(((Number) ((Map<String, Object>) l).get("bound_port")).longValue());
        }
        return ports;
    }

    private Map<String, Object> configJson(int adminPort) {
        HttpResponse<String> r = admin(adminPort, "/config");
        assertNotNull(r, "GET /config");
        assertEquals(200, r.statusCode(), r.body());
        return JsonReader.parseObject(r.body());
    }

    /**
     * A keep-alive HTTP/1.1 client on a plain socket that never retries: whatever goes wrong is the proxy's
     * doing and counts as a failed request (a JDK HttpClient would quietly resend a GET on a closed connection).
     */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Client(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        record Response(int status, Map<String, String> headers, String body) {
            boolean closes() {
                return "close".equalsIgnoreCase(headers.get("connection"));
            }
        }

        Response get(String path, boolean close) throws IOException {
            sendGet(path, close);
            return read();
        }

        void sendGet(String path, boolean close) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n" + (close ? "Connection: close\r\n" : "")
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        Response readHead() throws IOException {
            String status = line();
            if (status == null) {
                throw new IOException("connection closed before a response");
            }
            Map<String, String> h = new java.util.HashMap<>();
            for (String l; !(l = line()).isEmpty(); ) {
                int colon = l.indexOf(':');
                h.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            return new Response(Integer.parseInt(status.split(" ")[1]), h, "");
        }

        Response read() throws IOException {
            Response head = readHead();
            String body;
            if ("chunked".equalsIgnoreCase(head.headers().get("transfer-encoding"))) {
                body = readChunks(Integer.MAX_VALUE);
            } else {
                int n = Integer.parseInt(head.headers().getOrDefault("content-length", "0"));
                body = new String(in.readNBytes(n), StandardCharsets.UTF_8);
            }
            return new Response(head.status(), head.headers(), body);
        }

        /** Up to {@code max} chunks of a chunked body (all of it, with the last chunk and trailers, if fewer). */
        String readChunks(int max) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int i = 0; i < max; i++) {
                String size = line();
                if (size == null) {
                    throw new IOException("connection closed mid-body after " + body.size() + " bytes");
                }
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    return body.toString(StandardCharsets.UTF_8);
                }
                body.write(in.readNBytes(n));
                line();
            }
            return body.toString(StandardCharsets.UTF_8);
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    if (sb.length() == 0) {
                        return null;
                    }
                    throw new IOException("connection closed mid-line");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        /** True once the peer has closed (EOF or reset); false if data came instead. */
        boolean closedWithin(Duration d) throws IOException {
            socket.setSoTimeout((int) d.toMillis());
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Sends GETs in a loop and counts every outcome; any non-200 or error is a failed request. */
    private final class Traffic implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();

        /** A client that keeps one connection for all its requests. */
        void keepAlive(String name, int port) {
            start(name, () -> {
                try (Client c = new Client(port)) {
                    for (int i = 0; running.get(); i++) {
                        Client.Response r = c.get("/t/" + name + "/" + i, false);
                        count(name, r);
                        if (r.closes()) {
                            failures.add(name + ": the proxy closed a keep-alive connection (Connection: close)");
                            failed.incrementAndGet();
                            return;
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3)); // pacing
                    }
                }
            });
        }

        /** A client that opens a new connection for every request. */
        void newConnections(String name, int port) {
            start(name, () -> {
                for (int i = 0; running.get(); i++) {
                    try (Client c = new Client(port)) {
                        count(name, c.get("/t/" + name + "/" + i, true));
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3)); // pacing
                }
            });
        }

        private void count(String name, Client.Response r) {
            if (r.status() == 200 && (r.body().equals("A") || r.body().equals("B"))) {
                ok.incrementAndGet();
            } else {
                failed.incrementAndGet();
                failures.add(name + ": " + r);
            }
        }

        private interface Loop {
            void run() throws IOException;
        }

        private void start(String name, Loop loop) {
            Thread t = new Thread(() -> {
                try {
                    loop.run();
                } catch (IOException | RuntimeException e) {
                    failed.incrementAndGet();
                    failures.add(name + ": " + e);
                }
            }, "traffic-" + name);
            threads.add(t);
            t.start();
        }

        /** Stops every client after its request in flight. */
        void stop() {
            running.set(false);
            for (Thread t : threads) {
                try {
                    t.join(15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    // ---- 1. twenty changes, four ways, under traffic ----------------------------------------------------------

    private enum Way { CONFIGMAP, RENAME, IN_PLACE, DELETE_AND_CREATE }

    /** The config's directory, laid out as a Kubernetes ConfigMap volume to begin with. */
    private Path volume;
    private Path configFile;
    private Path data;
    private int generation;

    private String yaml(int adminPort, int port, int version, Integer extraPort, List<Backend> hosts) {
        StringBuilder s = new StringBuilder();
        s.append("# version ").append(version).append('\n');
        s.append("admin: { address: 127.0.0.1:").append(adminPort).append(" }\n");
        s.append("drain_timeout: 5s\n");
        s.append("listeners:\n");
        s.append("  - name: ingress\n");
        s.append("    address: 127.0.0.1:").append(port).append('\n');
        s.append("    routes:\n");
        s.append("      - match: { prefix: /v").append(version).append("/ }\n");
        s.append("        cluster: app\n");
        s.append("      - match: { prefix: /t/ }\n");
        s.append("        cluster: app\n");
        if (extraPort != null) {
            s.append("  - name: extra\n");
            s.append("    address: 127.0.0.1:").append(extraPort).append('\n');
            s.append("    routes:\n");
            s.append("      - match: { prefix: /t/ }\n");
            s.append("        cluster: app\n");
        }
        s.append("clusters:\n");
        s.append("  - name: app\n");
        s.append("    endpoints:\n");
        for (Backend b : hosts) {
            s.append("      - address: 127.0.0.1:").append(b.port()).append('\n');
        }
        return s.toString();
    }

    private void configMapVolume(String yaml) throws IOException {
        volume = Files.createDirectory(dir.resolve("volume"));
        Path first = Files.createDirectory(volume.resolve("..2026_11_22_00_00_00.000"));
        Files.writeString(first.resolve("remora.yaml"), yaml);
        data = Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
        configFile = Files.createSymbolicLink(volume.resolve("remora.yaml"), Path.of("..data", "remora.yaml"));
    }

    /** What the kubelet does: a new timestamped directory, a new {@code ..data} link renamed over the old one. */
    private void configMapUpdate(String yaml) throws IOException {
        Path old = volume.resolve(Files.readSymbolicLink(data));
        Path next = Files.createDirectory(volume.resolve("..2026_11_22_00_00_" + String.format("%02d", ++generation)
                + ".000"));
        Files.writeString(next.resolve("remora.yaml"), yaml);
        Path tmp = Files.createSymbolicLink(volume.resolve("..data_tmp"), next.getFileName());
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (!Files.isSymbolicLink(configFile)) {
            // a rename or a re-creation replaced the link with a plain file: put the ConfigMap layout back, as
            // atomically (a new link renamed over the file)
            Path link = Files.createSymbolicLink(volume.resolve(".remora.yaml.link"), Path.of("..data",
                    "remora.yaml"));
            Files.move(link, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.delete(old.resolve("remora.yaml"));
        Files.delete(old);
    }

    private void renameOver(String yaml) throws IOException {
        Path tmp = Files.writeString(volume.resolve(".remora.yaml.swp"), yaml);
        Files.move(tmp, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private record Change(int version, Way way, String invalid, String errorFragment) {
        boolean valid() {
            return invalid == null;
        }
    }

    @Test
    void twentyChangesInEveryWayUnderTrafficFailNoRequest() throws Exception {
        Backend a = backend("A");
        Backend b = backend("B");
        int port = freePort();
        int adminPort = freePort();
        int extraPort = freePort();
        final int addListenerAt = 4;
        final int removeHostAt = 14;
        java.util.function.IntFunction<String> valid = v -> yaml(adminPort, port, v,
                v >= addListenerAt ? extraPort : null, v >= removeHostAt ? List.of(a) : List.of(a, b));
        configMapVolume(valid.apply(0));
        Process p = remora(configFile);
        await("remora ready", Duration.ofSeconds(20), () -> status(adminPort, "/ready") == 200);

        // five ConfigMap updates as the kubelet makes them, then the other ways in turn (and the ConfigMap again,
        // which puts the link back over the plain file the others leave)
        List<Change> changes = new ArrayList<>();
        Way[] cycle = {Way.RENAME, Way.IN_PLACE, Way.DELETE_AND_CREATE, Way.CONFIGMAP};
        for (int v = 1; v <= 20; v++) {
            Way way = v <= 5 ? Way.CONFIGMAP : cycle[(v - 6) % 4];
            String text = valid.apply(v);
            Change c = switch (v) {
                case 2 -> new Change(v, way, text + "  - name: broken\n    endpoints: [ { address: 127.0.0.1:1 }\n",
                        "invalid YAML at line");
                case 7 -> new Change(v, way, text.replace("    routes:", "    rutes:"),
                        "listeners[0].rutes: unknown key, did you mean \"routes\"?");
                case 10 -> new Change(v, way, text.replace("127.0.0.1:" + a.port() + "\n", "127.0.0.1:99999\n"),
                        "clusters[0].endpoints[0].address: \"127.0.0.1:99999\": port must be 1-65535");
                case 12 -> new Change(v, way, text.replace("/v12/ }\n        cluster: app", "/v12/ }\n        cluster:"
                        + " nope"), "listeners[0].routes[0].cluster: \"nope\": no such cluster (clusters: app)");
                case 17 -> new Change(v, way, "# everything commented out by mistake\n# " + text.replace("\n",
                        "\n# ") + "\n", "the config is empty");
                default -> new Change(v, way, null, null);
            };
            changes.add(c);
        }
        assertEquals(5, changes.stream().filter(c -> !c.valid()).count());
        for (Way w : Way.values()) {
            assertTrue(changes.stream().anyMatch(c -> c.way() == w && c.valid()), w + " valid");
            assertTrue(changes.stream().anyMatch(c -> c.way() == w && !c.valid()), w + " invalid");
        }

        List<String> report = new ArrayList<>();
        long[] latencyByWay = new long[Way.values().length];
        int[] countByWay = new int[Way.values().length];
        long maxLatency = 0;
        long deletions = 0;
        int lastValid = 0;
        int bServedAfterRemoval = -1;
        Client[] probes = {new Client(port)};
        closeables.add(() -> probes[0].close());
        try (Traffic traffic = new Traffic()) {
            closeables.add(traffic);
            for (int i = 1; i <= 4; i++) {
                traffic.keepAlive("ka" + i, port);
            }
            traffic.newConnections("fresh", port);
            await("traffic flowing", Duration.ofSeconds(10), () -> traffic.ok.get() > 50);

            for (Change c : changes) {
                final long failuresAtStart = reloads(adminPort, "failure");
                long failuresBefore = failuresAtStart;
                long successesBefore = reloads(adminPort, "success");
                String text = c.valid() ? valid.apply(c.version()) : c.invalid();
                switch (c.way()) {
                    case CONFIGMAP -> configMapUpdate(text);
                    case RENAME -> renameOver(text);
                    case IN_PLACE -> Files.writeString(configFile, text); // truncates, then writes
                    case DELETE_AND_CREATE -> {
                        Files.delete(configFile);
                        // the deletion is a failed reload of its own, seen before the file comes back
                        await("the deletion of " + configFile + " reported", Duration.ofSeconds(5),
                                () -> reloads(adminPort, "failure") == failuresAtStart + 1);
                        String error = (String) configJson(adminPort).get("last_reload_error");
                        assertTrue(error != null && error.contains("no such file"), error);
                        deletions++;
                        failuresBefore++;
                        Files.writeString(configFile, text);
                    }
                    default -> throw new AssertionError(c.way());
                }
                long written = System.nanoTime();
                final long fb = failuresBefore;
                if (c.valid()) {
                    // behaviour first: the new route answers (404 NR before); then the counters and /config
                    String path = "/v" + c.version() + "/probe";
                    await("version " + c.version() + " serving (" + c.way() + ")", Duration.ofSeconds(5),
                            () -> probe(probes, port, path) == 200);
                    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
                    latencyByWay[c.way().ordinal()] += latency;
                    countByWay[c.way().ordinal()]++;
                    maxLatency = Math.max(maxLatency, latency);
                    report.add("v" + c.version() + " " + c.way() + ": serving after " + latency + " ms");
                    await("success counted", Duration.ofSeconds(5),
                            () -> reloads(adminPort, "success") == successesBefore + 1);
                    Map<String, Object> cfg = configJson(adminPort);
                    assertEquals(ConfigStatus.hash(ConfigLoader.parse(text, "expected")), cfg.get("hash"),
                            "version " + c.version());
                    assertNull(cfg.get("last_reload_error"));
                    assertEquals(fb, reloads(adminPort, "failure"));
                    lastValid = c.version();
                } else {
                    await("invalid version " + c.version() + " (" + c.way() + ") reported", Duration.ofSeconds(5),
                            () -> reloads(adminPort, "failure") == fb + 1);
                    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
                    report.add("v" + c.version() + " " + c.way() + ": invalid, reported after " + latency + " ms");
                    String error = (String) configJson(adminPort).get("last_reload_error");
                    assertTrue(error != null && error.contains(c.errorFragment()), "version " + c.version()
                            + ": " + error);
                    assertEquals(successesBefore, reloads(adminPort, "success"));
                    // the running config keeps serving, untouched
                    assertEquals(200, probe(probes, port, "/v" + lastValid + "/still"));
                    assertEquals(404, probe(probes, port, "/v" + c.version() + "/probe"));
                }
                if (c.version() == addListenerAt) {
                    try (Client x = new Client(extraPort)) {
                        Client.Response r = x.get("/t/extra-first", false);
                        assertEquals(200, r.status(), "the new listener serves: " + r);
                    }
                    traffic.keepAlive("extra", extraPort);
                }
                if (c.version() == removeHostAt) {
                    assertTrue(b.served().get() > 0, "B served nothing before it was removed");
                }
                if (c.version() == removeHostAt + 1) {
                    // a request that chose B just before the removal may have reached it since; none after this
                    bServedAfterRemoval = b.served().get();
                }
            }
            int aBefore = a.served().get();
            long okBefore = traffic.ok.get();
            await("more traffic on the final config", Duration.ofSeconds(10),
                    () -> traffic.ok.get() > okBefore + 100);
            traffic.stop();
            assertEquals(List.of(), List.copyOf(traffic.failures), "failed requests\n--- remora log ---\n" + log());
            assertEquals(0, traffic.failed.get());
            assertTrue(traffic.ok.get() > 500, "requests: " + traffic.ok.get());
            assertEquals(bServedAfterRemoval, b.served().get(), "the removed host got traffic");
            // A counts a request before the client counts its response: the two differ by the requests in flight
            assertTrue(a.served().get() > aBefore + 50, "A served " + (a.served().get() - aBefore));
            report.add("requests: " + traffic.ok.get() + " ok, " + traffic.failed.get() + " failed");
        }

        // the final config is the one in effect
        String last = valid.apply(20);
        Map<String, Object> cfg = configJson(adminPort);
        assertEquals(ConfigStatus.hash(ConfigLoader.parse(last, "expected")), cfg.get("hash"));
        assertNull(cfg.get("last_reload_error"));
        assertEquals(20, lastValid);
        assertEquals("ingress", at(cfg, "config", "listeners", 0, "name"));
        assertEquals("/v20/", at(cfg, "config", "listeners", 0, "routes", 0, "match", "prefix"));
        assertEquals("extra", at(cfg, "config", "listeners", 1, "name"));
        assertEquals("127.0.0.1:" + extraPort, at(cfg, "config", "listeners", 1, "address"));
        assertEquals(1, ((List<?>) at(cfg, "config", "clusters", 0, "endpoints")).size(), "B was removed");
        assertEquals("127.0.0.1:" + a.port(), at(cfg, "config", "clusters", 0, "endpoints", 0, "address"));
        try (Client c = new Client(extraPort)) {
            assertEquals("A", c.get("/t/final", false).body());
        }
        assertEquals(15, reloads(adminPort, "success"));
        assertEquals(5 + deletions, reloads(adminPort, "failure"));
        assertEquals(4, deletions);

        StringBuilder summary = new StringBuilder("reload latency (file written -> new config serving):");
        for (Way w : Way.values()) {
            if (countByWay[w.ordinal()] > 0) {
                summary.append(String.format(" %s avg %d ms (%d);", w, latencyByWay[w.ordinal()]
                        / countByWay[w.ordinal()], countByWay[w.ordinal()]));
            }
        }
        summary.append(" max ").append(maxLatency).append(" ms");
        report.add(summary.toString());
        // of which the apply step (parse, validate, bind, swap), as the proxy logs it
        java.util.IntSummaryStatistics apply = Pattern.compile("config file change applied in (\\d+) ms")
                .matcher(Files.readString(stderr)).results().mapToInt(m -> Integer.parseInt(m.group(1)))
                .summaryStatistics();
        assertEquals(15, apply.getCount(), log());
        report.add(String.format("apply step (logged by remora): avg %.0f ms, max %d ms", apply.getAverage(),
                apply.getMax()));
        report.forEach(System.out::println);
        Files.write(Path.of("target", "hot-reload-latency.txt"), report);

        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    /** True if a connection to {@code port} is refused. */
    private static boolean refused(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** One probe request on a reused connection (opened again if the proxy closed it); its status, or -1. */
    private static int probe(Client[] holder, int port, String path) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Client.Response r = holder[0].get(path, false);
                if (r.closes()) {
                    holder[0].close();
                    holder[0] = new Client(port);
                }
                return r.status();
            } catch (IOException e) {
                try {
                    holder[0].close();
                    holder[0] = new Client(port);
                } catch (IOException again) {
                    return -1;
                }
            }
        }
        return -1;
    }

    // ---- 2. a listener moved onto a port in use ----------------------------------------------------------------

    @Test
    void aReloadOntoAPortInUseIsRejectedAndTheOldListenerKeepsServing() throws Exception {
        Backend a = backend("A");
        int port = freePort();
        int adminPort = freePort();
        Path config = dir.resolve("remora.yaml");
        Files.writeString(config, yaml(adminPort, port, 1, null, List.of(a)));
        Process p = remora(config);
        await("remora ready", Duration.ofSeconds(20), () -> status(adminPort, "/ready") == 200);
        String hash = (String) configJson(adminPort).get("hash");
        try (Client keepAlive = new Client(port)) {
            assertEquals("A", keepAlive.get("/t/before", false).body());
            try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int busy = taken.getLocalPort();
                Files.writeString(config, yaml(adminPort, busy, 1, null, List.of(a)));
                await("the rejected reload counted", Duration.ofSeconds(5),
                        () -> reloads(adminPort, "failure") == 1);
                Map<String, Object> cfg = configJson(adminPort);
                assertEquals("cannot bind listener ingress to 127.0.0.1:" + busy + ": address already in use",
                        cfg.get("last_reload_error"));
                assertEquals(hash, cfg.get("hash"));
                assertEquals(0, reloads(adminPort, "success"));
                assertEquals(List.of((long) port), boundPorts(adminPort));
                // the old listener serves, on the connection it had and on new ones
                assertEquals("A", keepAlive.get("/t/after", false).body());
                try (Client fresh = new Client(port)) {
                    assertEquals("A", fresh.get("/t/new", true).body());
                }
            }
            // a move to a free port goes through: the idle connection on the old port is closed, the new one serves
            int moved = freePort();
            Files.writeString(config, yaml(adminPort, moved, 1, null, List.of(a)));
            await("the move applied", Duration.ofSeconds(5), () -> reloads(adminPort, "success") == 1);
            assertNull(configJson(adminPort).get("last_reload_error"));
            assertEquals(List.of((long) moved), boundPorts(adminPort));
            assertTrue(keepAlive.closedWithin(Duration.ofSeconds(5)), "the idle connection on the old port");
            try (Client fresh = new Client(moved)) {
                assertEquals("A", fresh.get("/t/moved", true).body());
            }
        }
        assertThrows(ConnectException.class, () -> new Client(port).close(), "the old port still accepts");
        p.destroy();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    /**
     * A change written while the proxy is still starting (here: waiting for its first health checks, which a
     * backend that accepts and never answers makes last 1.5 s) is applied once it runs.
     */
    @Test
    void aChangeWrittenWhileStartingIsApplied() throws Exception {
        Backend a = backend("A");
        int port = freePort();
        int adminPort = freePort();
        try (ServerSocket silent = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            String warming = "  - name: warming\n    endpoints: [ { address: 127.0.0.1:" + silent.getLocalPort()
                    + " } ]\n    health_check: { interval: 5s, timeout: 1500ms, http: { path: /health } }\n";
            Path config = dir.resolve("remora.yaml");
            Files.writeString(config, yaml(adminPort, port, 1, null, List.of(a)) + warming);
            Process p = remora(config);
            // the admin server answers once the config is loaded, before the clusters are warm
            await("config loaded", Duration.ofSeconds(20), () -> status(adminPort, "/healthz") == 200);
            assertEquals(503, status(adminPort, "/ready"), "still starting");
            Files.writeString(config, yaml(adminPort, port, 2, null, List.of(a)) + warming);
            await("remora ready", Duration.ofSeconds(20), () -> status(adminPort, "/ready") == 200);
            Client[] probes = {new Client(port)};
            closeables.add(() -> probes[0].close());
            await("the change made while starting applied", Duration.ofSeconds(5),
                    () -> probe(probes, port, "/v2/x") == 200);
            assertEquals(1, reloads(adminPort, "success"));
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        }
    }

    // ---- 3. SIGTERM during a long streaming response -------------------------------------------------------------

    @Test
    void sigtermLetsALongStreamFinishFailsReadyAndExitsZero() throws Exception {
        CountDownLatch drainingSeen = new CountDownLatch(1);
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        executors.add(pool);
        s.setExecutor(pool);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            if (!ex.getRequestURI().getPath().startsWith("/stream")) {
                byte[] body = "A".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
                return;
            }
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream out = ex.getResponseBody();
            out.write("chunk 0\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                // the test sends SIGTERM now and sees /ready fail; then the rest streams over another second or so
                drainingSeen.await(5, TimeUnit.SECONDS);
                for (int i = 1; i <= 10; i++) {
                    TimeUnit.MILLISECONDS.sleep(120); // the backend's pace
                    out.write(("chunk " + i + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        s.start();
        backends.add(s);
        Backend b = new Backend("A", s.getAddress().getPort(), new AtomicInteger());
        int port = freePort();
        int adminPort = freePort();
        Path config = dir.resolve("remora.yaml");
        Files.writeString(config, yaml(adminPort, port, 1, null, List.of(b)).replace("drain_timeout: 5s",
                "drain_timeout: 10s").replace("prefix: /t/ }", "prefix: / }"));
        Process p = remora(config);
        await("remora ready", Duration.ofSeconds(20), () -> status(adminPort, "/ready") == 200);

        try (Client idle = new Client(port); Client streaming = new Client(port)) {
            assertEquals("A", idle.get("/t/idle", false).body());
            streaming.sendGet("/stream", false);
            Client.Response head = streaming.readHead();
            assertEquals(200, head.status());
            assertEquals("chunked", head.headers().get("transfer-encoding"));
            assertEquals("chunk 0\n", streaming.readChunks(1));

            long term = System.nanoTime();
            p.destroy(); // SIGTERM
            await("/ready failing while draining", Duration.ofSeconds(5),
                    () -> status(adminPort, "/ready") == 503);
            assertEquals("draining\n", admin(adminPort, "/ready").body());
            await("no new connections accepted", Duration.ofSeconds(5), () -> refused(port));
            assertTrue(idle.closedWithin(Duration.ofSeconds(5)), "the idle keep-alive connection was closed");
            assertTrue(p.isAlive(), "remora exited with a response in flight");
            drainingSeen.countDown();

            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 10; i++) {
                expected.append("chunk ").append(i).append('\n');
            }
            assertEquals(expected.toString(), streaming.readChunks(Integer.MAX_VALUE), "the rest of the stream");
            assertTrue(streaming.closedWithin(Duration.ofSeconds(5)), "closed after the response");
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "remora did not exit after the drain");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - term);
            assertEquals(0, p.exitValue(), log());
            assertTrue(millis < 8_000, "exit took " + millis + " ms: the drain waited for its timeout");
            assertTrue(log().contains("drained, bye"), log());
        }
    }
}
