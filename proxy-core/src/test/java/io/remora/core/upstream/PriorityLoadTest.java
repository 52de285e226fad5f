package io.remora.core.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Envoy's priority-load arithmetic: overprovisioning 1.4, spill-over, normalization, panic. */
class PriorityLoadTest {

    private static int[] loads(int[] total, int[] available, int panic) {
        return PriorityLoad.compute(total, available, panic).loads();
    }

    /** Priority 0 of 4 hosts failing one by one and coming back; priority 1 (4 hosts) takes the spill-over. */
    @ParameterizedTest(name = "{0} of 4 available at P0 -> {1}% / {2}%")
    @CsvSource({
        "4, 100, 0",   // health min(100, 140) = 100
        "3, 100, 0",   // 140 × 3/4 = 105: overprovisioned, still all of it
        "2, 70, 30",   // 140 × 2/4 = 70
        "1, 35, 65",   // 140 × 1/4 = 35
        "0, 0, 100"})
    void trafficShiftsToPriorityOneInProportionAndBack(int p0Available, int p0Load, int p1Load) {
        assertArrayEquals(new int[] {p0Load, p1Load}, loads(new int[] {4, 4}, new int[] {p0Available, 4}, 50));
    }

    /** Envoy's documented examples (priority.rst): the level's health × 1.4, the rest to the next level. */
    @ParameterizedTest
    @CsvSource({
        "100, 100, 100, 0",
        "72, 100, 100, 0",   // 72 × 1.4 = 100.8
        "71, 100, 99, 1",    // 71 × 1.4 = 99.4, integer percents as Envoy computes them
        "50, 100, 70, 30",
        "25, 100, 35, 65",
        "0, 100, 0, 100"})
    void documentedTable(int p0HealthyPercent, int p1HealthyPercent, int p0Load, int p1Load) {
        assertArrayEquals(new int[] {p0Load, p1Load},
                loads(new int[] {100, 100}, new int[] {p0HealthyPercent, p1HealthyPercent}, 0));
    }

    @Test
    void whenTheLevelsTogetherFallShortTheirSharesAreScaledUp() {
        // P0 35, P1 35 (a quarter of each available): normalized total 70, each gets half
        assertArrayEquals(new int[] {50, 50}, loads(new int[] {4, 4}, new int[] {1, 1}, 0));
        // P0 35, P1 14: 35/49 and 14/49 of 100
        assertArrayEquals(new int[] {72, 28}, loads(new int[] {4, 10}, new int[] {1, 1}, 0));
    }

    @Test
    void threeLevelsCascade() {
        assertArrayEquals(new int[] {70, 30, 0}, loads(new int[] {2, 2, 2}, new int[] {1, 2, 2}, 0));
        assertArrayEquals(new int[] {0, 70, 30}, loads(new int[] {2, 2, 2}, new int[] {0, 1, 2}, 0));
        assertArrayEquals(new int[] {0, 0, 100}, loads(new int[] {2, 2, 2}, new int[] {0, 0, 2}, 0));
    }

    @Test
    void levelsAlwaysAddUpToOneHundred() {
        for (int a = 0; a <= 7; a++) {
            for (int b = 0; b <= 3; b++) {
                for (int c = 0; c <= 5; c++) {
                    int[] l = loads(new int[] {7, 3, 5}, new int[] {a, b, c}, 50);
                    assertEquals(100, l[0] + l[1] + l[2], a + "/" + b + "/" + c);
                }
            }
        }
    }

    @Test
    void panicPerLevelOnlyWhileTheTotalFallsShort() {
        // P0 1 of 4 (25% < 50%) but P1 fully healthy: the total is 100, so nobody panics
        PriorityLoad p = PriorityLoad.compute(new int[] {4, 4}, new int[] {1, 4}, 50);
        assertFalse(p.panic(0));
        assertFalse(p.panic(1));
        // P0 1 of 5 (health 28) and P1 2 of 4 (health 70): the total is 98, and P0 is under the threshold
        p = PriorityLoad.compute(new int[] {5, 4}, new int[] {1, 2}, 50);
        assertTrue(p.panic(0));
        assertFalse(p.panic(1), "2 of 4 is not under 50%");
        assertArrayEquals(new int[] {29, 71}, p.loads(), "28/98 and 70/98 of 100, the rounding to P0");
    }

    @Test
    void everyLevelInPanicSplitsByHostCount() {
        PriorityLoad p = PriorityLoad.compute(new int[] {3, 1}, new int[] {0, 0}, 50);
        assertTrue(p.panic(0) && p.panic(1));
        assertArrayEquals(new int[] {75, 25}, p.loads());
    }

    @Test
    void nothingAvailableAndNoPanicMeansNoLoad() {
        assertArrayEquals(new int[] {0, 0}, loads(new int[] {2, 2}, new int[] {0, 0}, 0));
    }

    @Test
    void oneLevelKeepsThePlainPanicRule() {
        // 3 of 4 available: 75% under an 80% threshold panics, though 1.4 × 75% covers the load
        assertTrue(PriorityLoad.compute(new int[] {4}, new int[] {3}, 80).panic(0));
        assertArrayEquals(new int[] {100}, loads(new int[] {4}, new int[] {1}, 0));
        assertFalse(PriorityLoad.compute(new int[] {4}, new int[] {2}, 50).panic(0));
        assertTrue(PriorityLoad.compute(new int[] {4}, new int[] {1}, 50).panic(0));
    }
}
