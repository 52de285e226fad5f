package io.remora.core.http;

import static io.remora.core.testing.Configs.cluster;
import static io.remora.core.testing.Configs.httpListener;
import static io.remora.core.testing.Configs.route;
import static io.remora.core.testing.Configs.withTimeouts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.LbPolicy;
import io.remora.core.testing.Await;
import io.remora.core.testing.HttpWire;
import io.remora.core.testing.ProxyHarness;
import io.remora.core.testing.RawBackend;
import io.remora.core.testing.RawRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A property over random mutations of valid requests (byte flips, insertions of framing bytes and fields,
 * deletions, duplicated lines, case changes), sent on parallel connections through Remora to a raw backend: the
 * backend never sees a request that Remora did not deliver an answer for. Every complete request the backend reads
 * gets a unique token, returned in its response; at the end the tokens the backend issued and the tokens the
 * clients received must be the same set, each received by the client whose request carried it (each case has a
 * random id in an {@code x-fuzz-id} header, also inside the request smuggled in each seed's body). A request
 * smuggled past Remora (the backend reading two where Remora forwarded one), a response queue poisoned (a client
 * getting another's answer) or a request forwarded and its answer dropped would each break that.
 *
 * <p>Bounded: at most {@value #MAX_CASES} cases and {@value #BUDGET_SECONDS} s. Reproducible: case N uses the seed
 * {@code BASE_SEED + N}; a failure prints the bytes of the cases involved.
 */
@Timeout(120)
class SmugglingFuzzTest {
    static final int MAX_CASES = 2000;
    static final int BUDGET_SECONDS = 10;
    static final long BASE_SEED = 0x5eed_10L;
    private static final int PARALLEL = 32;
    private static final Pattern TOKEN = Pattern.compile("\r\nx-backend-token: (\\d+)\r\n");

    /** What the backend read for one token. */
    record Seen(String fuzzId, String method, String uri) {
    }

    private final Map<Long, Seen> issued = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();

    @Test
    void theBackendNeverSeesARequestRemoraDidNotAnswer() throws Exception {
        try (RawBackend backend = new RawBackend(conn -> {
                    RawRequest head;
                    while ((head = conn.readHead()) != null) {
                        if (head.chunked()) {
                            HttpWire.readChunked(conn.in(), null, null);
                        } else if (head.headers().has("content-length")) {
                            HttpWire.readFixed(conn.in(), Long.parseLong(head.header("content-length")));
                        }
                        long token = tokens.incrementAndGet();
                        issued.put(token, new Seen(head.header("x-fuzz-id"), head.method(), head.uri()));
                        conn.write("HTTP/1.1 200 OK\r\nx-backend-token: " + token + "\r\nContent-Length: 2\r\n\r\nok");
                    }
                });
                ProxyHarness proxy = ProxyHarness.start(
                        List.of(withTimeouts(httpListener("in", List.of(route("/", "c"))), Duration.ofMillis(250),
                                Duration.ofSeconds(1), Duration.ofMillis(250))),
                        List.of(cluster("c", LbPolicy.ROUND_ROBIN, backend.address())))) {
            int port = proxy.port("in");
            Map<Long, Integer> received = new ConcurrentHashMap<>(); // token -> case
            Map<Integer, String> ids = new ConcurrentHashMap<>();
            Map<Integer, byte[]> sent = new ConcurrentHashMap<>();
            Set<Integer> answered200 = ConcurrentHashMap.newKeySet();
            Set<Integer> refused = ConcurrentHashMap.newKeySet();
            List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger();
            long deadline = System.nanoTime() + Duration.ofSeconds(BUDGET_SECONDS).toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < PARALLEL; w++) {
                    workers.add(pool.submit(() -> {
                        int n;
                        while ((n = next.getAndIncrement()) < MAX_CASES && System.nanoTime() < deadline) {
                            SplittableRandom rnd = new SplittableRandom(BASE_SEED + n);
                            String id = String.format("%04d%012x", n, rnd.nextLong() & 0xffffffffffffL);
                            ids.put(n, id);
                            boolean halfClose = rnd.nextInt(5) != 0;
                            byte[] bytes = concat(mutate(seed(rnd, id), rnd), sentinel(id));
                            sent.put(n, bytes);
                            String answer;
                            try {
                                answer = exchange(port, bytes, halfClose);
                            } catch (IOException e) {
                                problems.add("case " + n + ": " + e + "\n" + HttpWire.ascii(bytes));
                                continue;
                            }
                            Matcher m = TOKEN.matcher(answer);
                            while (m.find()) {
                                Integer other = received.put(Long.parseLong(m.group(1)), n);
                                if (other != null) {
                                    problems.add("token " + m.group(1) + " reached cases " + other + " and " + n);
                                }
                                answered200.add(n);
                            }
                            if (answer.startsWith("HTTP/1.1 4") || answer.contains("\r\n\r\nHTTP/1.1 4")) {
                                refused.add(n);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : workers) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            int cases = Math.min(next.get(), MAX_CASES);
            // every request the backend completed was answered before the client saw its connection close
            long total = Await.stable("requests read by the backend", Duration.ofMillis(100), Duration.ofSeconds(10),
                    tokens::get);
            for (long t = 1; t <= total; t++) {
                Seen seen = issued.get(t);
                Integer to = received.get(t);
                if (to == null) {
                    problems.add("the backend read " + seen.method() + " " + seen.uri() + " (x-fuzz-id "
                            + seen.fuzzId() + ") and its answer reached no client" + bytesOf(seen.fuzzId(), ids, sent));
                } else if (seen.fuzzId() != null && !seen.fuzzId().equals(ids.get(to))
                        && ids.containsValue(seen.fuzzId())) {
                    problems.add("case " + to + " got the answer to another case's request " + seen + "\n"
                            + HttpWire.ascii(sent.get(to)));
                }
            }
            for (Long t : received.keySet()) {
                if (t > total) {
                    problems.add("token " + t + " was never issued");
                }
            }
            assertEquals(List.of(), problems.subList(0, Math.min(problems.size(), 5)),
                    problems.size() + " problem(s) in " + cases + " cases");
            assertEquals(List.of(), backend.failures(), "the backend could not parse what Remora sent");
            assertTrue(cases >= 200, "too few cases ran within the budget: " + cases);
            assertTrue(answered200.size() > cases / 10, "the mutations left few valid requests: "
                    + answered200.size() + " of " + cases);
            assertTrue(refused.size() > cases / 10, "the mutations were rarely refused: " + refused.size() + " of "
                    + cases);
        }
    }

    private static String bytesOf(String fuzzId, Map<Integer, String> ids, Map<Integer, byte[]> sent) {
        for (Map.Entry<Integer, String> e : ids.entrySet()) {
            if (e.getValue().equals(fuzzId)) {
                return "\ncase " + e.getKey() + " sent:\n" + HttpWire.ascii(sent.get(e.getKey()));
            }
        }
        return "";
    }

    /**
     * Sends {@code bytes} on a new connection (half-closing after them when told) and returns everything that
     * comes back until the proxy closes the connection.
     */
    private static String exchange(int port, byte[] bytes, boolean halfClose) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(15_000);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            try {
                s.getOutputStream().write(bytes);
                if (halfClose) {
                    s.shutdownOutput();
                }
            } catch (SocketException e) {
                // refused before everything was written: what came back still counts
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new IOException("the proxy kept the connection open for 15 s", e);
            } catch (SocketException e) {
                // reset: closed
            }
            return HttpWire.ascii(got.toByteArray());
        }
    }

    // ---- seeds and mutations -----------------------------------------------------------------------------

    private static String smuggled(String id) {
        return "GET /smuggled HTTP/1.1\r\nHost: a\r\nx-fuzz-id: " + id + "\r\n\r\n";
    }

    /** The request that ends every case: answered, then the proxy closes (unless it became a body). */
    private static byte[] sentinel(String id) {
        return HttpWire.ascii("GET /end HTTP/1.1\r\nHost: a\r\nx-fuzz-id: " + id + "\r\nConnection: close\r\n\r\n");
    }

    /** One of the valid requests the mutations start from; each hides a whole request in its body. */
    static byte[] seed(SplittableRandom rnd, String id) {
        String s = smuggled(id);
        String common = "Host: a\r\nx-fuzz-id: " + id + "\r\n";
        String r = switch (rnd.nextInt(6)) {
            case 0 -> "POST /fuzz/cl HTTP/1.1\r\n" + common + "Content-Length: " + s.length() + "\r\n\r\n" + s;
            case 1 -> "POST /fuzz/te HTTP/1.1\r\n" + common + "Transfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(s.length()) + "\r\n" + s + "\r\n0\r\n\r\n";
            case 2 -> "POST /fuzz/ext HTTP/1.1\r\n" + common + "Transfer-Encoding: chunked\r\n\r\n"
                    + "5;a=b\r\nhello\r\n" + Integer.toHexString(s.length()) + "\r\n" + s + "\r\n0\r\nX-T: 1\r\n\r\n";
            case 3 -> "GET /fuzz/a/./b HTTP/1.1\r\n" + common + "\r\nGET /fuzz/c HTTP/1.1\r\n" + common + "\r\n";
            case 4 -> "POST /fuzz/10 HTTP/1.0\r\n" + common + "Connection: keep-alive\r\nContent-Length: "
                    + s.length() + "\r\n\r\n" + s;
            default -> "PUT http://a/fuzz/abs HTTP/1.1\r\n" + common + "Content-Length: " + s.length() + "\r\n\r\n"
                    + s;
        };
        return HttpWire.ascii(r);
    }

    private static final byte[] BYTES = HttpWire.ascii(" \t\r\n\0,;:0159afAF-+\"_/.%#\u000b\u000c\u007f\u0080\u00ff");
    private static final String[] TOKENS = {"\r\n", "\n", "\r", " ", "\t", "\r\n\r\n", "chunked", ", chunked",
        "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: identity\r\n", "Content-Length: 0\r\n",
        "Content-Length: 5\r\n", "Content-Length: 99\r\n", "Transfer-Encoding : chunked\r\n",
        "Transfer-Encoding:\u000bchunked\r\n", " chunked\r\n", "0\r\n\r\n", "5\r\n", "\r\n0\r\n\r\n", "Host: b\r\n",
        "X_Y: 1\r\n", "Connection: close\r\n", "Expect: 100-continue\r\n", "/..", "%2e%2e/", "//", "?", "#",
        "HTTP/1.1 ", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"};

    /** One to four random mutations. */
    static byte[] mutate(byte[] in, SplittableRandom rnd) {
        byte[] b = in;
        int count = 1 + rnd.nextInt(4);
        for (int i = 0; i < count; i++) {
            b = switch (rnd.nextInt(7)) {
                case 0 -> replace(b, rnd.nextInt(b.length), BYTES[rnd.nextInt(BYTES.length)]);
                case 1 -> insert(b, rnd.nextInt(b.length + 1), HttpWire.ascii(TOKENS[rnd.nextInt(TOKENS.length)]));
                case 2 -> delete(b, rnd.nextInt(b.length), 1 + rnd.nextInt(4));
                case 3 -> duplicateLine(b, rnd);
                case 4 -> flipCase(b, rnd.nextInt(b.length));
                case 5 -> insertAtLineStart(b, rnd, HttpWire.ascii(TOKENS[rnd.nextInt(TOKENS.length)]));
                default -> replace(b, rnd.nextInt(b.length), (byte) rnd.nextInt(256));
            };
            if (b.length == 0) {
                b = in;
            }
        }
        return b;
    }

    private static byte[] replace(byte[] b, int at, byte v) {
        byte[] out = b.clone();
        out[at] = v;
        return out;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    private static byte[] delete(byte[] b, int at, int n) {
        int len = Math.min(n, b.length - at);
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
    }

    private static byte[] flipCase(byte[] b, int at) {
        byte c = b[at];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return replace(b, at, (byte) (c ^ 0x20));
        }
        return b;
    }

    private static List<Integer> lineStarts(byte[] b) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                starts.add(i + 1);
            }
        }
        return starts;
    }

    private static byte[] duplicateLine(byte[] b, SplittableRandom rnd) {
        List<Integer> starts = lineStarts(b);
        int k = rnd.nextInt(starts.size());
        int start = starts.get(k);
        int end = k + 1 < starts.size() ? starts.get(k + 1) : b.length;
        byte[] line = new byte[end - start];
        System.arraycopy(b, start, line, 0, line.length);
        return insert(b, end, line);
    }

    private static byte[] insertAtLineStart(byte[] b, SplittableRandom rnd, byte[] what) {
        List<Integer> starts = lineStarts(b);
        return insert(b, starts.get(rnd.nextInt(starts.size())), what);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
