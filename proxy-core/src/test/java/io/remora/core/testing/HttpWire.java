package io.remora.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Minimal HTTP/1.x wire parsing on a blocking {@link InputStream}, shared by the raw test client and the raw
 * test backend. It accepts exactly what it is given, so tests can see framing the proxy produced (chunked or
 * not, which headers, in what order) rather than what a forgiving client library would normalise it to.
 */
public final class HttpWire {
    private HttpWire() {
    }

    /** One line without its CRLF (a bare LF is accepted too); {@code null} on EOF before any byte. */
    public static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (b.length() == 0) {
                    return null;
                }
                throw new EOFException("EOF in the middle of a line: " + b);
            }
            if (c == '\n') {
                int n = b.length();
                if (n > 0 && b.charAt(n - 1) == '\r') {
                    b.setLength(n - 1);
                }
                return b.toString();
            }
            b.append((char) c);
        }
    }

    /** Header lines up to and including the empty line. */
    public static Headers readHeaders(InputStream in) throws IOException {
        Headers h = new Headers();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("EOF in headers");
            }
            if (line.isEmpty()) {
                return h;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            h.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
    }

    public static byte[] readFixed(InputStream in, long n) throws IOException {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IOException("body too large to hold: " + n);
        }
        byte[] b = in.readNBytes((int) n);
        if (b.length != n) {
            throw new EOFException("EOF after " + b.length + " of " + n + " body bytes");
        }
        return b;
    }

    /** A chunked body; sizes of the chunks and trailer fields are reported through the given holders. */
    public static byte[] readChunked(InputStream in, List<Integer> chunkSizes, Headers trailers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("EOF before the last chunk");
            }
            int semi = line.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            if (size == 0) {
                Headers t = readHeaders(in);
                if (trailers != null) {
                    for (String name : t.names()) {
                        trailers.add(name, t.get(name));
                    }
                }
                return body.toByteArray();
            }
            if (chunkSizes != null) {
                chunkSizes.add(size);
            }
            body.write(readFixed(in, size));
            String crlf = readLine(in);
            if (crlf == null || !crlf.isEmpty()) {
                throw new IOException("chunk not followed by CRLF: " + crlf);
            }
        }
    }

    /** Everything up to EOF. */
    public static byte[] readToEof(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** {@code s} encoded as chunks of at most {@code chunk} bytes, with the last chunk. */
    public static String chunked(String s, int chunk) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i += chunk) {
            String part = s.substring(i, Math.min(s.length(), i + chunk));
            b.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
        }
        return b.append("0\r\n\r\n").toString();
    }
}
