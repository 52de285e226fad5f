package io.remora.core.testing;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on blocking sockets that runs a {@link Script} per accepted connection, one thread each: it can
 * answer with arbitrary bytes, stall, close early, switch protocols or echo. For what a well-behaved Netty
 * backend cannot do on cue (malformed responses, closing after reading a request, never answering).
 *
 * <p>A script that throws anything but an I/O error caused by the peer or by {@link #close()} is recorded in
 * {@link #failures()}, so tests can assert the backend saw what it expected.
 */
public final class RawBackend implements AutoCloseable {
    /** What to do with one accepted connection. */
    @FunctionalInterface
    public interface Script {
        void serve(Conn conn) throws Exception;
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<RawRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public RawBackend(Script script) throws IOException {
        this("127.0.0.1", 0, script);
    }

    public RawBackend(String host, int port, Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 128);
        this.acceptor = new Thread(this::acceptLoop, "raw-backend-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            sockets.add(s);
            Thread t = new Thread(() -> run(s), "raw-backend-conn-" + s.getPort());
            t.setDaemon(true);
            t.start();
        }
    }

    private void run(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            script.serve(new Conn(s));
        } catch (SocketException | EOFException e) {
            // the peer (or close()) ended the connection: part of what the tests do
        } catch (Throwable e) {
            if (!closed) {
                failures.add(e);
            }
        } finally {
            sockets.remove(s);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + port();
    }

    public int connections() {
        return connections.get();
    }

    /** Connections whose script is still running. */
    public int openConnections() {
        return sockets.size();
    }

    /** Every request a script read with {@link Conn#readRequest()} or {@link Conn#readHead()}. */
    public List<RawRequest> requests() {
        return requests;
    }

    public List<Throwable> failures() {
        return failures;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** One accepted connection, with helpers to read requests and write raw bytes. */
    public final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            this.out = socket.getOutputStream();
        }

        public Socket socket() {
            return socket;
        }

        public InputStream in() {
            return in;
        }

        public OutputStream out() {
            return out;
        }

        /** The next request head and body (Content-Length or chunked); {@code null} on a clean EOF. */
        public RawRequest readRequest() throws IOException {
            RawRequest head = readHeadOnly();
            if (head == null) {
                return null;
            }
            byte[] body = new byte[0];
            if (head.chunked()) {
                body = HttpWire.readChunked(in, null, null);
            } else if (head.headers().has("content-length")) {
                body = HttpWire.readFixed(in, Long.parseLong(head.header("content-length")));
            }
            RawRequest r = new RawRequest(head.method(), head.uri(), head.version(), head.headers(), body,
                    head.chunked());
            requests.add(r);
            return r;
        }

        /** The next request head only (the body, if any, is left to the script); {@code null} on EOF. */
        public RawRequest readHead() throws IOException {
            RawRequest r = readHeadOnly();
            if (r != null) {
                requests.add(r);
            }
            return r;
        }

        private RawRequest readHeadOnly() throws IOException {
            String line = HttpWire.readLine(in);
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ", 3);
            if (parts.length != 3) {
                throw new IOException("not a request line: " + line);
            }
            Headers h = HttpWire.readHeaders(in);
            String te = h.get("transfer-encoding");
            boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
            return new RawRequest(parts[0], parts[1], parts[2], h, new byte[0], chunked);
        }

        public Conn write(String ascii) throws IOException {
            return write(HttpWire.ascii(ascii));
        }

        public Conn write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** A 200 with a Content-Length body. */
        public Conn respond(String body) throws IOException {
            byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            write("HTTP/1.1 200 OK\r\nContent-Length: " + b.length + "\r\n\r\n");
            return write(b);
        }

        /** Copies every byte read back until EOF; returns how many. */
        public long echoUntilEof() throws IOException {
            byte[] buf = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
                total += n;
            }
            return total;
        }

        /** Blocks until the peer closes (or {@link RawBackend#close()}); whatever arrives is discarded. */
        public void awaitEof() throws IOException {
            while (in.read() >= 0) {
                // discard
            }
        }

        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        /** Closes with an RST instead of a FIN. */
        public void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }
}
