package io.remora.cli;

import io.remora.core.server.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code remora version}: the build and the runtime it would use. */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print Remora's version, the Netty and Java versions, and the transport it would use.")
final class VersionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println(describe());
    }

    static String version() {
        return buildInfo().getProperty("version", "unknown");
    }

    private static Properties buildInfo() {
        Properties p = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return p;
    }

    static String describe() {
        return "remora " + version() + " (netty " + buildInfo().getProperty("netty", "unknown") + ", java "
                + Runtime.version() + ", transport "
                + Transport.choose().name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    /** Feeds {@code remora --version}. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {describe()};
        }
    }
}
