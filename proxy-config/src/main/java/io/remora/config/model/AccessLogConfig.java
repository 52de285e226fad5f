package io.remora.config.model;

/**
 * A listener's access log: one line per request, written off the event loops.
 *
 * @param path   where lines go: {@value #STDOUT}, {@value #STDERR} or a file (appended to, created if missing,
 *               reopened when rotated away)
 * @param format the line format; only {@value #JSON} (one JSON object per line) for now
 */
public record AccessLogConfig(String path, String format) {
    public static final String STDOUT = "/dev/stdout";
    public static final String STDERR = "/dev/stderr";
    public static final String JSON = "json";

    /** True when lines go to the process's own standard output or error rather than to a file. */
    public boolean isStandardStream() {
        return STDOUT.equals(path) || STDERR.equals(path);
    }
}
