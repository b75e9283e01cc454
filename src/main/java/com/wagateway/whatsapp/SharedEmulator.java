package com.wagateway.whatsapp;

import com.wagateway.shared.Threads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one emulated WhatsApp a sandbox pool of several engine processes shares: the standalone
 * emulator ({@code node emulator/server.js}) as a child process of the JVM, persisted under
 * {@code DATA_DIR/emulator} like the emulator a single engine runs in-process, so switching
 * between one and several processes keeps every linked account. Every engine process dials its URL
 * (hello {@code sandbox.emulatorUrl}), so a connection's phone is the same whichever process runs it.
 *
 * <p>Guarantees: {@link #url()} answers only once the emulator listens (it printed its URL); the
 * emulator is not part of any engine process, so one engine process crashing leaves it, and the
 * other processes' sockets, untouched. If the emulator itself exits it is started again on the
 * same port (the engines' URL stays valid; their sockets reconnect as after any close). It exits
 * when its stdin closes, so a JVM killed with -9 leaves no emulator behind. Its stderr
 * (libsignal's console, without session dumps) goes to our debug log.
 */
final class SharedEmulator {

    private static final Logger log = LoggerFactory.getLogger(SharedEmulator.class);
    private static final Logger emulatorLog = LoggerFactory.getLogger("emulator");

    /** Everything the command line needs: see {@code whatsapp/emulator/server.js}. */
    record Options(String node, Path engineDir, Path dataDir, int qrRefs, Duration receiptDelay, Duration startTimeout) {
    }

    private final Options options;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(Threads.named("emulator-supervisor"));
    private Process process;
    private String url;
    private volatile boolean running = true;

    SharedEmulator(Options options) {
        this.options = options;
    }

    /**
     * The emulator's WebSocket URL, starting it first if it is not running (the first time on a
     * port the kernel picks, later on that same port). Throws when it does not start.
     */
    synchronized String url() {
        if (process != null && process.isAlive()) {
            return url;
        }
        if (!running) {
            throw new IllegalStateException("the node is stopping");
        }
        int port = url == null ? 0 : URI.create(url).getPort();
        try {
            start(port);
        } catch (IOException e) {
            throw new IllegalStateException("the shared sandbox emulator did not start: " + e.getMessage(), e);
        }
        return url;
    }

    /** PID of the running emulator, or -1 (tests kill it). */
    synchronized long pid() {
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    /** Stops the emulator (SIGTERM, then kill after 5 s) and does not restart it. */
    synchronized void stop() {
        running = false;
        restarts.shutdownNow();
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private void start(int port) throws IOException {
        Path data = options.dataDir();
        Files.createDirectories(data);
        long delay = options.receiptDelay().toMillis();
        List<String> cmd = new ArrayList<>(List.of(options.node(), "emulator/server.js", "--port", Integer.toString(port),
                "--data", data.toString(), "--media-dir", data.resolve("media").toString(),
                "--qr-refs", Integer.toString(options.qrRefs()),
                // the contacts' automatic receipts, as the in-process emulator gets them from receiptDelayMs
                "--delivery-delay-ms", delay > 0 ? Long.toString(delay) : "none",
                "--read-delay-ms", delay > 0 ? Long.toString(2 * delay) : "none",
                // it stops when this JVM's end of its stdin closes, also when the JVM is killed
                "--exit-with-stdin"));
        Process p = new ProcessBuilder(cmd).directory(options.engineDir().toFile()).start();
        Threads.daemon(() -> copyStderr(p), "emulator-stderr-" + p.pid()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readLine(out));
        String line;
        try {
            line = first.get(options.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null || !line.startsWith("ws://")) {
            p.destroyForcibly();
            throw new IOException("no URL from " + cmd + " within " + options.startTimeout());
        }
        // nothing else is written on stdout; drain it anyway so the pipe can never fill up
        Threads.daemon(() -> { while (readLine(out) != null) { /* drain */ } }, "emulator-stdout-" + p.pid()).start();
        process = p;
        url = line.trim();
        log.info("shared sandbox emulator started: pid {}, {}", p.pid(), url);
        p.onExit().thenRun(() -> onExit(p));
    }

    private void onExit(Process p) {
        if (!running) {
            return;
        }
        log.warn("shared sandbox emulator (pid {}) exited with code {}; starting it again", p.pid(), p.exitValue());
        scheduleRestart(1);
    }

    private void scheduleRestart(long seconds) {
        try {
            restarts.schedule(() -> {
                try {
                    url();
                } catch (RuntimeException e) {
                    log.error("{}; trying again", e.getMessage());
                    scheduleRestart(Math.min(30, seconds * 2));
                }
            }, seconds, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("node stopping; emulator not restarted");
        }
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    private void copyStderr(Process p) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                emulatorLog.debug(line);
            }
        } catch (IOException e) {
            log.debug("emulator stderr closed: {}", e.getMessage());
        }
    }
}
