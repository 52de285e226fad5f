package io.remora.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {

    @ParameterizedTest
    @CsvSource({"0, 0", "512B, 512", "512, 512", "64KiB, 65536", "1MiB, 1048576", "64MiB, 67108864",
            "2GiB, 2147483648", "99999999999999999999, 9223372036854775807", "9999999999GiB, 9223372036854775807"})
    void parses(String text, long bytes) {
        assertEquals(bytes, Sizes.parse(text));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "64KB| \"64KB\": unknown unit \"KB\" (expected B, KiB, MiB or GiB)",
            "1kib| \"1kib\": unknown unit \"kib\" (expected B, KiB, MiB or GiB)",
            "1.5MiB| \"1.5MiB\": fractions are not supported, use a smaller unit such as 1536KiB for 1.5MiB",
            "-1KiB| \"-1KiB\": must not be negative",
            "KiB| \"KiB\": expected a size such as 512B, 64KiB or 1MiB, or a number of bytes",
            "''| \"\": expected a size such as 512B, 64KiB or 1MiB, or a number of bytes",
            "1 MiB| \"1 MiB\": expected a size such as 512B, 64KiB or 1MiB, or a number of bytes",
            "1MiB512KiB| \"1MiB512KiB\": expected a size such as 512B, 64KiB or 1MiB, or a number of bytes"})
    void refuses(String text, String message) {
        assertEquals(message.strip(), assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text))
                .getMessage());
    }

    @ParameterizedTest
    @CsvSource({"0, 0B", "1000, 1000B", "1024, 1KiB", "65536, 64KiB", "67108864, 64MiB", "1536, 1536B",
            "1572864, 1536KiB", "1073741824, 1GiB", "2199023255552, 2048GiB"})
    void formats(long bytes, String text) {
        assertEquals(text, Sizes.format(bytes));
    }
}
