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
        description = "Start three demo HTTP backends on 127.0.0.1 and Remora in front of them, print the config"
                + " and a curl line to try, and run until Ctrl-C.",
        footer = {"", "Example:", "  remora demo            # then: curl -i http://127.0.0.1:15001/hello"})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "15001",
            description = "the listener port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
    int port;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Transport transport = Transport.choose();
        EventLoopGroup backendLoop = transport.newGroup(1, new DefaultThreadFactory("demo-backend"));
        List<DemoBackend> backends = new ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                backends.add(new DemoBackend("backend-" + i, backendLoop, transport));
            }
            int listenPort = port != 0 ? port : freeLoopbackPort();
            String yaml = template()
                    .replace("${PORT}", Integer.toString(listenPort))
                    .replace("${B1}", Integer.toString(backends.get(0).port()))
                    .replace("${B2}", Integer.toString(backends.get(1).port()))
                    .replace("${B3}", Integer.toString(backends.get(2).port()));
            RemoraConfig cfg = ConfigLoader.parse(yaml, "embedded demo config");
            ProxyServer server;
            try {
                server = ProxyServer.start(cfg, ProxyServer.Options.defaults());
            } catch (ListenerBindException e) {
                spec.commandLine().getErr().println("remora: " + e.getMessage()
                        + " (try 'remora demo --port 0' to pick a free port)");
                return 1;
            }
            int bound = server.listenerAddress("demo").getPort();
            out.println("Remora demo: config used (embedded in the jar):");
            out.println();
            out.println(yaml.strip().indent(4).stripTrailing());
            out.println();
            out.println("Listening on http://127.0.0.1:" + bound + "/  (three backends: backend-1, backend-2 with"
                    + " weight 2, and backend-3 behind /canary/)");
            out.println("Try:");
            out.println("  curl -i http://127.0.0.1:" + bound + "/hello");
            out.println("  curl -i http://127.0.0.1:" + bound + "/canary/hello");
            out.println("  for i in 1 2 3; do curl -s http://127.0.0.1:" + bound + "/; done   # weighted round"
                    + " robin: 2, 1, 2");
            out.println("Ctrl-C stops it.");
            out.flush();
            new Supervisor(server, cfg.drainTimeout()).runUntilSignalled();
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

    static String template() throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("demo.yaml")) {
            if (in == null) {
                throw new IOException("demo.yaml missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
