package io.remora.config.watch;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches files for content changes on one daemon thread. Each file's parent directory is registered with the
 * platform {@link WatchService} (events wake the thread early), and every {@code pollInterval} all files are read
 * and hashed anyway, because some file systems send no events and a Kubernetes ConfigMap update swaps a symlink
 * two levels up. A change is reported after the content has been stable for {@code debounce} (editors write in
 * several steps), and only if its hash differs from the last one reported: touching a file does nothing.
 *
 * <p>Listeners run on the watcher thread, one at a time, in the order changes were seen.
 */
public final class FileWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FileWatcher.class.getName());

    private final Duration debounce;
    private final Duration pollInterval;
    /** Every watcher of each file: a certificate is often shared by a listener and a cluster. */
    private final Map<Path, List<Watched>> files = new ConcurrentHashMap<>();
    private final Set<Path> registeredDirs = ConcurrentHashMap.newKeySet();
    private final WatchService watchService;
    private final Thread thread;
    private volatile boolean closed;

    private static final class Watched {
        final Consumer<FileSnapshot> listener;
        volatile String lastHash;

        Watched(Consumer<FileSnapshot> listener, String lastHash) {
            this.listener = listener;
            this.lastHash = lastHash;
        }
    }

    public FileWatcher(Duration debounce, Duration pollInterval) {
        this.debounce = debounce;
        this.pollInterval = pollInterval;
        WatchService ws;
        try {
            ws = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "no file system events (" + e + "); checking files every "
                    + pollInterval.toMillis() + " ms only");
            ws = null;
        }
        this.watchService = ws;
        this.thread = new Thread(this::run, "remora-file-watch");
        this.thread.setDaemon(true);
    }

    /** Debounce 200 ms, full check every second: a change takes effect well within a second. */
    public static FileWatcher withDefaults() {
        return new FileWatcher(Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    /**
     * Starts watching {@code file}; {@code listener} is told of every content change after this call.
     *
     * @param knownHash the hash of the content already in use (so it is not reported again), or null
     */
    public void watch(Path file, String knownHash, Consumer<FileSnapshot> listener) {
        Path abs = file.toAbsolutePath().normalize();
        files.computeIfAbsent(abs, k -> new CopyOnWriteArrayList<>()).add(new Watched(listener, knownHash));
        registerParent(abs);
    }

    public void start() {
        thread.start();
    }

    /** Stops telling {@code listener} about {@code file} (a reload replaced what watched it). */
    public void unwatch(Path file, Consumer<FileSnapshot> listener) {
        List<Watched> ws = files.get(file.toAbsolutePath().normalize());
        if (ws != null) {
            ws.removeIf(w -> w.listener == listener);
        }
    }

    private void registerParent(Path file) {
        Path dir = file.getParent();
        if (watchService == null || dir == null || !registeredDirs.add(dir)) {
            return;
        }
        try {
            dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            registeredDirs.remove(dir);
            LOG.log(System.Logger.Level.DEBUG, "cannot watch " + dir + ": " + e + "; polling only");
        }
    }

    private void run() {
        while (!closed) {
            try {
                boolean event = awaitEvent(pollInterval);
                if (closed) {
                    return;
                }
                if (event) {
                    // absorb the burst of events one save produces before reading. Fix: for at most one poll
                    // interval, since events for any file of the directory count: a neighbour written more often
                    // than the debounce period (an access log beside the config) kept the watcher from ever
                    // looking. checkOne still waits for the content to be stable before reporting it.
                    long absorbUntil = System.nanoTime() + pollInterval.toNanos();
                    while (System.nanoTime() - absorbUntil < 0 && awaitEvent(debounce)) {
                        if (closed) {
                            return;
                        }
                    }
                }
                for (Map.Entry<Path, List<Watched>> e : files.entrySet()) {
                    for (Watched w : e.getValue()) {
                        checkOne(e.getKey(), w);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "file watch check failed", e);
            }
        }
    }

    /** Waits up to {@code timeout} for a file-system event; true if one came. */
    private boolean awaitEvent(Duration timeout) throws InterruptedException {
        if (watchService == null) {
            TimeUnit.NANOSECONDS.sleep(timeout.toNanos());
            return false;
        }
        WatchKey key;
        try {
            key = watchService.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ClosedWatchServiceException e) {
            return false;
        }
        if (key == null) {
            return false;
        }
        key.pollEvents();
        key.reset();
        return true;
    }

    private void checkOne(Path file, Watched w) throws InterruptedException {
        FileSnapshot now = read(file);
        if (Objects.equals(now.hash(), w.lastHash)) {
            return;
        }
        // stable for the debounce period? (a writer may still be mid-way)
        TimeUnit.NANOSECONDS.sleep(debounce.toNanos());
        FileSnapshot again = read(file);
        if (!Objects.equals(again.hash(), now.hash())) {
            return; // still changing: the next round looks again
        }
        w.lastHash = again.hash();
        try {
            w.listener.accept(again);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener for " + file + " failed", e);
        }
    }

    /** Reads and hashes a file now, following symlinks. */
    public static FileSnapshot read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return new FileSnapshot(file, bytes, sha256(bytes), null);
        } catch (NoSuchFileException e) {
            return new FileSnapshot(file, null, null, "no such file");
        } catch (IOException | SecurityException e) {
            return new FileSnapshot(file, null, null, String.valueOf(e.getMessage()));
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
