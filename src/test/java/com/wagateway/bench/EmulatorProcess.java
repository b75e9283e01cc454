package com.wagateway.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The emulated WhatsApp as a process of its own ({@code node whatsapp/emulator/server.js}), for
 * the benchmark: the gateway's engine then connects to it through {@code SANDBOX_EMULATOR_URL},
 * so the engine's resident set is the engine alone (Baileys sockets, Signal stores) and the
 * emulator's share (its contacts' Signal sessions, the accounts) is measured separately. It also
 * puts the contacts' encryption on its own event loop, as a real WhatsApp would be elsewhere.
 * Guarantees: {@link #start} returns only once the emulator printed its URL (it listens);
 * {@link #close} stops it and waits for it; its stderr goes to a file in its data folder.
 */
final class EmulatorProcess implements AutoCloseable {

    private final Process process;
    private final String url;

    private EmulatorProcess(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /**
     * Starts the emulator on a free loopback port, contacts' automatic receipts off (the
     * benchmark's sandbox receipts are off too); {@code logDir} gets its stderr. Its state stays
     * in its memory, not on disk: it outlives the gateway's restart in the connections scenario
     * (the accounts log in again without a QR), and with 1,000 linked devices (812 uploaded
     * prekeys each) a persisted state file would be rewritten, tens of MB at a time, all through
     * the ramp, on the same 2 cores as the gateway.
     */
    static EmulatorProcess start(Path logDir) throws IOException {
        Files.createDirectories(logDir);
        Path whatsapp = Path.of("whatsapp").toAbsolutePath();
        // the same node as the engine's (NODE_BINARY: e.g. a wrapper adding --cpu-prof for profiling)
        String node = System.getenv().getOrDefault("NODE_BINARY", "node");
        ProcessBuilder pb = new ProcessBuilder(List.of(node, "emulator/server.js", "--port", "0",
                "--delivery-delay-ms", "none"))
                .directory(whatsapp.toFile())
                .redirectError(logDir.resolve("emulator.stderr.log").toFile());
        Process p = pb.start();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = first.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null || !line.startsWith("ws://127.0.0.1:")) {
            p.destroyForcibly();
            throw new IOException("the emulator did not start (see " + logDir.resolve("emulator.stderr.log") + "): " + line);
        }
        // an interrupted benchmark (Ctrl-C) must not leave the emulator running
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "bench-emulator-stop"));
        return new EmulatorProcess(p, line.trim());
    }

    /** Its WebSocket URL ({@code ws://127.0.0.1:N/ws/chat}), for {@code gateway.engine.sandbox.emulator-url}. */
    String url() {
        return url;
    }

    /** Its resident set in bytes (Linux /proc), 0 when unknown. */
    long rss() {
        return ConnectionsScenario.rssOf(process.pid());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
