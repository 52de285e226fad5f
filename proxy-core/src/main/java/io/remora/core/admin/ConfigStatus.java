package io.remora.core.admin;

import io.remora.config.model.RemoraConfig;
import io.remora.core.metrics.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The config the proxy runs, as {@code GET /config} shows it.
 *
 * @param hash             {@code sha256:} and the hex SHA-256 of the config's canonical JSON rendering (defaults
 *                         filled in, map keys and sets sorted), so equal configs have equal hashes whatever the
 *                         file's layout or comments
 * @param loadedAt         when this config was loaded
 * @param lastReloadError  why the last reload failed, or null if none failed since this config was loaded
 * @param lastReloadErrorAt when it failed, or null
 */
public record ConfigStatus(RemoraConfig config, String hash, Instant loadedAt, String lastReloadError,
        Instant lastReloadErrorAt) {

    /** A config just loaded. */
    public static ConfigStatus loaded(RemoraConfig config, Instant at) {
        return new ConfigStatus(config, hash(config), at, null, null);
    }

    /** The same config, after a reload that failed with {@code error}. */
    public ConfigStatus withReloadError(String error, Instant at) {
        return new ConfigStatus(config, hash, loadedAt, error, at);
    }

    public static String hash(RemoraConfig config) {
        JsonWriter w = new JsonWriter(new StringBuilder(4096));
        ConfigJson.write(w, config);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(w.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
