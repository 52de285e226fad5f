package io.remora.cli;

/**
 * One-line log records on stderr (the JDK's default is two lines per record). Core code logs through
 * {@link System.Logger}, which lands in java.util.logging, configured here before anything logs.
 */
final class Logging {
    private Logging() {
    }

    static void configure() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n");
        }
    }
}
