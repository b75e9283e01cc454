package com.wagateway.whatsapp;

import com.wagateway.config.GatewayProperties;
import com.wagateway.shared.Json;
import com.wagateway.shared.Threads;
import java.io.IOException;
import java.nio.file.Files;
import com.wagateway.shared.Backoff;
import java.time.Duration;
import java.util.random.RandomGenerator;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Starts the engine process with the application, keeps it running, and is the
 * {@link EngineClient} the rest of Java uses.
 *
 * <p>Guarantees: at most one engine process at a time; if it exits for any reason while the
 * application runs, listeners hear {@code onEngineStopped}, and a new process is started with
 * exponential backoff (1 s doubling to {@code restartMaxBackoff}, reset after a minute of
 * uptime); after its handshake listeners hear {@code onEngineStarted(true)} and resume their
 * connections. Events are delivered on a single dispatcher thread in engine order; consecutive
 * message events that queued up meanwhile are handed over together (see {@link EventDispatcher}).
 */
@Component
public class EngineSupervisor implements EngineClient, RawEngineCommands, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EngineSupervisor.class);
    static final int PROTOCOL_VERSION = 1;

    private final GatewayProperties props;
    private final ObjectProvider<EngineRequestHandler> requestHandlers;
    private final ObjectProvider<ChatCommands.SettingsSource> settingsSources;
    private final ExecutorService requests = Executors.newFixedThreadPool(2, Threads.named("engine-requests"));
    private final JsonMapper json = Json.MAPPER;
    private final EventDispatcher dispatcher;
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(Threads.named("engine-supervisor"));

    private volatile EngineProcess current;
    private volatile boolean available;
    private volatile boolean running;
    private volatile boolean everStarted;
    private volatile Instant startedAt;
    private volatile EngineInfo info;
    private int failures;

    public EngineSupervisor(GatewayProperties props, ObjectProvider<EngineListener> listeners,
                            ObjectProvider<EngineRequestHandler> requestHandlers,
                            ObjectProvider<ChatCommands.SettingsSource> settingsSources) {
        this.props = props;
        this.settingsSources = settingsSources;
        // events that fail only because the database is unreachable are held and retried, never dropped
        this.dispatcher = new EventDispatcher(listeners, com.wagateway.database.DatabaseUnavailable::isCause);
        this.requestHandlers = requestHandlers;
    }

    @Override
    public void start() {
        running = true;
        try {
            Files.createDirectories(props.sessionsPath());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create sessions folder " + props.sessionsPath(), e);
        }
        // every launch runs on the supervisor thread; the first one is awaited so the application
        // starts with an engine (or with the reason it has none in the log)
        try {
            restarts.submit(this::launch).get(props.engine().commandTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.error("first engine start did not complete: {}", rootMessage(e));
        }
    }

    @Override
    public void stop() {
        running = false;
        available = false;
        restarts.shutdownNow();
        EngineProcess p = current;
        if (p != null) {
            p.shutdown(Duration.ofSeconds(5));
        }
        requests.shutdownNow();
        dispatcher.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Start after the database and web server beans, stop before them. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    /**
     * Spawns a process and performs the handshake; on any failure another try is scheduled.
     * Runs only on the supervisor thread, so launches never overlap.
     */
    private void launch() {
        if (!running) {
            return;
        }
        List<String> cmd = List.of(props.engine().node(), "src/main.js");
        EngineProcess p;
        try {
            p = EngineProcess.spawn(cmd, props.engine().dir().toAbsolutePath().normalize(), json,
                    props.engine().commandTimeout(), dispatcher::submit, line -> submitRequest(line));
        } catch (IOException e) {
            log.error("cannot start the engine ({} in {}): {}", cmd, props.engine().dir(), e.getMessage());
            scheduleRelaunch();
            return;
        }
        current = p;
        p.onExit().thenAccept(proc -> onExit(p, proc.exitValue()));
        try {
            info = EngineInfo.from(p.send("hello", helloArgs())
                    .get(props.engine().commandTimeout().toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            log.error("engine handshake failed: {}", rootMessage(e));
            p.shutdown(Duration.ofSeconds(2));
            return; // onExit schedules the relaunch
        }
        startedAt = Instant.now();
        available = true;
        boolean restart = everStarted;
        everStarted = true;
        log.info("engine started: pid {}, mode {}, baileys {}", p.pid(), info.mode(), info.baileys());
        dispatcher.toEach(l -> l.onEngineStarted(restart));
    }

    private void onExit(EngineProcess p, int code) {
        if (p != current) {
            return;
        }
        available = false;
        if (!running) {
            return;
        }
        log.warn("engine process {} exited with code {}; restarting", p.pid(), code);
        dispatcher.toEach(l -> l.onEngineStopped("exit " + code));
        try {
            restarts.execute(this::scheduleRelaunch);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("supervisor stopped; no relaunch");
        }
    }

    /** Runs on the supervisor thread: backoff 1 s doubling to the cap, reset after a minute up. */
    private void scheduleRelaunch() {
        if (!running) {
            return;
        }
        if (startedAt != null && Duration.between(startedAt, Instant.now()).toSeconds() > 60) {
            failures = 0;
        }
        failures++;
        // the shared Backoff without jitter: only this one process restarts
        long delay = new Backoff(Duration.ofSeconds(1), props.engine().restartMaxBackoff(), 0)
                .delay(failures, RandomGenerator.getDefault()).toMillis();
        restarts.schedule(this::launch, delay, TimeUnit.MILLISECONDS);
    }

    private ObjectNode helloArgs() {
        GatewayProperties.Engine e = props.engine();
        ObjectNode a = json.createObjectNode();
        a.put("protocol", PROTOCOL_VERSION);
        a.put("mode", e.isSandbox() ? "sandbox" : "baileys");
        a.put("sessionsDir", props.sessionsPath().toString());
        // media sends name a file in this folder (the MediaStore); the engine reads nothing outside it
        a.put("mediaDir", props.mediaPath().toString());
        a.put("logLevel", e.logLevel());
        a.put("ignoreStatusBroadcast", props.messaging().ignoreStatusBroadcast());
        ObjectNode media = a.putObject("media"); // live media are downloaded there, then adopted by the media store
        media.put("dir", props.incomingMediaPath().toString());
        media.put("maxBytes", props.media().maxBytes());
        ObjectNode b = a.putObject("baileys");
        b.put("waWebSocketUrl", e.waWebSocketUrl() == null || e.waWebSocketUrl().isBlank() ? null : e.waWebSocketUrl());
        b.put("connectTimeoutMs", e.connectTimeout().toMillis());
        ObjectNode s = a.putObject("sandbox");
        s.put("qrFirstMs", e.sandbox().qrFirst().toMillis());
        s.put("qrNextMs", e.sandbox().qrNext().toMillis());
        s.put("qrRefs", e.sandbox().qrRefs());
        s.put("receiptDelayMs", props.messaging().sandboxReceiptDelay().toMillis());
        s.put("historyChats", props.messaging().sandboxHistoryChats());
        String emulatorUrl = e.sandbox().emulatorUrl();
        s.put("emulatorUrl", emulatorUrl == null || emulatorUrl.isBlank() ? null : emulatorUrl.trim());
        s.put("emulatorDir", props.dataPath().resolve("emulator").toString());
        return a;
    }

    /**
     * Answers an engine request (e.g. {@code getMessage}) off the event thread, so a database
     * lookup never delays events. An unknown request, a request without a handler, or one whose
     * handler fails, is answered with a null result — the engine then tells Baileys "nothing", as
     * the protocol says. A {@code getMessage} for an unknown message is {@code {"message":null}}.
     */
    private void submitRequest(JsonNode line) {
        String requestId = line.path("id").asString("");
        String request = line.path("request").asString("");
        String connectionId = line.path("connectionId").asString(null);
        try {
            requests.execute(() -> {
                JsonNode result = null;
                EngineRequestHandler handler = requestHandlers.getIfAvailable();
                if (handler != null && connectionId != null) {
                    try {
                        result = answer(handler, request, connectionId, line.path("data"));
                    } catch (RuntimeException e) {
                        log.warn("[{}] engine request '{}' failed: {}", connectionId, request, e.getMessage());
                    }
                }
                ObjectNode a = json.createObjectNode();
                a.put("requestId", requestId);
                a.set("result", result);
                EngineProcess p = current;
                if (p != null) {
                    p.send("respond", a);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("dropping engine request during shutdown");
        }
    }

    /** The {@code result} of a request, built from the handler's typed answer; null for an unknown request. */
    private JsonNode answer(EngineRequestHandler handler, String request, String connectionId, JsonNode data) {
        if (!"getMessage".equals(request)) {
            return null;
        }
        String id = data.path("key").path("id").asString(null);
        String content = id == null ? null : handler.storedContent(connectionId, id);
        ObjectNode result = json.createObjectNode();
        result.set("message", content == null ? null : json.readTree(content));
        return result;
    }

    // ---- EngineClient: typed commands, translated to the protocol here and in EngineCommands ----

    /**
     * {@code start}, carrying the connection's settings (issue 16 part 5) when a
     * {@link ChatCommands.SettingsSource} is present, so every socket, also after an engine
     * restart, is created with them. A failing lookup (database unreachable) fails the start.
     */
    @Override
    public CompletableFuture<Void> start(String connectionId) {
        ObjectNode a = json.createObjectNode();
        ChatCommands.SettingsSource source = settingsSources.getIfAvailable();
        if (source != null) {
            try {
                a.set("settings", source.engineSettings(connectionId).toArgs());
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return done(command("start", connectionId, a));
    }

    @Override
    public CompletableFuture<Void> stop(String connectionId) {
        return done(command("stop", connectionId, null));
    }

    @Override
    public CompletableFuture<Void> holdSockets(long forMs) {
        EngineProcess p = current;
        if (!available || p == null) {
            return CompletableFuture.failedFuture(new EngineException.Unavailable("the engine process is not running"));
        }
        ObjectNode a = json.createObjectNode();
        a.put("forMs", forMs);
        return done(p.send("lease.hold", a));
    }

    @Override
    public CompletableFuture<Void> logout(String connectionId) {
        return done(command("logout", connectionId, null));
    }

    @Override
    public CompletableFuture<Void> purge(String connectionId) {
        return done(command("purge", connectionId, null));
    }

    @Override
    public CompletableFuture<Void> sandboxScan(String connectionId, String phone, String name) {
        ObjectNode a = json.createObjectNode();
        a.put("phone", phone);
        if (name != null) {
            a.put("name", name);
        }
        return done(command("sandbox.scan", connectionId, a));
    }

    @Override
    public CompletableFuture<Void> sandboxDrop(String connectionId, int code) {
        ObjectNode a = json.createObjectNode();
        a.put("code", code);
        return done(command("sandbox.drop", connectionId, a));
    }

    @Override
    public CompletableFuture<EngineCommands.Sent> send(String connectionId, EngineCommands.Send message) {
        return command("send", connectionId, message.toArgs()).thenApply(EngineCommands.Sent::from);
    }

    @Override
    public CompletableFuture<Void> historyFetch(String connectionId, EngineCommands.HistoryFetch request) {
        return done(command("history.fetch", connectionId, request.toArgs()));
    }

    @Override
    public CompletableFuture<Integer> mediaFetch(String connectionId, java.util.List<EngineCommands.MediaFetch> messages) {
        ObjectNode a = json.createObjectNode();
        a.set("messages", EngineCommands.MediaFetch.toArgs(messages));
        return command("media.fetch", connectionId, a).thenApply(r -> r.path("queued").asInt(0));
    }

    @Override
    public CompletableFuture<EngineCommands.InboundSent> sandboxInbound(String connectionId,
                                                                        EngineCommands.SandboxInbound message) {
        return command("sandbox.inbound", connectionId, message.toArgs()).thenApply(EngineCommands.InboundSent::from);
    }

    @Override
    public CompletableFuture<Void> sandboxReceipt(String connectionId, String providerMessageId, String status) {
        ObjectNode a = json.createObjectNode();
        a.put("providerMessageId", providerMessageId);
        a.put("status", status);
        return done(command("sandbox.receipt", connectionId, a));
    }

    @Override
    public CompletableFuture<Integer> sandboxFail(String connectionId, int count, int code) {
        ObjectNode a = json.createObjectNode();
        a.put("count", count);
        a.put("code", code);
        return command("sandbox.fail", connectionId, a).thenApply(r -> r.path("pending").asInt());
    }

    @Override
    public CompletableFuture<java.util.List<EngineCommands.SentToContact>> sandboxSent(String connectionId) {
        return command("sandbox.sent", connectionId, json.createObjectNode()).thenApply(EngineCommands.SentToContact::listFrom);
    }

    // ---- RawEngineCommands (tests and benchmark only) ----

    @Override
    public CompletableFuture<JsonNode> sandbox(String cmd, String connectionId, ObjectNode args) {
        return command("sandbox." + cmd, connectionId, args);
    }

    @Override
    public ObjectNode newArgs() {
        return json.createObjectNode();
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    /** Handshake result of the running engine (mode, versions), or null. */
    public EngineInfo info() {
        return available ? info : null;
    }

    /** PID of the running engine process, or -1 (used by tests that kill it). */
    public long pid() {
        EngineProcess p = current;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /** Sends one command for this connection (package use: the typed command classes). */
    CompletableFuture<JsonNode> command(String cmd, String connectionId, ObjectNode extra) {
        EngineProcess p = current;
        if (!available || p == null) {
            return CompletableFuture.failedFuture(new EngineException.Unavailable("the engine process is not running"));
        }
        ObjectNode a = extra != null ? extra : json.createObjectNode();
        a.put("connectionId", connectionId);
        return p.send(cmd, a);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** A command whose result carries nothing the caller needs (only success or failure). */
    private static CompletableFuture<Void> done(CompletableFuture<JsonNode> reply) {
        return reply.thenApply(r -> null);
    }
}
