package io.remora.core.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proves that {@link LeakCheck} is installed early enough to see leaks of the buffers the proxy uses. */
@Timeout(20)
class LeakCheckTest {
    @Test
    void detectsADeliberateLeak() {
        assertTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
                "surefire should run with -Dio.netty.leakDetection.level=paranoid");
        assertTrue(LeakCheck.collect().isEmpty(), "no leak before this test");
        List<String> leaks;
        LeakCheck.muted = true; // this leak is on purpose: keep "LEAK:" out of the build log
        try {
            leak();
            leaks = LeakCheck.collect();
            for (int i = 0; i < 10 && leaks.isEmpty(); i++) {
                leaks = LeakCheck.collect();
            }
        } finally {
            LeakCheck.muted = false;
        }
        assertFalse(leaks.isEmpty(), "a buffer dropped without release() must be reported");
        assertTrue(leaks.get(0).contains("LEAK"), leaks.get(0));
    }

    private static void leak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        b.writeInt(42); // never released
    }
}
