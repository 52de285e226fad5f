package io.remora.core.testing;

import java.nio.charset.StandardCharsets;

/** A request exactly as a {@link RawBackend} read it off the wire. */
public record RawRequest(String method, String uri, String version, Headers headers, byte[] body,
        boolean chunked) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
        return headers.get(name);
    }
}
