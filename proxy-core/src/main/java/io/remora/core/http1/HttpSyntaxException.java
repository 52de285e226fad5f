package io.remora.core.http1;

/**
 * A message that breaks the HTTP/1.1 grammar or framing rules enforced by {@link StrictRequestDecoder} and
 * {@link StrictResponseDecoder}. A request that fails with it is answered {@code 400 Bad Request}; an upstream
 * response that fails with it becomes a {@code 502} ({@code UPE}). Either way the connection is closed: nothing
 * after the violation is parsed.
 *
 * <p>The message is short and names the rule that was broken ("obs-fold in field line", "invalid chunk size"); it
 * never echoes the offending bytes beyond a single byte value, so it is safe to put in a log line or a local
 * reply. No stack trace is captured: the decoder throws these on the data path, possibly once per hostile
 * connection, and the message alone says where the input went wrong.
 */
public final class HttpSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public HttpSyntaxException(String message) {
        super(message);
    }

    @Override
    public Throwable fillInStackTrace() {
        return this; // the message locates the fault in the input; a stack trace would only cost time
    }
}
