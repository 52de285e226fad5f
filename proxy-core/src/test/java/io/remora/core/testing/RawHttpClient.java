package io.remora.core.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.x client on a plain {@link Socket} that writes exactly the bytes it is given and parses responses
 * byte for byte: for pipelining, malformed requests, half a request head, HTTP/1.0, half-close. Reads time
 * out after 10 s by default, so a missing response fails the test rather than hanging it.
 */
public final class RawHttpClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttpClient(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer SO_RCVBUF to ask for before connecting (0 = system default) */
    public RawHttpClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    public RawHttpClient send(String ascii) throws IOException {
        return send(HttpWire.ascii(ascii));
    }

    public RawHttpClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** {@code GET path HTTP/1.1} with a Host header, and its response. */
    public RawResponse get(String path) throws IOException {
        send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
        return readResponse();
    }

    /** The next response to a request that was not HEAD. */
    public RawResponse readResponse() throws IOException {
        return readResponse("GET");
    }

    /**
     * The next response; {@code method} decides whether a body follows (none for HEAD, per RFC 9112 §6.3), as
     * do 1xx, 204 and 304. A body with neither length nor chunking is read to EOF.
     */
    public RawResponse readResponse(String method) throws IOException {
        RawResponse head = readHead();
        int status = head.status();
        Headers h = head.headers();
        List<Integer> sizes = new ArrayList<>();
        Headers trailers = new Headers();
        byte[] body;
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304
                || (method.equals("CONNECT") && status / 100 == 2)) {
            body = new byte[0];
        } else if (head.chunked()) {
            body = HttpWire.readChunked(in, sizes, trailers);
        } else if (h.has("content-length")) {
            body = HttpWire.readFixed(in, Long.parseLong(h.get("content-length")));
        } else {
            body = HttpWire.readToEof(in);
        }
        return new RawResponse(head.version(), status, head.reason(), h, body, head.chunked(), sizes, trailers);
    }

    /** The status line and headers of the next response only; the body (if any) stays on the socket. */
    public RawResponse readHead() throws IOException {
        String statusLine = HttpWire.readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not a status line: " + statusLine);
        }
        Headers h = HttpWire.readHeaders(in);
        String te = h.get("transfer-encoding");
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        return new RawResponse(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", h,
                new byte[0], chunked, List.of(), new Headers());
    }

    public byte[] readExactly(int n) throws IOException {
        return HttpWire.readFixed(in, n);
    }

    public InputStream in() {
        return in;
    }

    public OutputStream out() {
        return out;
    }

    /**
     * Reads until the peer closes, within the read timeout, and returns whatever came before the close. A
     * reset counts as closed. Fails (AssertionError) if the connection stays open.
     */
    public byte[] readUntilClosed() throws IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + socket.getSoTimeout() + " ms", e);
        } catch (SocketException e) {
            // reset by peer: closed
        }
        return got.toByteArray();
    }

    /** True if the connection is still open: nothing arrives within {@code wait} and no EOF. */
    public boolean isOpenAfter(Duration wait) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout((int) wait.toMillis());
        try {
            in.mark(1);
            int b = in.read();
            if (b >= 0) {
                in.reset();
                throw new AssertionError("unexpected byte from the proxy: " + b);
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            socket.setSoTimeout(old);
        }
    }

    /** Closes with an RST instead of a FIN: the client is gone (a FIN may be a half-close awaiting its response). */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
