package io.remora.core.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.remora.config.model.AccessLogConfig;
import io.remora.core.admin.JsonReader;
import io.remora.core.testing.Await;
import io.remora.core.upstream.Host;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class AccessLoggerTest {
    @TempDir
    Path dir;

    private static AccessLogEntry entry(int i) {
        return new AccessLogEntry()
                .startEpochMillis(1_700_000_000_123L)
                .durationNanos(1_234_567)
                .method("GET")
                .authority("example.com")
                .path("/items/" + i + "?q=\"x\"")
                .status(200)
                .upstreamHost(new Host("api", new InetSocketAddress("127.0.0.1", 8081), "127.0.0.1:8081", 1))
                .attempts(1)
                .bytesIn(0)
                .bytesOut(42)
                .requestId("req-" + i)
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .downstreamAddress(new InetSocketAddress("127.0.0.1", 50000 + i % 10000));
    }

    private static List<String> lines(Path f) {
        try {
            return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oneJsonLinePerEntryWithEveryField() throws Exception {
        Path f = dir.resolve("access.log");
        try (AccessLogger log = AccessLogger.open("ingress", new AccessLogConfig(f.toString(), "json"), null)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(log.log(entry(i)));
            }
            Await.until("three lines in the file", () -> lines(f).size() == 3);
        }
        List<String> lines = lines(f);
        assertEquals("{\"start_time\":\"2023-11-14T22:13:20.123Z\",\"duration_ms\":1.235,\"listener\":\"ingress\","
                + "\"method\":\"GET\",\"authority\":\"example.com\",\"path\":\"/items/0?q=\\\"x\\\"\",\"status\":200,"
                + "\"response_flags\":null,\"upstream_host\":\"127.0.0.1:8081\",\"attempts\":1,\"bytes_received\":0,"
                + "\"bytes_sent\":42,\"request_id\":\"req-0\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
                + "\"downstream_address\":\"127.0.0.1:50000\"}", lines.get(0));
        for (String line : lines) {
            Map<String, Object> m = JsonReader.parseObject(line);
            assertEquals(15, m.size());
        }
    }

    @Test
    void unsetFieldsAreNullAndFlagsAreKept() throws Exception {
        Path f = dir.resolve("a.log");
        try (AccessLogger log = AccessLogger.open("in", new AccessLogConfig(f.toString(), "json"), null)) {
            log.log(new AccessLogEntry().status(503).responseFlags("UF,URX").upstreamHost("10.0.0.1:80")
                    .downstreamAddress("192.0.2.1"));
            Await.until("a line", () -> lines(f).size() == 1);
        }
        Map<String, Object> m = JsonReader.parseObject(lines(f).get(0));
        assertNull(m.get("start_time"));
        assertNull(m.get("method"));
        assertEquals("UF,URX", m.get("response_flags"));
        assertEquals("10.0.0.1:80", m.get("upstream_host"));
        assertEquals("192.0.2.1", m.get("downstream_address"));
        assertEquals(503L, m.get("status"));
    }

    @Test
    void aFullQueueDropsAndCounts() throws Exception {
        Path f = dir.resolve("drop.log");
        AtomicInteger dropCallbacks = new AtomicInteger();
        // a writer that cannot run: the clock it reads blocks it until released, so the queue (2 slots) fills up
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        java.util.function.LongSupplier gate = () -> {
            if (reads.incrementAndGet() > 2) { // the constructor's reads pass; the writer's first read waits
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return System.nanoTime();
        };
        try (AccessLogger log = new AccessLogger("in", f.toString(), 2, TimeUnit.SECONDS.toNanos(1),
                dropCallbacks::incrementAndGet, gate)) {
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                accepted += log.log(entry(i)) ? 1 : 0;
            }
            // the writer may have taken at most one entry off the queue before it blocked on the clock
            assertTrue(accepted >= 2 && accepted <= 3, "accepted " + accepted);
            assertEquals(10 - accepted, log.dropped());
            assertEquals(10 - accepted, dropCallbacks.get());
            release.countDown();
            int expected = accepted;
            Await.until("the accepted entries written", () -> lines(f).size() == expected);
        }
        assertEquals(10 - lines(f).size(), dropCallbacks.get());
    }

    @Test
    void aRotatedFileIsReopened() throws Exception {
        Path f = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (AccessLogger log = new AccessLogger("in", f.toString(), 1024, TimeUnit.MILLISECONDS.toNanos(20), null,
                System::nanoTime)) {
            log.log(entry(1));
            Await.until("the first line", () -> lines(f).size() == 1);
            Files.move(f, rotated); // what logrotate does; the writer still holds the old file
            Await.until("the file reopened at its path", () -> Files.exists(f));
            log.log(entry(2));
            Await.until("the second line in the new file", () -> lines(f).size() == 1);
        }
        assertEquals(1, lines(rotated).size());
        assertTrue(lines(rotated).get(0).contains("req-1"));
        assertTrue(lines(f).get(0).contains("req-2"));
    }

    @Test
    void aFileReplacedByAnotherIsReopenedToo() throws Exception {
        Path f = dir.resolve("access.log");
        try (AccessLogger log = new AccessLogger("in", f.toString(), 1024, TimeUnit.MILLISECONDS.toNanos(20), null,
                System::nanoTime)) {
            log.log(entry(1));
            Await.until("the first line", () -> lines(f).size() == 1);
            Files.move(f, dir.resolve("old.log"));
            Files.writeString(f, ""); // logrotate's "create": a new empty file already there
            // until the writer notices (within a check interval), lines still go to the old file, as with any
            // program that appends to an open file: wait for the reopen
            Await.until("the new file opened", () -> log.reopens() == 1);
            log.log(entry(2));
            Await.until("the second line in the new file", () -> lines(f).size() == 1);
        }
        assertTrue(lines(f).get(0).contains("req-2"));
    }

    @Test
    void closeWritesWhatIsQueuedAndRefusesMore() throws Exception {
        Path f = dir.resolve("close.log");
        AccessLogger log = new AccessLogger("in", f.toString(), 4096, TimeUnit.SECONDS.toNanos(1), null,
                System::nanoTime);
        for (int i = 0; i < 1000; i++) {
            assertTrue(log.log(entry(i)));
        }
        log.close();
        assertEquals(1000, lines(f).size());
        assertEquals(1000, log.written());
        assertFalse(log.log(entry(1)));
        assertEquals(1, log.dropped());
    }

    @Test
    void aFileThatCannotBeOpenedFailsAtStartWithItsName() {
        String p = dir.resolve("no/such/dir/access.log").toString();
        IOException e = assertThrows(IOException.class,
                () -> AccessLogger.open("in", new AccessLogConfig(p, "json"), null));
        assertEquals("cannot open access log " + p + ": no such directory", e.getMessage());
    }

    @Test
    void manyProducersLoseNothingBelowCapacity() throws Exception {
        Path f = dir.resolve("mp.log");
        try (AccessLogger log = AccessLogger.open("in", new AccessLogConfig(f.toString(), "json"), null)) {
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                int base = t * 5000;
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 5000; i++) {
                        log.log(entry(base + i));
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            Await.until("every line written", Duration.ofSeconds(20),
                    () -> log.written() + log.dropped() == 20_000 && lines(f).size() == log.written());
            assertEquals(0, log.dropped());
        }
        assertEquals(20_000, lines(f).size());
    }
}
