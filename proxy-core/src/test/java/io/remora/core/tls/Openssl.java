package io.remora.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the {@code openssl} binary, when the machine has one, to check files against a standard tool. */
final class Openssl {
    private Openssl() {
    }

    /** The output (stdout and stderr) and exit code of one run. */
    record Result(int exit, String output) {
    }

    static boolean available() {
        try {
            return run("version").exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code openssl args...} and asserts that it exits 0. */
    static String ok(String... args) throws IOException {
        Result r = run(args);
        assertEquals(0, r.exit(), "openssl " + String.join(" ", args) + ":\n" + r.output());
        return r.output();
    }

    static Result run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
