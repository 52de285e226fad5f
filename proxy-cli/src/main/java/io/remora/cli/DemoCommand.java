package io.remora.cli;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.remora.config.load.ConfigLoader;
import io.remora.config.model.RemoraConfig;
import io.remora.config.validate.ConfigException;
import io.remora.core.server.ListenerBindException;
import io.remora.core.server.ProxyServer;
import io.remora.core.server.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code remora demo}: three small HTTP backends on loopback and Remora in front of them, from a config
 * embedded in the jar, so a newcomer sees the proxy work with one command and no files.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo HTTP backends on 127.0.0.1 (one healthy, one failing half its requests,"
                + " one slow) and Remora in front of them, send traffic through it and print a live table of what"
                + " each host gets and what the client sees; run until Ctrl-C.",
        footer = {"", "Examples:", "  remora demo                 # the resilience demo, 100 requests/s for 60 s",
                "  remora demo --no-load       # three healthy backends; then: curl -i http://127.0.0.1:15001/hello"})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "15001",
            description = "the listener port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @Option(names = "--no-load", description = "three healthy backends and no generated traffic: try it with curl")
    boolean noLoad;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long the generated traffic runs (default: ${DEFAULT-VALUE})")
    int durationSeconds;

    @Option(names = "--rate", paramLabel = "RPS", defaultValue = "100",
            description = "generated requests per second (default: ${DEFAULT-VALUE})")
    int rate;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Transport transport = Transport.choose();
        EventLoopGroup backendLoop = transport.newGroup(1, new DefaultThreadFactory("demo-backend"));
        List<DemoBackend> backends = new ArrayList<>();
        try {
            DemoBackend.Behaviour[] behaviours = noLoad
                    ? new DemoBackend.Behaviour[] {DemoBackend.Behaviour.HEALTHY, DemoBackend.Behaviour.HEALTHY,
                            DemoBackend.Behaviour.HEALTHY}
                    : new DemoBackend.Behaviour[] {DemoBackend.Behaviour.HEALTHY, DemoBackend.Behaviour.FAILS_HALF,
                            DemoBackend.Behaviour.SLOW};
            for (int i = 1; i <= 3; i++) {
                backends.add(new DemoBackend("backend-" + i, backendLoop, transport, behaviours[i - 1]));
            }
            int listenPort = port != 0 ? port : freeLoopbackPort();
            String yaml = template(noLoad ? "demo.yaml" : "demo-resilience.yaml")
                    .replace("${PORT}", Integer.toString(listenPort))
                    .replace("${B1}", Integer.toString(backends.get(0).port()))
                    .replace("${B2}", Integer.toString(backends.get(1).port()))
                    .replace("${B3}", Integer.toString(backends.get(2).port()));
            RemoraConfig cfg = ConfigLoader.parse(yaml, "embedded demo config");
            ProxyServer server;
            ProxyServer.Options options = ProxyServer.Options.defaults();
            if (port == 0) {
                // a free port for the admin server too, so that two demos (or a demo and a proxy) can run at once
                options = options.withAdminAddress(new java.net.InetSocketAddress("127.0.0.1", 0));
            }
            try {
                server = ProxyServer.start(cfg, options);
            } catch (ListenerBindException e) {
                spec.commandLine().getErr().println("remora: " + e.getMessage()
                        + " (try 'remora demo --port 0' to pick a free port)");
                return 1;
            }
            int bound = server.listenerAddress("demo").getPort();
            int adminPort = server.adminAddress().getPort();
            out.println("Remora demo: config used (embedded in the jar):");
            out.println();
            out.println(yaml.strip().indent(4).stripTrailing());
            out.println();
            out.println("Admin server on http://127.0.0.1:" + adminPort + "/  (try: remora admin clusters --admin"
                    + " 127.0.0.1:" + adminPort + ", or curl http://127.0.0.1:" + adminPort + "/stats/prometheus)");
            if (noLoad) {
                out.println("Listening on http://127.0.0.1:" + bound + "/  (three backends: backend-1, backend-2"
                        + " with weight 2, and backend-3 behind /canary/)");
                out.println("Try:");
                out.println("  curl -i http://127.0.0.1:" + bound + "/hello");
                out.println("  curl -i http://127.0.0.1:" + bound + "/canary/hello");
                out.println("  for i in 1 2 3; do curl -s http://127.0.0.1:" + bound + "/; done   # weighted round"
                        + " robin: 2, 1, 2");
                out.println("Ctrl-C stops it.");
                out.flush();
                new Supervisor(server).runUntilSignalled();
                return 0;
            }
            out.println("Listening on http://127.0.0.1:" + bound + "/  (backend-1 "
                    + behaviours[0].description + ", backend-2 " + behaviours[1].description + ", backend-3 "
                    + behaviours[2].description + ")");
            out.println("Sending " + rate + " requests/s for " + durationSeconds + " s; a table every second."
                    + " Try also: curl -i http://127.0.0.1:" + bound + "/hello   (Ctrl-C stops it)");
            out.flush();
            java.util.Map<Integer, String> names = new java.util.HashMap<>();
            for (int i = 0; i < backends.size(); i++) {
                names.put(backends.get(i).port(), "backend-" + (i + 1));
            }
            try (DemoLoad load = new DemoLoad(java.net.URI.create("http://127.0.0.1:" + bound + "/demo"),
                    Math.max(1, rate), java.time.Duration.ofSeconds(Math.max(1, durationSeconds)),
                    server.clusters().cluster("web"), names, out)) {
                load.start();
                new Supervisor(server).runUntilSignalled();
            }
            return 0;
        } catch (ConfigException e) {
            throw new IllegalStateException("the embedded demo config is invalid: " + e.getMessage(), e);
        } finally {
            backends.forEach(DemoBackend::close);
            backendLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A port that was free a moment ago (configs do not take port 0, so the demo asks the kernel first). */
    private static int freeLoopbackPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String template(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
