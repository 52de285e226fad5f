package io.remora.config.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every way a config file changes in practice is noticed once, and only a real content change counts. */
@Timeout(30)
class FileWatcherTest {
    @TempDir
    Path dir;

    private FileWatcher watcher;
    private final List<FileSnapshot> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        // a short poll so that file systems without events still pass quickly
        watcher = new FileWatcher(Duration.ofMillis(50), Duration.ofMillis(200));
    }

    @AfterEach
    void tearDown() {
        watcher.close();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(10); // polling with a deadline
        }
    }

    private static String text(FileSnapshot s) {
        return s.content() == null ? null : new String(s.content(), StandardCharsets.UTF_8);
    }

    private void start(Path file) {
        watcher.watch(file, FileWatcher.read(file).hash(), seen::add);
        watcher.start();
    }

    @Test
    void writtenInPlace() throws Exception {
        Path f = Files.writeString(dir.resolve("remora.yaml"), "one");
        start(f);
        Files.writeString(f, "two");
        await(() -> seen.size() == 1, "one change");
        assertEquals("two", text(seen.get(0)));
        assertEquals(FileWatcher.sha256("two".getBytes(StandardCharsets.UTF_8)), seen.get(0).hash());
    }

    @Test
    void renamedOver() throws Exception {
        Path f = Files.writeString(dir.resolve("remora.yaml"), "one");
        start(f);
        Path tmp = Files.writeString(dir.resolve(".remora.yaml.tmp"), "two");
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await(() -> seen.size() == 1, "one change");
        assertEquals("two", text(seen.get(0)));
    }

    /** A Kubernetes ConfigMap volume: file -> ..data/file, and ..data is a symlink swapped to a new dir. */
    @Test
    void configMapSymlinkSwap() throws Exception {
        Path v1 = Files.createDirectory(dir.resolve("..2026_11_22_v1"));
        Files.writeString(v1.resolve("remora.yaml"), "one");
        Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path f = Files.createSymbolicLink(dir.resolve("remora.yaml"), Path.of("..data", "remora.yaml"));
        start(f);
        Path v2 = Files.createDirectory(dir.resolve("..2026_11_22_v2"));
        Files.writeString(v2.resolve("remora.yaml"), "two");
        Path newData = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
        Files.move(newData, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await(() -> seen.size() == 1, "one change");
        assertEquals("two", text(seen.get(0)));
    }

    @Test
    void deletedThenCreated() throws Exception {
        Path f = Files.writeString(dir.resolve("remora.yaml"), "one");
        start(f);
        Files.delete(f);
        await(() -> seen.size() == 1, "the deletion");
        assertFalse(seen.get(0).exists());
        assertNull(seen.get(0).hash());
        assertEquals("no such file", seen.get(0).error());
        Files.writeString(f, "two");
        await(() -> seen.size() == 2, "the new file");
        assertEquals("two", text(seen.get(1)));
    }

    @Test
    void touchingWithoutChangingContentReportsNothing() throws Exception {
        Path f = Files.writeString(dir.resolve("remora.yaml"), "one");
        start(f);
        Files.writeString(f, "one");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        // a real change afterwards is the only one reported, so the touch before it was not
        Files.writeString(f, "two");
        await(() -> !seen.isEmpty(), "the real change");
        assertEquals(1, seen.size());
        assertEquals("two", text(seen.get(0)));
    }

    @Test
    void aBurstOfWritesIsReportedOnceWithTheFinalContent() throws Exception {
        Path f = Files.writeString(dir.resolve("remora.yaml"), "v0");
        start(f);
        for (int i = 1; i <= 5; i++) {
            Files.writeString(f, "v" + i);
        }
        await(() -> !seen.isEmpty() && "v5".equals(text(seen.get(seen.size() - 1))), "the final content");
        assertTrue(seen.size() <= 2, "debounced, got " + seen.size());
    }

    @Test
    void readHashesWhatIsThere() throws IOException {
        Path f = Files.writeString(dir.resolve("x"), "abc");
        FileSnapshot s = FileWatcher.read(f);
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", s.hash());
        assertFalse(FileWatcher.read(dir.resolve("missing")).exists());
    }
    /**
     * Another file in the same directory written all the time (an access log beside the config, a busy
     * temp directory) sends events faster than the debounce period: the change must still be seen.
     */
    @Test
    void aBusyNeighbourDoesNotHideAChange() throws Exception {
        Path f = Files.writeString(dir.resolve("remora.yaml"), "one");
        Path log = dir.resolve("access.log");
        start(f);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; System.nanoTime() < deadline && !Thread.currentThread().isInterrupted(); i++) {
                    Files.writeString(log, "line " + i + "\n", java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                    TimeUnit.MILLISECONDS.sleep(10); // the neighbour's pace, not a wait for behaviour
                }
            } catch (IOException | InterruptedException e) {
                // stopped
            }
        }, "busy-neighbour");
        writer.start();
        try {
            await(() -> Files.exists(log) && log.toFile().length() > 100, "the neighbour busy");
            Files.writeString(f, "two");
            long written = System.nanoTime();
            await(() -> !seen.isEmpty(), "the change beside a busy file");
            assertEquals("two", text(seen.get(0)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
            assertTrue(millis < 2_000, "seen after " + millis + " ms");
        } finally {
            writer.interrupt();
            writer.join(5_000);
        }
    }
}
