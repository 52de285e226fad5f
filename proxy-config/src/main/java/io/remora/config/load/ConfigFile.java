package io.remora.config.load;

import io.remora.config.validate.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a config file as UTF-8 text. The failures an operator causes and can fix (no such file, a directory,
 * no permission, not UTF-8, absurdly large) become a {@link ConfigException} saying so; anything else is an
 * {@link IOException} from the system.
 */
final class ConfigFile {

    /** Far above any real config; stops {@code -c /dev/zero} from filling the heap. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    private ConfigFile() {
    }

    static String read(Path file) throws ConfigException, IOException {
        if (Files.isDirectory(file)) {
            throw cannotRead(file, "is a directory");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw cannotRead(file, "no such file");
        } catch (AccessDeniedException e) {
            throw cannotRead(file, "permission denied");
        }
        if (bytes.length > MAX_BYTES) {
            throw cannotRead(file, "larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw cannotRead(file, "not valid UTF-8");
        }
        // a byte order mark is legal at the start of a UTF-8 YAML stream; drop it so it is not read as content
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static ConfigException cannotRead(Path file, String why) {
        return new ConfigException("cannot read config file " + file + ": " + why);
    }
}
