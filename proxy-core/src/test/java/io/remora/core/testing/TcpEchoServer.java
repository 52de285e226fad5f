package io.remora.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw TCP echo server: echoes every byte back; when the client half-closes (EOF), it writes
 * {@link #FAREWELL} — bytes the client can only get if its half-close did not close the whole connection —
 * and then closes.
 */
public final class TcpEchoServer implements AutoCloseable {
    public static final String FAREWELL = "<bye>";

    private final RawBackend backend;
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong eofs = new AtomicLong();

    public TcpEchoServer() throws IOException {
        this.backend = new RawBackend(conn -> {
            echoed.addAndGet(conn.echoUntilEof());
            eofs.incrementAndGet();
            conn.write(FAREWELL.getBytes(StandardCharsets.US_ASCII));
        });
    }

    public int port() {
        return backend.port();
    }

    public String address() {
        return backend.address();
    }

    public int connections() {
        return backend.connections();
    }

    /** Bytes echoed by connections that have seen EOF. */
    public long echoed() {
        return echoed.get();
    }

    /** Connections whose client half-closed. */
    public long eofs() {
        return eofs.get();
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }
}
