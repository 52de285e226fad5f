package io.remora.cli;

import io.remora.core.server.ProxyServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps the process alive while the proxy runs and turns signals into a graceful stop: the first SIGINT or
 * SIGTERM stops accepting and lets in-flight requests finish (up to {@code drain_timeout}), then the process
 * exits 0; a second signal exits at once.
 */
final class Supervisor {
    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());

    private final ProxyServer server;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    Supervisor(ProxyServer server) {
        this.server = server;
    }

    /** Blocks until a signal has stopped the proxy. */
    void runUntilSignalled() throws InterruptedException {
        Signals.handleTermination(this::onSignal);
        stopped.await();
    }

    private void onSignal() {
        if (!stopping.compareAndSet(false, true)) {
            System.err.println("remora: second signal, exiting now");
            Runtime.getRuntime().halt(130);
        }
        Thread t = new Thread(() -> {
            Duration timeout = server.config().drainTimeout(); // the running config's: a reload may have changed it
            LOG.log(System.Logger.Level.INFO, "signal received: draining (up to " + timeout.toMillis()
                    + " ms; signal again to exit now)");
            boolean clean = server.drain(timeout);
            server.close();
            LOG.log(System.Logger.Level.INFO, clean ? "drained, bye" : "drain timed out, bye");
            stopped.countDown();
        }, "remora-drain");
        t.start();
    }
}
