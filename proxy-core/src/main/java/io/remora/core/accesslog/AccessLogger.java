package io.remora.core.accesslog;

import io.remora.config.model.AccessLogConfig;
import io.remora.core.metrics.JsonWriter;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.jctools.queues.MpscArrayQueue;

/**
 * One listener's access log. {@link #log} is called by the event loops: it offers the entry to a bounded JCTools
 * MPSC queue and returns at once; when the queue is full the entry is dropped and counted (the request path never
 * waits for a disk). One daemon thread drains the queue, formats one JSON object per line and writes it through a
 * buffer that is flushed whenever the queue runs empty, so lines appear promptly when traffic is light and are
 * written in large batches when it is heavy.
 *
 * <p>A log file that is renamed away (logrotate's default {@code create} mode) is noticed within about a second —
 * the path is checked for a different file, or none, at most every {@code reopenCheck} — and reopened, so the new
 * file gets the lines from then on. Standard output and standard error are never reopened.
 */
public final class AccessLogger implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AccessLogger.class.getName());

    /** Entries waiting for the writer, at most; beyond it they are dropped. */
    public static final int DEFAULT_CAPACITY = 65536;
    /** How often the writer checks whether the file was rotated away. */
    public static final long DEFAULT_REOPEN_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The writer also looks at the clock every this many entries, so a busy log still notices rotation. */
    private static final int CLOCK_EVERY = 256;
    private static final int BUFFER_CHARS = 64 * 1024;
    /** After the queue runs empty, the writer polls this often ... */
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** ... for this long, before it sleeps until a producer wakes it. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String listener;
    private final String path;
    private final boolean standardStream;
    private final MpscArrayQueue<AccessLogEntry> queue;
    private final Runnable onDrop;
    private final LongSupplier nanoClock;
    private final long reopenCheckNanos;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    /** Times the file was reopened after being rotated away (or after an error). */
    private volatile int reopens;
    private final Thread writer;
    private volatile boolean closed;
    /** The writer found the queue empty and is about to park, or parked: a producer unparks it. */
    private volatile boolean idle;

    // writer thread only
    private Writer out;
    private Object fileKey;
    private long nextCheck;
    private boolean failing;
    private final StringBuilder line = new StringBuilder(512);

    /**
     * Opens the log of listener {@code listener} as configured and starts its writer.
     *
     * @param onDrop called (on the event loop) for every entry dropped, e.g. to count it in metrics
     * @throws IOException if the file cannot be opened for appending (the message names the file)
     */
    public static AccessLogger open(String listener, AccessLogConfig config, Runnable onDrop) throws IOException {
        return new AccessLogger(listener, config.path(), DEFAULT_CAPACITY, DEFAULT_REOPEN_CHECK_NANOS, onDrop,
                System::nanoTime);
    }

    /**
     * @param capacity         queue capacity (rounded up to a power of two by the queue)
     * @param reopenCheckNanos how often to check whether the file was rotated away
     */
    public AccessLogger(String listener, String path, int capacity, long reopenCheckNanos, Runnable onDrop,
            LongSupplier nanoClock) throws IOException {
        this.listener = listener;
        this.path = path;
        this.standardStream = AccessLogConfig.STDOUT.equals(path) || AccessLogConfig.STDERR.equals(path);
        this.queue = new MpscArrayQueue<>(Math.max(2, capacity));
        this.onDrop = onDrop == null ? () -> { } : onDrop;
        this.nanoClock = nanoClock;
        this.reopenCheckNanos = reopenCheckNanos;
        openSink(); // fails here, at start, if the file cannot be opened
        this.nextCheck = nanoClock.getAsLong() + reopenCheckNanos;
        this.writer = new Thread(this::run, "remora-access-log-" + listener);
        writer.setDaemon(true);
        writer.start();
    }

    public String listener() {
        return listener;
    }

    public String path() {
        return path;
    }

    /**
     * Queues {@code entry} for writing; false if it was dropped (queue full, or the logger closed). Never blocks,
     * never formats. The entry must not be used after this call.
     */
    public boolean log(AccessLogEntry entry) {
        if (closed || !queue.offer(entry)) {
            dropped.increment();
            onDrop.run();
            return false;
        }
        if (idle) {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /** Entries dropped so far: the queue was full, the logger closed, or the line could not be written. */
    public long dropped() {
        return dropped.sum();
    }

    /** Lines handed to the output so far (flushed whenever the queue runs empty). */
    public long written() {
        return written.sum();
    }

    /** Times the file was reopened after being rotated away or after a write error. */
    int reopens() {
        return reopens;
    }

    /** Writes what is queued, flushes, stops the writer and closes the file (waits up to 5 s for the writer). */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the writer thread -------------------------------------------------------------------------------

    /**
     * Drains, writes, and flushes when the queue runs empty. After a burst the writer naps in short steps
     * ({@link #NAP_NANOS}) for {@link #LINGER_NANOS} before it sleeps for good: producers wake only a sleeping
     * writer, so under steady traffic the event loops never pay for a wake-up, and an idle proxy has an idle
     * writer.
     */
    private void run() {
        int sinceClock = 0;
        boolean empty = false;
        long emptySince = 0;
        while (true) {
            AccessLogEntry e = queue.relaxedPoll();
            if (e != null) {
                empty = false;
                write(e);
                if (++sinceClock >= CLOCK_EVERY) {
                    sinceClock = 0;
                    maybeCheckRotation();
                }
                continue;
            }
            flush();
            maybeCheckRotation();
            if (closed && queue.isEmpty()) {
                break;
            }
            long now = nanoClock.getAsLong();
            if (!empty) {
                empty = true;
                emptySince = now;
            }
            if (now - emptySince < LINGER_NANOS) {
                LockSupport.parkNanos(this, NAP_NANOS);
                continue;
            }
            idle = true;
            // look again after announcing idleness: an entry offered before a producer could see the flag is here
            if (queue.isEmpty() && !closed) {
                LockSupport.parkNanos(this, Math.max(1, nextCheck - nanoClock.getAsLong()));
            }
            idle = false;
        }
        flush();
        closeSink();
    }

    private void write(AccessLogEntry e) {
        line.setLength(0);
        format(e, listener, line);
        line.append('\n');
        if (out == null) {
            countDropped();
            return;
        }
        try {
            out.append(line);
            written.increment();
        } catch (IOException ex) {
            fail("cannot write", ex);
            countDropped();
        }
    }

    private void countDropped() {
        dropped.increment();
        onDrop.run();
    }

    private void flush() {
        if (out == null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException ex) {
            fail("cannot write", ex);
        }
    }

    private void maybeCheckRotation() {
        long now = nanoClock.getAsLong();
        if (now - nextCheck < 0) {
            return;
        }
        nextCheck = now + reopenCheckNanos;
        if (standardStream && out != null) {
            return;
        }
        if (out != null && Objects.equals(currentKey(), fileKey) && fileKey != null) {
            return;
        }
        // rotated away (another file, or none, at the path), or not open after an error: reopen
        flush();
        closeSink();
        try {
            openSink();
            reopens++; // written by the writer thread only
            if (failing) {
                LOG.log(System.Logger.Level.INFO, "access log of listener " + listener + ": writing to " + path
                        + " again");
                failing = false;
            }
        } catch (IOException ex) {
            fail("cannot reopen", ex);
        }
    }

    /** The identity of the file at the path now (device and inode on Linux), or null if there is none. */
    private Object currentKey() {
        try {
            return Files.readAttributes(Path.of(path), BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private void openSink() throws IOException {
        OutputStream os;
        if (AccessLogConfig.STDOUT.equals(path)) {
            os = new FileOutputStream(FileDescriptor.out);
        } else if (AccessLogConfig.STDERR.equals(path)) {
            os = new FileOutputStream(FileDescriptor.err);
        } else {
            try {
                os = Files.newOutputStream(Path.of(path), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            } catch (NoSuchFileException e) {
                throw new IOException("cannot open access log " + path + ": no such directory", e);
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IOException("cannot open access log " + path + ": permission denied", e);
            } catch (IOException e) {
                throw new IOException("cannot open access log " + path + ": " + e.getMessage(), e);
            }
            fileKey = currentKey();
        }
        out = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), BUFFER_CHARS);
    }

    private void closeSink() {
        if (out == null) {
            return;
        }
        try {
            if (standardStream) {
                out.flush(); // never close the process's own stdout or stderr
            } else {
                out.close();
            }
        } catch (IOException ex) {
            fail("cannot close", ex);
        }
        out = null;
    }

    private void fail(String what, IOException ex) {
        if (!failing) {
            failing = true;
            LOG.log(System.Logger.Level.WARNING, "access log of listener " + listener + ": " + what + " " + path
                    + " (" + ex.getMessage() + "); dropping lines until it can be reopened");
        }
        closeSinkQuietly();
    }

    private void closeSinkQuietly() {
        Writer w = out;
        out = null;
        if (w != null && !standardStream) {
            try {
                w.close();
            } catch (IOException ignored) {
                // already failing; the next check reopens
            }
        }
    }

    /** One entry as a JSON object (without the line feed). */
    static void format(AccessLogEntry e, String listener, StringBuilder sb) {
        JsonWriter w = new JsonWriter(sb);
        w.beginObject();
        w.field("start_time", e.startEpochMillis == 0 ? null : Instant.ofEpochMilli(e.startEpochMillis).toString());
        w.field("duration_ms", Math.round(e.durationNanos / 1000.0) / 1000.0);
        w.field("listener", listener);
        w.field("method", e.method);
        w.field("authority", e.authority);
        w.field("path", e.path);
        w.field("status", e.status);
        w.field("response_flags", e.responseFlags == null || e.responseFlags.isEmpty() ? null : e.responseFlags);
        w.field("upstream_host", e.upstreamHost != null ? e.upstreamHost.addressString() : e.upstreamAddress);
        w.field("attempts", e.attempts);
        w.field("bytes_received", e.bytesIn);
        w.field("bytes_sent", e.bytesOut);
        w.field("request_id", e.requestId);
        w.field("trace_id", e.traceId);
        w.field("downstream_address", e.downstreamAddress != null ? address(e.downstreamAddress) : e.downstreamIp);
        if (e.transport != null) {
            w.field("transport", e.transport);
        }
        if (e.peerIdentity != null) {
            w.field("peer_identity", e.peerIdentity);
        }
        w.endObject();
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
            String ip = isa.getAddress().getHostAddress();
            return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + isa.getPort() : ip + ":" + isa.getPort();
        }
        return String.valueOf(a);
    }
}
