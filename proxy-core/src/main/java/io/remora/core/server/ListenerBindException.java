package io.remora.core.server;

/** A listener (or the admin server) could not bind its address; the message is one sentence fit for an operator. */
public final class ListenerBindException extends Exception {
    private static final long serialVersionUID = 1L;

    public ListenerBindException(String listener, String address, Throwable cause) {
        super("cannot bind listener " + listener + " to " + address + ": " + reason(cause), cause);
    }

    private ListenerBindException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The admin server could not bind {@code address}, or was refused a non-loopback one. */
    static ListenerBindException admin(String address, Throwable cause) {
        return new ListenerBindException("cannot start the admin server on " + address + ": " + reason(cause), cause);
    }

    private static String reason(Throwable cause) {
        String m = cause == null ? null : cause.getMessage();
        if (m == null) {
            return cause == null ? "unknown error" : cause.getClass().getSimpleName();
        }
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("address already in use")) {
            return "address already in use";
        }
        if (lower.contains("cannot assign requested address")) {
            return "no such local address";
        }
        if (lower.contains("permission denied")) {
            return "permission denied";
        }
        if (lower.startsWith("not a loopback address")) {
            return m;
        }
        int colon = m.lastIndexOf(": ");
        return colon >= 0 ? m.substring(colon + 2) : m;
    }
}
