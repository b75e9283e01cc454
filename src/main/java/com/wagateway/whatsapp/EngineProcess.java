package com.wagateway.whatsapp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.wagateway.shared.Threads;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One running engine child process and the protocol spoken with it: commands written as JSON
 * lines to its stdin, replies matched to their command by id, events handed to a consumer in
 * the order they were read, requests (engine asks Java) handed to a second consumer. Stderr (the
 * engine's pino log) is copied to our log.
 *
 * <p>Guarantees: every command future completes — with the reply, with an
 * {@link EngineException} after {@code commandTimeout}, or when the process exits.
 */
final class EngineProcess implements InboundConfirmations {

    private static final Logger log = LoggerFactory.getLogger(EngineProcess.class);
    private static final Logger engineLog = LoggerFactory.getLogger("engine");

    private final Process process;
    private final OutputStream stdin;
    private final JsonMapper json;
    private final Duration commandTimeout;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private EngineProcess(Process process, JsonMapper json, Duration commandTimeout) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.json = json;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Spawns {@code node src/main.js} in the engine folder and starts the reader threads.
     * {@code onEvent} receives event lines on the stdout reader thread.
     */
    static EngineProcess spawn(List<String> command, java.nio.file.Path dir, JsonMapper json,
                               Duration commandTimeout, java.util.function.BiConsumer<EngineProcess, JsonNode> onEvent,
                               Consumer<JsonNode> onRequest) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("NODE_ENV", "production");
        Process p = pb.start();
        EngineProcess engine = new EngineProcess(p, json, commandTimeout);
        Thread out = Threads.daemon(() -> engine.readStdout(line -> onEvent.accept(engine, line), onRequest), "engine-stdout-" + p.pid());
        Thread err = Threads.daemon(engine::readStderr, "engine-stderr-" + p.pid());
        out.start();
        err.start();
        p.onExit().thenRun(() -> engine.failPending("engine process exited with code " + p.exitValue()));
        return engine;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /**
     * Sends one command; the future completes with the reply's {@code result}, or exceptionally
     * with the reply's error code, a timeout, or the process's exit.
     */
    CompletableFuture<JsonNode> send(String cmd, ObjectNode args) {
        String id = Long.toString(ids.incrementAndGet());
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode line = json.createObjectNode();
        line.put("id", id);
        line.put("cmd", cmd);
        line.set("args", args == null ? json.createObjectNode() : args);
        try {
            byte[] bytes = (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (stdin) {
                stdin.write(bytes);
                stdin.flush();
            }
        } catch (IOException | RuntimeException e) {
            pending.remove(id);
            reply.completeExceptionally(new EngineException.Unavailable("cannot write to engine: " + e.getMessage()));
            return reply;
        }
        reply.orTimeout(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> pending.remove(id));
        return reply.exceptionallyCompose(e -> CompletableFuture.failedFuture(
                e instanceof java.util.concurrent.TimeoutException
                        ? new EngineException.Unavailable("engine did not answer '" + cmd + "' in " + commandTimeout)
                        : e));
    }

    /**
     * Tells the process these reported messages are stored ({@code inbound.stored}): their receipts
     * may leave. Fire and forget: a process that exited meanwhile took its sockets with it, and
     * WhatsApp sends those messages again.
     */
    @Override
    public void confirm(List<String> tokens) {
        ObjectNode args = json.createObjectNode();
        tokens.forEach(args.putArray("tokens")::add);
        send("inbound.stored", args).exceptionally(e -> {
            log.debug("inbound.stored not delivered: {}", e.getMessage());
            return null;
        });
    }

    /** Closes stdin (the engine then closes its sockets and exits), then waits, then kills. */
    void shutdown(Duration grace) {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void readStdout(Consumer<JsonNode> onEvent, Consumer<JsonNode> onRequest) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (RuntimeException e) {
                    log.warn("engine wrote a non-protocol line on stdout ({} chars)", line.length());
                    continue;
                }
                // the one place engine text enters Java: make it storable before anyone reads it
                if (EngineText.mayContainNul(line)) {
                    EngineText.sanitizeLine(node);
                }
                String type = node.path("type").asString("");
                if ("reply".equals(type)) {
                    completeReply(node);
                } else if ("event".equals(type) || "request".equals(type)) {
                    try {
                        ("event".equals(type) ? onEvent : onRequest).accept(node);
                    } catch (RuntimeException e) {
                        log.error("engine {} handler failed", type, e);
                    }
                }
            }
        } catch (IOException e) {
            log.debug("engine stdout closed: {}", e.getMessage());
        }
    }

    private void completeReply(JsonNode node) {
        CompletableFuture<JsonNode> f = pending.remove(node.path("id").asString(""));
        if (f == null) {
            return;
        }
        if (node.path("ok").asBoolean(false)) {
            f.complete(node.path("result"));
        } else {
            JsonNode err = node.path("error");
            f.completeExceptionally(EngineException.fromReply(err.path("code").asString("internal"),
                    err.path("message").asString("engine error"),
                    err.hasNonNull("statusCode") ? err.get("statusCode").asInt() : null));
        }
    }

    /** Copies the engine's pino log lines to ours at the matching level. */
    private void readStderr() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                logEngineLine(line);
            }
        } catch (IOException e) {
            log.debug("engine stderr closed: {}", e.getMessage());
        }
    }

    private void logEngineLine(String line) {
        int level = 30;
        String msg = line;
        if (line.startsWith("{")) {
            try {
                JsonNode n = json.readTree(line);
                level = n.path("level").asInt(30);
                String id = n.path("connectionId").asString(null);
                msg = (id != null ? "[" + id + "] " : "") + n.path("msg").asString(line) + errorDetail(n);
            } catch (RuntimeException ignored) {
                // not JSON after all: log as is
            }
        }
        if (level >= 50) {
            engineLog.error(msg);
        } else if (level >= 40) {
            engineLog.warn(msg);
        } else if (level >= 30) {
            engineLog.info(msg);
        } else {
            engineLog.debug(msg);
        }
    }

    /**
     * The message of the error an engine log line carries ({@code err} or {@code error}, as pino and
     * Baileys name it), so "failed to decrypt message" says why. Only the message string: never
     * the rest of the object (a Baileys error may carry the stanza).
     */
    private static String errorDetail(JsonNode line) {
        for (String field : List.of("err", "error")) {
            JsonNode m = line.path(field).path("message");
            if (m.isString() && !m.asString().isBlank()) {
                String text = m.asString();
                return ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
            }
        }
        return "";
    }

    private void failPending(String why) {
        for (String id : List.copyOf(pending.keySet())) {
            CompletableFuture<JsonNode> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new EngineException.Unavailable(why));
            }
        }
    }
}
