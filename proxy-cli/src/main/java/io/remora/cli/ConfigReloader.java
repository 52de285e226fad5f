package io.remora.cli;

import io.remora.config.load.ConfigLoader;
import io.remora.config.model.RemoraConfig;
import io.remora.config.validate.ConfigException;
import io.remora.config.validate.ValidationError;
import io.remora.config.watch.FileSnapshot;
import io.remora.config.watch.FileWatcher;
import io.remora.core.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Hot reload for {@code remora run}: watches the config file for the process's whole life and hands every
 * valid new version to {@link ProxyServer#reload}. An invalid or missing file changes nothing: every error is
 * logged with its path, {@code /config} shows it and {@code remora_config_reloads_total{result="failure"}}
 * counts it, and the running config keeps serving.
 */
final class ConfigReloader implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConfigReloader.class.getName());

    private final Path file;
    private final ProxyServer server;
    private final FileWatcher watcher = FileWatcher.withDefaults();

    ConfigReloader(Path file, ProxyServer server) {
        this.file = file;
        this.server = server;
    }

    /** @param loadedHash hash of the file content the server started with, so it is not reloaded again */
    void start(String loadedHash) {
        watcher.watch(file, loadedHash, this::onChange);
        watcher.start();
    }

    private void onChange(FileSnapshot snapshot) {
        long started = System.nanoTime();
        if (!snapshot.exists()) {
            String error = "config file " + file + " cannot be read (" + snapshot.error() + ")";
            LOG.log(System.Logger.Level.WARNING, error + "; the running config keeps serving");
            server.reloadFailed(error);
            return;
        }
        RemoraConfig next;
        try {
            next = ConfigLoader.parse(new String(snapshot.content(), StandardCharsets.UTF_8), file.toString());
        } catch (ConfigException e) {
            StringBuilder all = new StringBuilder();
            for (ValidationError v : e.errors()) {
                LOG.log(System.Logger.Level.WARNING, "config reload rejected: "
                        + (v.path().isEmpty() ? v.message() : file + ": " + v));
                all.append(all.length() == 0 ? "" : "; ").append(v);
            }
            server.reloadFailed(all.toString());
            return;
        }
        ProxyServer.ReloadResult r = server.reload(next);
        if (r.applied()) {
            LOG.log(System.Logger.Level.INFO, "config file change applied in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    @Override
    public void close() {
        watcher.close();
    }
}
