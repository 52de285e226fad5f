package io.remora.cli;

import io.remora.config.load.ConfigLoader;
import io.remora.config.validate.ConfigException;
import io.remora.config.validate.ValidationError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code remora validate FILE}: parse and validate a config without starting anything. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a config file: print OK (exit 0), or every error with its path (exit 1).",
        footer = {"", "Example:", "  remora validate /etc/remora/remora.yaml"})
final class ValidateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", description = "the YAML config file")
    Path file;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            ConfigLoader.load(file);
            spec.commandLine().getOut().println("OK");
            return 0;
        } catch (ConfigException e) {
            printErrors(spec.commandLine().getErr(), file, e);
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("remora: cannot read config file " + file + ": " + reason(e));
            return 1;
        }
    }

    static void printErrors(java.io.PrintWriter err, Path file, ConfigException e) {
        err.println(file + ": " + e.errors().size() + " error" + (e.errors().size() == 1 ? "" : "s") + ":");
        for (ValidationError v : e.errors()) {
            err.println("  " + v);
        }
    }

    static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
