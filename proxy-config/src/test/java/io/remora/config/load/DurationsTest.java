package io.remora.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "0s, 0",
            "0ms, 0",
            "250ms, 250",
            "2s, 2000",
            "1m, 60000",
            "1h, 3600000",
            "1m30s, 90000",
            "1h2m3s4ms, 3723004",
            "1500ms, 1500",
            "007s, 7000",
            "8760h, 31536000000",
    })
    void parses(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "5          | '\"5\": missing unit, expected a duration such as 250ms, 2s, 1m'",
            "0          | '\"0\": missing unit, expected a duration such as 250ms, 2s, 1m'",
            "1m30       | '\"1m30\": missing unit, expected a duration such as 250ms, 2s, 1m'",
            "-1s        | '\"-1s\": must not be negative'",
            "''         | '\"\": expected a duration such as 250ms, 2s, 1m'",
            "s          | '\"s\": expected a duration such as 250ms, 2s, 1m'",
            "' 2s'      | '\" 2s\": expected a duration such as 250ms, 2s, 1m'",
            "'2s '      | '\"2s \": expected a duration such as 250ms, 2s, 1m'",
            "'2 s'      | '\"2 s\": expected a duration such as 250ms, 2s, 1m'",
            "+2s        | '\"+2s\": expected a duration such as 250ms, 2s, 1m'",
            "PT2S       | '\"PT2S\": expected a duration such as 250ms, 2s, 1m'",
            "2d         | '\"2d\": unknown unit \"d\" (expected ms, s, m or h)'",
            "2sec       | '\"2sec\": unknown unit \"sec\" (expected ms, s, m or h)'",
            "2S         | '\"2S\": unknown unit \"S\" (expected ms, s, m or h)'",
            "10us       | '\"10us\": unknown unit \"us\" (expected ms, s, m or h)'",
            "1.5s       | '\"1.5s\": fractions are not supported, use a smaller unit such as 1500ms for 1.5s'",
            "30s1m      | '\"30s1m\": units must go from largest to smallest, each at most once, such as 1m30s'",
            "1s1s       | '\"1s1s\": units must go from largest to smallest, each at most once, such as 1m30s'",
            "8761h      | '\"8761h\": too large (at most 8760h, one year)'",
            "99999999999999999999s | '\"99999999999999999999s\": too large (at most 8760h, one year)'",
            "9223372036854775807h  | '\"9223372036854775807h\": too large (at most 8760h, one year)'",
    })
    void refuses(String text, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Durations.parse(text)).getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "250, 250ms", "2000, 2s", "90000, 1m30s", "3723004, 1h2m3s4ms", "86400000, 24h"})
    void formatsAsTheConfigSpellsIt(long millis, String text) {
        assertEquals(text, Durations.format(Duration.ofMillis(millis)));
        assertEquals(Duration.ofMillis(millis), Durations.parse(text));
    }
}
