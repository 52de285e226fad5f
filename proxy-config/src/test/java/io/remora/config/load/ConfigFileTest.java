package io.remora.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.remora.config.model.RemoraConfig;
import io.remora.config.validate.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConfigLoader#load}: files that cannot be read are config errors with a clear message. */
class ConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void loadsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("remora.yaml"), ConfigLoaderTest.EXAMPLE);
        assertEquals(ConfigLoader.parse(ConfigLoaderTest.EXAMPLE, "x"), ConfigLoader.load(file));
    }

    @Test
    void syntaxErrorsNameTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("remora.yaml"), "listeners: [\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": invalid YAML at line 2, column 1: expected the node content, but found"
                + " '<stream end>' (while parsing a flow node started at line 2, column 1)", e.getMessage());
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nope.yaml");
        assertEquals("cannot read config file " + file + ": no such file", messageOf(file));
    }

    @Test
    void directory() {
        assertEquals("cannot read config file " + dir + ": is a directory", messageOf(dir));
    }

    @Test
    void notUtf8() throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), "admin: { address: caf\u00e9:1 }\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("cannot read config file " + file + ": not valid UTF-8", messageOf(file));
    }

    @Test
    void tooLarge() throws IOException {
        Path file = Files.write(dir.resolve("big.yaml"), new byte[ConfigFile.MAX_BYTES + 1]);
        assertEquals("cannot read config file " + file + ": larger than 4 MiB", messageOf(file));
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
        Path file = Files.writeString(dir.resolve("bom.yaml"), "\uFEFFdrain_timeout: 3s\n");
        RemoraConfig config = ConfigLoader.load(file);
        assertEquals(java.time.Duration.ofSeconds(3), config.drainTimeout());
    }

    @Test
    void emptyFileNamesTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("empty.yaml"), "");
        assertEquals(file + ": the config is empty, expected top-level keys such as listeners and clusters",
                messageOf(file));
    }

    private static String messageOf(Path file) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).getMessage();
    }
}
