package io.remora.core.http;

/**
 * Fired down every downstream pipeline when the proxy drains: HTTP connections finish the request in flight and
 * close instead of waiting for the next one; idle ones close at once.
 */
public final class DrainEvent {
    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {
    }
}
