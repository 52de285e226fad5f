package io.remora.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran (Zuul's
 * {@code CustomLeakDetector.assertZeroLeaks()}). Registered for every test class through JUnit's extension
 * auto-detection ({@code META-INF/services} and {@code junit-platform.properties}), so its static initializer
 * runs before any test touches a {@link ByteBuf} and its detector factory is the one Netty's buffers use.
 * Surefire runs with {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked.
 *
 * <p>A leak is only seen once the garbage collector has cleared the leaked buffer and a later allocation polls
 * the detector's queue; {@link #collect()} forces both. A leak found after a class may come from an earlier
 * class whose garbage was not collected yet: the report's access records say where the buffer was used.
 */
public final class LeakCheck implements AfterAllCallback {
    private static final List<String> LEAKS = new ArrayList<>();
    /** Set while {@code LeakCheckTest} leaks on purpose, so that the log shows no "LEAK:" for it. */
    static volatile boolean muted;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during or before "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /** Provokes leak detection (GC, then allocations that poll the queue) and returns and clears what it found. */
    public static List<String> collect() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // lets the reference handler enqueue
            for (int i = 0; i < 64; i++) {
                // a tracked allocation polls the detector's queue (the unpooled allocator's are not tracked)
                ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
                b.release();
            }
        }
        synchronized (LEAKS) {
            List<String> out = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return out;
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation") // the abstract method Netty's factory contract still requires
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // record even if the logger would not print
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            if (!muted) {
                super.reportTracedLeak(resourceType, records);
            }
            synchronized (LEAKS) {
                LEAKS.add("LEAK: " + resourceType + records);
            }
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            if (!muted) {
                super.reportUntracedLeak(resourceType);
            }
            synchronized (LEAKS) {
                LEAKS.add("LEAK: " + resourceType + " (untraced)");
            }
        }
    }
}
