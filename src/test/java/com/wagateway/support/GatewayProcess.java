package com.wagateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One gateway node as a JVM of its own ({@code java -cp <this JVM's class path>
 * com.wagateway.GatewayApplication --key=value ...}), for the cluster failover test and the
 * cluster benchmark: its own {@code NODE_ID}, data folder, engine process, HTTP and Socket.IO
 * ports (both picked by the kernel as they bind; the HTTP port is read from the node's log).
 *
 * <p>Guarantees: {@link #start} returns only once {@code /actuator/health} answers 200 (the web
 * server, the database and every engine process are up); everything the node prints goes to
 * {@link #log()}, and {@link #tail} reads its end for a failure message. {@link #kill9()} is a real
 * SIGKILL of the JVM (no shutdown hook runs; its engine child sees its stdin pipe close), and
 * {@link #pause()}/{@link #resume()} are SIGSTOP/SIGCONT of the JVM alone (its engine child keeps
 * running, as with a long GC pause or a frozen VM).
 */
public final class GatewayProcess implements AutoCloseable {

    private static final Pattern PORT = Pattern.compile("started on port[s()]*:? (\\d+)");

    private final String nodeId;
    private final Process process;
    private final Path log;
    private final String base;
    private final ApiClient admin;

    private GatewayProcess(String nodeId, Process process, Path log, int port) {
        this.nodeId = nodeId;
        this.process = process;
        this.log = log;
        this.base = "http://127.0.0.1:" + port;
        this.admin = ApiClient.withKey(base, GatewayHarness.ADMIN_KEY);
    }

    /**
     * Launches a node with these settings (as {@code --key=value} arguments, the highest
     * precedence) and waits up to {@code readyWithin} for its health endpoint. The node's output
     * goes to {@code <gateway.data-dir>/node.log}. The JVM is small and compiles with C1 only
     * (three nodes and the test share two loaded cores; the gateway's work here is I/O).
     */
    public static GatewayProcess start(String nodeId, Map<String, String> settings, Duration readyWithin) {
        Path dataDir = Path.of(settings.get("gateway.data-dir"));
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("node.log");
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                    "-Djdk.httpclient.allowRestrictedHeaders=host",
                    "-cp", System.getProperty("java.class.path"),
                    "com.wagateway.GatewayApplication"));
            settings.forEach((k, v) -> cmd.add("--" + k + "=" + v));
            cmd.add("--gateway.cluster.node-id=" + nodeId);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).directory(Path.of("").toAbsolutePath().toFile());
            pb.environment().put("DOTENV_FILE", dataDir.resolve("no.env").toString());
            Process p = pb.start();
            // a test that fails or is interrupted must not leave nodes (and their engines) behind
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "gateway-process-stop"));
            GatewayProcess node = new GatewayProcess(nodeId, p, log, awaitPort(p, log, readyWithin));
            node.awaitHealthy(readyWithin);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int awaitPort(Process p, Path log, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = PORT.matcher(read(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!p.isAlive()) {
                throw new AssertionError("the node exited with " + p.exitValue() + " before listening:\n" + tailOf(log, 60));
            }
            GatewayHarness.sleep(100);
        }
        throw new AssertionError("the node did not listen within " + within + ":\n" + tailOf(log, 60));
    }

    private void awaitHealthy(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        ApiClient anonymous = ApiClient.anonymous(base);
        while (System.nanoTime() < deadline) {
            try {
                if (anonymous.get("/actuator/health").status() == 200) {
                    return;
                }
            } catch (IllegalStateException e) {
                // not answering yet
            }
            if (!process.isAlive()) {
                throw new AssertionError(nodeId + " exited with " + process.exitValue() + ":\n" + tail(60));
            }
            GatewayHarness.sleep(200);
        }
        throw new AssertionError(nodeId + " was not healthy within " + within + ":\n" + tail(60));
    }

    public String nodeId() {
        return nodeId;
    }

    public long pid() {
        return process.pid();
    }

    public String baseUrl() {
        return base;
    }

    /** A client with the admin API key every node is started with. */
    public ApiClient admin() {
        return admin;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The processes this JVM started (its engine processes), alive now. */
    public List<ProcessHandle> children() {
        return process.toHandle().descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** SIGKILL, as {@code kill -9}: nothing in the JVM runs any more. Returns once the JVM is gone. */
    public void kill9() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(nodeId + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP of the JVM alone: its threads freeze, its engine child runs on. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT: the JVM resumes where it stopped. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of the node's log. */
    public String tail(int lines) {
        return tailOf(log, lines);
    }

    private static String tailOf(Path log, int lines) {
        String[] all = read(log).split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** How often {@code text} occurs in the node's log so far. */
    public int logCount(String text) {
        String all = read(log);
        int n = 0;
        for (int i = all.indexOf(text); i >= 0; i = all.indexOf(text, i + text.length())) {
            n++;
        }
        return n;
    }

    /** A clean stop (SIGTERM: Spring closes, leases are handed back), then SIGKILL after 30 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        resume(); // a paused JVM would never handle SIGTERM
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
