package io.remora.cli;

import io.remora.config.load.ConfigLoader;
import io.remora.config.model.RemoraConfig;
import io.remora.config.validate.ConfigException;
import io.remora.core.server.ListenerBindException;
import io.remora.core.server.ProxyServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code remora run --config FILE}: the proxy itself. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the proxy with a config file, watched and hot-reloaded: a valid change applies within"
                + " a second without dropping a request, an invalid one is logged and changes nothing. SIGINT/SIGTERM"
                + " drain in-flight requests (up to drain_timeout) and exit 0; a second signal exits at once.",
        footer = {"", "Examples:", "  remora run --config /etc/remora/remora.yaml",
                "  remora run -c remora.yaml --workers 1      # one event loop (one core)"})
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML config file")
    Path config;

    @Option(names = "--workers", paramLabel = "N",
            description = "event loops, each serving its own connections (default: number of CPUs)")
    Integer workers;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        RemoraConfig cfg;
        // Fix: hashed before loading, not after the (possibly long) start: a change made while the proxy started
        // was taken for the content already loaded and never applied.
        String loadedHash = io.remora.config.watch.FileWatcher.read(config).hash();
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            ValidateCommand.printErrors(spec.commandLine().getErr(), config, e);
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("remora: cannot read config file " + config + ": "
                    + ValidateCommand.reason(e));
            return 1;
        }
        if (workers != null && workers < 1) {
            spec.commandLine().getErr().println("remora: --workers must be at least 1, got " + workers);
            return 2;
        }
        ProxyServer.Options options = ProxyServer.Options.defaults();
        if (workers != null) {
            options = options.withWorkerThreads(workers);
        }
        ProxyServer server;
        try {
            server = ProxyServer.start(cfg, options);
        } catch (ListenerBindException e) {
            spec.commandLine().getErr().println("remora: " + e.getMessage());
            return 1;
        }
        try (ConfigReloader reloader = new ConfigReloader(config, server)) {
            reloader.start(loadedHash);
            new Supervisor(server).runUntilSignalled();
        }
        return 0;
    }
}
