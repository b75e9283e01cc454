package com.wagateway.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Node script of the dashboard ({@code frontend/e2e/*.mjs}) against a running gateway and
 * hands back its exit code and output, so a JUnit test can fail with the script's own story.
 * The frontend's npm packages (socket.io-client, playwright-core) are installed by the build.
 */
public final class NodeScript {

    /** How a script ended: exit code (-1 after a timeout) and everything it printed. */
    public record Result(int exitCode, String output) {
    }

    private NodeScript() {
    }

    public static Path frontendDir() {
        return Path.of("frontend").toAbsolutePath();
    }

    /** True when the frontend's packages are installed (the Maven build does it). */
    public static boolean packagesInstalled() {
        return Files.isDirectory(frontendDir().resolve("node_modules/socket.io-client"));
    }

    /** Runs {@code node <script>} in {@code frontend/} with {@code env} added, for at most {@code timeout}. */
    public static Result run(String script, Map<String, String> env, Duration timeout) {
        Path log;
        try {
            log = Files.createTempFile("node-script-", ".log");
            ProcessBuilder pb = new ProcessBuilder(System.getProperty("node.executable", "node"), script)
                    .directory(frontendDir().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            System.out.println("---- " + script + " ----\n" + out);
            return new Result(done ? p.exitValue() : -1, out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
