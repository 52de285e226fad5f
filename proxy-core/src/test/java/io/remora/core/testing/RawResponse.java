package io.remora.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A response exactly as it came off the wire.
 *
 * @param chunked    whether the body was sent with chunked transfer coding
 * @param chunkSizes sizes of the chunks, when chunked
 */
public record RawResponse(String version, int status, String reason, Headers headers, byte[] body,
        boolean chunked, List<Integer> chunkSizes, Headers trailers) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The proxy's response flag header, or {@code null} for an upstream's own response. */
    public String flags() {
        return headers.get("x-remora-flags");
    }

    @Override
    public String toString() {
        return version + " " + status + " " + reason + "\n" + headers + "\n" + bodyText();
    }
}
