package io.remora.core.lb;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** Delegates every draw to the calling thread's {@link ThreadLocalRandom}. */
final class ThreadLocalRandomGenerator implements RandomGenerator {
    static final ThreadLocalRandomGenerator INSTANCE = new ThreadLocalRandomGenerator();

    private ThreadLocalRandomGenerator() {
    }

    @Override
    public long nextLong() {
        return ThreadLocalRandom.current().nextLong();
    }

    @Override
    public int nextInt(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }

    @Override
    public boolean nextBoolean() {
        return ThreadLocalRandom.current().nextBoolean();
    }
}
