package io.remora.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code remora.jar}. */
@Command(name = "remora",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "A service-mesh sidecar proxy for HTTP/1.1 and TCP, configured by one YAML file.",
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, AdminCommand.class,
                CertsCommand.class, VersionCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  remora demo                      # demo backends behind Remora, on loopback",
                "  remora validate remora.yaml      # check a config file, print every error",
                "  remora run --config remora.yaml  # run the proxy",
                "  remora admin clusters            # every host of a running proxy: health, ejection, latency",
                "  remora certs --help              # a CA and workload certificates for mTLS between sidecars",
                "  remora help run                  # the options of one command"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Logging.configure();
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // sampling leak detection records a stack trace for one buffer in 128: worth it in tests, not in a
            // proxy's steady state; -Dio.netty.leakDetection.level=simple turns it back on
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("remora: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        cl.setParameterExceptionHandler((e, args1) -> {
            CommandLine cmd = e.getCommandLine();
            // the qualified name, so that a subcommand's subcommand says 'remora certs issue --help'
            cmd.getErr().println("remora: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName()
                    + " --help')");
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
