package io.remora.core.tls;

import io.remora.core.testing.Headers;
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.RawResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/1.1 client over a JDK {@link SSLSocket} to 127.0.0.1, for what Netty-free TLS clients see: the
 * certificate a listener presents, whether a handshake is refused, what comes back. Reads time out after 5 s.
 */
final class TlsHttpClient implements AutoCloseable {
    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects and completes the handshake (from the client's side: TLS 1.3 refuses client certificates after). */
    TlsHttpClient(int port, SSLContext context) throws IOException {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.setSoTimeout(5_000);
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        socket.setSoTimeout(5_000);
        socket.startHandshake();
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** The certificate the server presented. */
    X509Certificate serverCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    String protocol() {
        return socket.getSession().getProtocol();
    }

    /** {@code GET path} with a Host header and {@code extraHeaders} ("name: value"), and its response. */
    RawResponse get(String path, String... extraHeaders) throws IOException {
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\n");
        for (String h : extraHeaders) {
            req.append(h).append("\r\n");
        }
        out.write(HttpWire.ascii(req.append("\r\n").toString()));
        out.flush();
        return readResponse();
    }

    private RawResponse readResponse() throws IOException {
        String statusLine = HttpWire.readLine(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        Headers h = HttpWire.readHeaders(in);
        String te = h.get("transfer-encoding");
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        byte[] body = chunked ? HttpWire.readChunked(in, new java.util.ArrayList<>(), new Headers())
                : HttpWire.readFixed(in, Long.parseLong(h.has("content-length") ? h.get("content-length") : "0"));
        return new RawResponse(parts[0], Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", h, body,
                chunked, List.of(), new Headers());
    }

    /**
     * Tries a handshake and a request with {@code context} and returns why it failed; fails the test if a response
     * came back. Under TLS 1.3 the client's side of the handshake completes before the server has seen the client
     * certificate, so the server's refusal arrives as an alert (or a close) on the first read.
     */
    static Exception refused(int port, SSLContext context) {
        try (TlsHttpClient c = new TlsHttpClient(port, context)) {
            RawResponse r = c.get("/refused");
            throw new AssertionError("the handshake was accepted and the request answered: " + r);
        } catch (IOException e) {
            return e;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
