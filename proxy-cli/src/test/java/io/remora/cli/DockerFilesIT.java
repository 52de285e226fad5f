package io.remora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.load.ConfigLoader;
import io.remora.config.model.ListenerConfig;
import io.remora.config.model.RemoraConfig;
import io.remora.core.admin.JsonReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What can be checked of {@code docker/} without a Docker engine (none on the build machines): the files the
 * Dockerfile copies exist after {@code package}, its JVM flags start this JVM, the compose file and the Kubernetes
 * manifests parse and fit together, the Remora configs they carry are valid, and {@code remora-http} (the probes'
 * and preStop's client) works against a running Remora.
 */
@Timeout(60)
class DockerFilesIT {
    private static final Path JAR = Path.of(System.getProperty("remora.jar", "target/remora.jar"));
    private static final Path ROOT = findRoot();
    private static final Path DOCKER = ROOT.resolve("docker");

    @TempDir
    Path dir;

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker/Dockerfile")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new AssertionError("no docker/Dockerfile above " + Path.of("").toAbsolutePath());
    }

    // ---- Dockerfile --------------------------------------------------------------------------------------------

    private record Instruction(int stage, String keyword, String args) {
    }

    /** The Dockerfile's instructions, continuation lines joined, comments dropped; stage 0 is the first FROM. */
    private static List<Instruction> dockerfile() throws IOException {
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        int stage = -1;
        for (String raw : Files.readAllLines(DOCKER.resolve("Dockerfile"))) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.length() == 0)) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            pending.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (continues) {
                continue;
            }
            String text = pending.toString().strip();
            pending.setLength(0);
            int space = text.indexOf(' ');
            String keyword = text.substring(0, space).toUpperCase(java.util.Locale.ROOT);
            if (keyword.equals("FROM")) {
                stage++;
            }
            out.add(new Instruction(stage, keyword, text.substring(space + 1).strip()));
        }
        return out;
    }

    private static List<Instruction> all(List<Instruction> is, String keyword) {
        return is.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> entrypoint(List<Instruction> is) {
        List<Instruction> e = all(is, "ENTRYPOINT");
        assertEquals(1, e.size());
        return (List<String>) (List<?>) JsonReader.parse(e.get(0).args());
    }

    @Test
    void theDockerfileBuildsTheJarItCopiesAndRunsItAsTheIssueSays() throws Exception {
        List<Instruction> is = dockerfile();
        List<Instruction> from = all(is, "FROM");
        assertEquals(2, from.size(), "multi-stage: a build stage and a runtime stage");
        assertEquals("maven:3-eclipse-temurin-17 AS build", from.get(0).args());
        assertEquals("eclipse-temurin:17-jre", from.get(1).args());
        assertTrue(all(is, "RUN").stream().anyMatch(r -> r.stage() == 0 && r.args().endsWith(
                "mvn -q -B -DskipTests package")), "the build stage runs the CI build without tests");
        String workdir = all(is, "WORKDIR").stream().filter(w -> w.stage() == 0).findFirst().orElseThrow().args();

        // every file copied from the build context exists; what is copied from the build stage is what
        // `package` leaves in the checkout (the build stage's WORKDIR holds the checkout)
        String jarInImage = null;
        String configInImage = null;
        for (Instruction c : all(is, "COPY")) {
            List<String> words = new ArrayList<>(List.of(c.args().split("\\s+")));
            boolean fromBuild = words.remove("--from=build");
            words.removeIf(w -> w.startsWith("--"));
            String dest = words.remove(words.size() - 1);
            for (String src : words) {
                Path local = fromBuild ? ROOT.resolve(Path.of(workdir).relativize(Path.of(src)).toString())
                        : ROOT.resolve(src);
                assertTrue(Files.exists(local), c + ": " + local + " does not exist");
                if (fromBuild) {
                    assertEquals(ROOT.resolve("proxy-cli/target/remora.jar"), local);
                    assertEquals(JAR.toAbsolutePath().normalize(), local.toAbsolutePath().normalize());
                    jarInImage = dest;
                }
                if (src.equals("docker/remora.yaml")) {
                    configInImage = dest;
                }
            }
        }
        try (JarFile jar = new JarFile(ROOT.resolve("proxy-cli/target/remora.jar").toFile())) {
            assertEquals("io.remora.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
        }

        List<String> entry = entrypoint(is);
        assertEquals("java", entry.get(0));
        assertEquals(List.of("-jar", "/opt/remora/remora.jar", "run", "--config", "/etc/remora/remora.yaml"),
                entry.subList(entry.size() - 5, entry.size()));
        assertEquals("/opt/remora/remora.jar", jarInImage);
        assertEquals("/etc/remora/remora.yaml", configInImage);

        // the JVM flags are flags this JVM (17) accepts
        List<String> flags = entry.subList(1, entry.size() - 5);
        assertTrue(flags.containsAll(List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx128m", "-XX:+ExitOnOutOfMemoryError"))
                && flags.stream().anyMatch(f -> f.startsWith("-XX:MaxDirectMemorySize=")), flags.toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(flags);
        cmd.add("-version");
        Process java = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(java.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, java.exitValue(), out);
        assertFalse(out.contains("warning"), out);

        // a non-root user, by number (Kubernetes' runAsNonRoot can only check a number)
        List<Instruction> user = all(is, "USER");
        assertEquals(1, user.size());
        assertTrue(user.get(0).args().matches("[1-9][0-9]*(:[0-9]+)?"), user.get(0).args());
        assertEquals(dockerUid(), Integer.parseInt(user.get(0).args().split(":")[0]));

        // the health check asks the admin API's /ready, with the client the image carries
        List<Instruction> health = all(is, "HEALTHCHECK");
        assertEquals(1, health.size());
        assertTrue(health.get(0).args().contains("CMD [\"remora-http\", \"GET\", \"/ready\"]"), health.get(0).args());
        assertTrue(all(is, "COPY").stream().anyMatch(c -> c.args().endsWith("docker/remora-http /usr/local/bin/remora-http")));
        assertTrue(Files.isExecutable(DOCKER.resolve("remora-http")));

        // the default config is valid, its admin API is where remora-http looks by default, its listener exposed
        RemoraConfig baked = ConfigLoader.load(DOCKER.resolve("remora.yaml"));
        assertEquals("127.0.0.1:9901", baked.admin().address().toString());
        List<String> exposed = List.of(all(is, "EXPOSE").get(0).args().split("\\s+"));
        for (ListenerConfig l : baked.listeners()) {
            assertTrue(exposed.contains(String.valueOf(l.address().port())), l.name() + " not exposed: " + exposed);
            assertEquals("0.0.0.0", l.address().host(), "a listener in a container must listen on all interfaces");
        }
        assertTrue(exposed.contains("9901"));
    }

    private static int dockerUid() throws IOException {
        Matcher m = Pattern.compile("useradd [^\\n]*--uid (\\d+)").matcher(Files.readString(DOCKER.resolve(
                "Dockerfile")));
        assertTrue(m.find(), "useradd --uid");
        return Integer.parseInt(m.group(1));
    }

    // ---- compose -----------------------------------------------------------------------------------------------

    private static Object yaml(Path file) throws IOException {
        return new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
    }

    private static List<Object> yamlDocuments(Path file) throws IOException {
        List<Object> docs = new ArrayList<>();
        new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadAllFromString(Files.readString(file))
                .forEach(d -> {
                    if (d != null) {
                        docs.add(d);
                    }
                });
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String... path) {
        Object v = o;
        for (String p : path) {
            assertTrue(v instanceof Map, "not a map at " + p + ": " + v);
            v = ((Map<String, Object>) v).get(p);
            assertNotNull(v, "missing " + p);
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertTrue(o instanceof List, "not a list: " + o);
        return (List<Object>) o;
    }

    private static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(duration);
        assertTrue(m.matches(), duration);
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n / 1000;
            case "m" -> n * 60;
            default -> n;
        };
    }

    @Test
    void composeRunsRemoraInFrontOfTwoBackendsWithAValidMountedConfig() throws Exception {
        Path compose = DOCKER.resolve("compose.yaml");
        Map<String, Object> services = map(yaml(compose), "services");
        Map<String, Object> remora = map(services, "remora");
        Map<String, Object> build = map(remora, "build");
        Path context = DOCKER.resolve((String) build.get("context")).normalize();
        assertEquals(ROOT, context);
        assertTrue(Files.isRegularFile(context.resolve((String) build.get("dockerfile"))));

        // the config directory is mounted where the image reads its config
        String volume = (String) list(remora.get("volumes")).get(0);
        String[] parts = volume.split(":");
        assertEquals("/etc/remora", parts[1]);
        Path mounted = DOCKER.resolve(parts[0]).normalize().resolve("remora.yaml");
        RemoraConfig config = ConfigLoader.load(mounted);

        // every endpoint is a demo backend of the compose file, on the port it listens on
        List<String> backends = new ArrayList<>();
        config.clusters().forEach(c -> c.endpoints().forEach(e -> {
            Map<String, Object> backend = map(services, e.address().host());
            assertTrue(String.valueOf(backend.get("command")).contains("-listen=:" + e.address().port()),
                    e.address() + " vs " + backend);
            backends.add(e.address().host());
        }));
        assertEquals(List.of("backend-1", "backend-2"), backends);
        assertEquals(backends, list(remora.get("depends_on")));

        // the published ports reach the listener and the admin API (which must allow it: not loopback)
        List<Object> ports = list(remora.get("ports"));
        for (ListenerConfig l : config.listeners()) {
            assertTrue(ports.contains(l.address().port() + ":" + l.address().port()), l + " not published");
        }
        assertTrue(ports.contains("127.0.0.1:" + config.admin().address().port() + ":" + config.admin().address()
                .port()), "admin published on the host's loopback only: " + ports);
        assertTrue(config.admin().allowRemote());
        assertTrue(seconds((String) remora.get("stop_grace_period")) > config.drainTimeout().toSeconds(),
                "stop_grace_period must exceed drain_timeout");
    }

    // ---- Kubernetes --------------------------------------------------------------------------------------------

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesExampleParsesAndFitsTogether() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(DOCKER.resolve("k8s"))) {
            files = s.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        for (Path f : files) {
            List<Object> docs = yamlDocuments(f);
            assertFalse(docs.isEmpty(), f + " is empty");
            for (Object d : docs) {
                Map<String, Object> doc = map(d);
                assertNotNull(doc.get("apiVersion"), f + ": apiVersion");
                assertNotNull(map(doc, "metadata").get("name"), f + ": metadata.name");
                assertNull(byKind.put((String) doc.get("kind"), doc), "one " + doc.get("kind") + " expected");
            }
        }
        Map<String, Object> configMap = byKind.get("ConfigMap");
        Map<String, Object> deployment = byKind.get("Deployment");
        Map<String, Object> service = byKind.get("Service");
        assertNotNull(configMap);
        assertNotNull(deployment);
        assertNotNull(service);

        // the Remora config the ConfigMap holds is valid
        String embedded = (String) map(configMap, "data").get("remora.yaml");
        RemoraConfig config = ConfigLoader.parse(embedded, "docker/k8s/configmap.yaml#data.remora.yaml");
        assertTrue(config.admin().address().host().equals("127.0.0.1"),
                "the probes are exec probes inside the pod: the admin API stays on loopback");

        Map<String, Object> pod = map(deployment, "spec", "template", "spec");
        assertEquals(map(deployment, "spec", "selector", "matchLabels"), map(deployment, "spec", "template",
                "metadata", "labels"));
        List<Object> containers = list(pod.get("containers"));
        assertEquals(2, containers.size(), "an application and the Remora sidecar");
        Map<String, Object> remora = null;
        for (Object o : containers) {
            Map<String, Object> c = map(o);
            for (String kind : List.of("requests", "limits")) {
                Map<String, Object> r = map(c, "resources", kind);
                assertNotNull(r.get("cpu"), c.get("name") + " " + kind + ".cpu");
                assertNotNull(r.get("memory"), c.get("name") + " " + kind + ".memory");
            }
            if ("remora".equals(c.get("name"))) {
                remora = c;
            }
        }
        assertNotNull(remora);

        // the ConfigMap is mounted as a directory (never subPath) where the image reads its config
        String volumeName = null;
        for (Object v : list(pod.get("volumes"))) {
            Map<String, Object> vm = map(v);
            if (vm.get("configMap") instanceof Map<?, ?> cm && map(configMap, "metadata").get("name").equals(
                    cm.get("name"))) {
                volumeName = (String) vm.get("name");
            }
        }
        assertNotNull(volumeName, "no volume from the ConfigMap");
        Map<String, Object> mount = null;
        for (Object m : list(remora.get("volumeMounts"))) {
            if (volumeName.equals(map(m).get("name"))) {
                mount = map(m);
            }
        }
        assertNotNull(mount, "the ConfigMap volume is not mounted in the remora container");
        assertNull(mount.get("subPath"), "a subPath mount is never updated");
        List<String> entry = entrypoint(dockerfile());
        assertEquals(Path.of(entry.get(entry.size() - 1)).getParent().toString(), mount.get("mountPath"));
        assertTrue(map(configMap, "data").containsKey(Path.of(entry.get(entry.size() - 1)).getFileName()
                .toString()));

        // probes on /ready and /healthz, a preStop that drains, each an admin endpoint that exists
        String readiness = String.valueOf(map(remora, "readinessProbe", "exec").get("command"));
        String liveness = String.valueOf(map(remora, "livenessProbe", "exec").get("command"));
        String preStop = String.valueOf(map(remora, "lifecycle", "preStop", "exec").get("command"));
        assertTrue(readiness.contains("remora-http, GET, /ready"), readiness);
        assertTrue(liveness.contains("remora-http, GET, /healthz"), liveness);
        assertTrue(preStop.contains("remora-http POST /drain"), preStop);
        Matcher sleeps = Pattern.compile("sleep (\\d+)").matcher(preStop);
        long preStopSeconds = 0;
        while (sleeps.find()) {
            preStopSeconds += Long.parseLong(sleeps.group(1));
        }
        long grace = ((Number) pod.get("terminationGracePeriodSeconds")).longValue();
        assertTrue(grace > config.drainTimeout().toSeconds(), "terminationGracePeriodSeconds " + grace
                + " <= drain_timeout");
        assertTrue(grace > preStopSeconds, "the preStop alone outlasts the grace period");
        assertTrue(preStopSeconds >= config.drainTimeout().toSeconds(), "the preStop waits for the drain");

        // the listener's port is the container port the Service targets; the pod runs as the image's user
        ListenerConfig inbound = config.listeners().get(0);
        assertEquals("0.0.0.0", inbound.address().host());
        Map<String, Object> port = map(list(remora.get("ports")).get(0));
        assertEquals(inbound.address().port(), ((Number) port.get("containerPort")).intValue());
        Map<String, Object> servicePort = map(list(map(service, "spec").get("ports")).get(0));
        assertEquals(port.get("name"), servicePort.get("targetPort"));
        assertEquals(map(service, "spec", "selector"), map(deployment, "spec", "template", "metadata", "labels"));
        assertEquals(dockerUid(), ((Number) map(remora, "securityContext").get("runAsUser")).intValue());
    }

    // ---- remora-http against a running Remora -------------------------------------------------------------------

    private record Run(int exit, String out) {
    }

    private static Run remoraHttp(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", DOCKER.resolve("remora-http").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void remoraHttpIsWhatTheProbesAndThePreStopNeed() throws Exception {
        int admin = freePort();
        Path config = Files.writeString(dir.resolve("remora.yaml"), """
                admin: { address: 127.0.0.1:%d }
                listeners:
                  - name: inbound
                    address: 127.0.0.1:%d
                    routes: [ { match: { prefix: / }, cluster: app } ]
                clusters:
                  - name: app
                    endpoints: [ { address: 127.0.0.1:%d } ]
                """.formatted(admin, freePort(), freePort()));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-jar", JAR.toString(), "run", "--config", config.toString(), "--workers", "1")
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        try {
            String address = "127.0.0.1:" + admin;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Run ready = remoraHttp("GET", "/ready", address);
            while (ready.exit() != 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50); // polling for the process to come up, with a deadline
                ready = remoraHttp("GET", "/ready", address);
            }
            assertEquals(new Run(0, "ready\n"), ready);
            assertEquals(0, remoraHttp("GET", "/healthz", address).exit());
            Run config200 = remoraHttp("GET", "/config", address);
            assertEquals(0, config200.exit());
            assertTrue(config200.out().startsWith("{") && config200.out().contains("\"hash\""), config200.out());
            assertEquals(1, remoraHttp("GET", "/no-such-endpoint", address).exit(), "a 404 is a failure");
            Run drain = remoraHttp("POST", "/drain", address);
            assertEquals(0, drain.exit(), drain.out());
            assertTrue(drain.out().contains("\"draining\": true"), drain.out());
            assertEquals(new Run(1, "draining\n"), remoraHttp("GET", "/ready", address), "503 once draining");
            assertTrue(p.isAlive(), "POST /drain does not stop the process; SIGTERM does");
            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertEquals(2, remoraHttp("GET", "/ready", address).exit(), "nobody listening");
        } finally {
            p.destroyForcibly();
        }
    }
}
