package io.remora.config.watch;

import java.nio.file.Path;

/**
 * What a watched file holds at one moment.
 *
 * @param content the bytes, or {@code null} when the file is missing or unreadable
 * @param hash    SHA-256 of the content as hex, or {@code null} with it
 * @param error   why the file could not be read, or {@code null}
 */
public record FileSnapshot(Path path, byte[] content, String hash, String error) {

    public boolean exists() {
        return content != null;
    }
}
