package io.remora.core.observability;

import io.remora.core.testing.Headers;
import io.remora.core.testing.HttpWire;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 client on a plain socket that counts every byte it writes and every byte of every response it
 * reads, so tests can hold the proxy's byte counters and access-log sizes to exact figures. One request at a
 * time; reads time out after 10 s.
 */
final class WireClient implements AutoCloseable {
    /** One response and the bytes it took on the wire (status line, headers, body). */
    record Response(int status, Headers headers, String body, long wireBytes) {
        String header(String name) {
            return headers.get(name);
        }

        /** {@code x-remora-flags}, or null for an upstream's own response. */
        String flags() {
            return headers.get("x-remora-flags");
        }
    }

    private final Socket socket;
    private final Counting in;
    private final OutputStream out;
    private long sent;

    WireClient(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        in = new Counting(new BufferedInputStream(socket.getInputStream(), 16 * 1024));
        out = socket.getOutputStream();
    }

    /** Writes {@code ascii} as is; returns its length in bytes. */
    long send(String ascii) throws IOException {
        byte[] b = ascii.getBytes(StandardCharsets.ISO_8859_1);
        out.write(b);
        out.flush();
        sent += b.length;
        return b.length;
    }

    /** {@code GET path HTTP/1.1} with {@code Host: test} and the given header lines ("name: value"). */
    static String get(String path, String... headerLines) {
        StringBuilder b = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: test\r\n");
        for (String h : headerLines) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** Sends {@link #get} and reads its response. */
    Response request(String path, String... headerLines) throws IOException {
        send(get(path, headerLines));
        return read();
    }

    /** The next response (not to a HEAD); a body without length or chunking is read to EOF. */
    Response read() throws IOException {
        long before = in.count;
        String line = HttpWire.readLine(in);
        if (line == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not a status line: " + line);
        }
        int status = Integer.parseInt(parts[1]);
        Headers h = HttpWire.readHeaders(in);
        byte[] body;
        String te = h.get("transfer-encoding");
        if (status / 100 == 1 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = HttpWire.readChunked(in, null, null);
        } else if (h.has("content-length")) {
            body = HttpWire.readFixed(in, Long.parseLong(h.get("content-length")));
        } else {
            body = HttpWire.readToEof(in);
        }
        return new Response(status, h, new String(body, StandardCharsets.UTF_8), in.count - before);
    }

    /** The status line and headers of the next response only; its body stays unread. */
    Response readHead() throws IOException {
        long before = in.count;
        String line = HttpWire.readLine(in);
        if (line == null) {
            throw new IOException("connection closed before a response");
        }
        Headers h = HttpWire.readHeaders(in);
        return new Response(Integer.parseInt(line.split(" ", 3)[1]), h, "", in.count - before);
    }

    /** Reads until the proxy closes the connection; fails if a byte arrives. */
    void expectClose() throws IOException {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError("expected the proxy to close, got byte " + b);
            }
        } catch (SocketException e) {
            // reset: closed too
        }
    }

    /** Bytes written to the proxy so far. */
    long sent() {
        return sent;
    }

    /** Bytes of responses read so far. */
    long received() {
        return in.count;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /** Closes with an RST: the client is gone, no half-close. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Counts the bytes its reader consumed (not what the buffer below read ahead). */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
