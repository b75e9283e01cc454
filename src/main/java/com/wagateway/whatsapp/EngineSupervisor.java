package com.wagateway.whatsapp;

import com.wagateway.config.GatewayProperties;
import com.wagateway.shared.Json;
import com.wagateway.shared.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
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
 * Starts the node's engine processes with the application ({@code ENGINE_PROCESSES}, default the
 * number of cores), keeps each running, and is the {@link EngineClient} the rest of Java uses.
 *
 * <p>Guarantees: connections are spread over the processes by {@link EngineShare#indexOf} (a
 * stable hash of the connection id), and every command for a connection goes to its process, so
 * one connection lives in one process and its events keep their order. Each process is supervised
 * on its own ({@link EngineSlot}): if one exits, only its share of connections hears
 * {@code onEngineStopped}/{@code onEngineStarted(share, true)}; the others are untouched. Events
 * of every process are delivered on the one dispatcher thread, each process' in its order;
 * consecutive message events that queued up meanwhile are handed over together (see
 * {@link EventDispatcher}). A sandbox pool of several processes shares one emulator
 * ({@link SharedEmulator}) unless {@code SANDBOX_EMULATOR_URL} names one; a single process runs
 * exactly as before the pool (its own in-process emulator when no URL is set).
 */
@Component
public class EngineSupervisor implements EngineClient, RawEngineCommands, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EngineSupervisor.class);
    static final int PROTOCOL_VERSION = 1;

    private final GatewayProperties props;
    private final ObjectProvider<ChatCommands.SettingsSource> settingsSources;
    private final ObjectProvider<CommandRoute> routes;
    /** Commands of this node's own lifecycle: they act on its engine, whoever owns the connection now. */
    private static final java.util.Set<String> LOCAL_ONLY = java.util.Set.of("start", "stop", "purge");
    private final EngineRequests requests;
    private final JsonMapper json = Json.MAPPER;
    private final EventDispatcher dispatcher;
    private final List<EngineSlot> slots;
    private final SharedEmulator sharedEmulator;
    private volatile boolean running;

    public EngineSupervisor(GatewayProperties props, ObjectProvider<EngineListener> listeners,
                            ObjectProvider<EngineRequestHandler> requestHandlers,
                            ObjectProvider<ChatCommands.SettingsSource> settingsSources,
                            ObjectProvider<EngineAuthStore> authStores, ObjectProvider<CommandRoute> routes) {
        this.props = props;
        this.routes = routes;
        this.settingsSources = settingsSources;
        // events that fail only because the database is unreachable are held and retried, never dropped
        this.dispatcher = new EventDispatcher(listeners, com.wagateway.database.DatabaseUnavailable::isCause);
        this.requests = new EngineRequests(props, requestHandlers, authStores, json);
        GatewayProperties.Engine e = props.engine();
        int n = e.processCount();
        this.sharedEmulator = e.isSandbox() && n > 1 && blank(e.sandbox().emulatorUrl())
                ? new SharedEmulator(new SharedEmulator.Options(e.node(), e.dir().toAbsolutePath().normalize(),
                        props.dataPath().resolve("emulator"), e.sandbox().qrRefs(),
                        props.messaging().sandboxReceiptDelay(), e.commandTimeout()))
                : null;
        EngineSlot.Setup setup = new EngineSlot.Setup(List.of(e.node(), "src/main.js"), e.dir().toAbsolutePath().normalize(),
                json, e.commandTimeout(), e.restartMaxBackoff(), dispatcher, requests::submit);
        List<EngineSlot> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EngineShare share = new EngineShare(i, n);
            all.add(new EngineSlot(share, setup, () -> EngineHello.args(props, share, sharedEmulator)));
        }
        this.slots = List.copyOf(all);
    }

    @Override
    public void start() {
        running = true;
        try {
            Files.createDirectories(props.sessionsPath());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create sessions folder " + props.sessionsPath(), e);
        }
        // the first launches are awaited (they run in parallel, one thread per process) so the
        // application starts with its engines (or with the reason one has none in the log)
        List<Future<?>> first = slots.stream().map(EngineSlot::start).toList();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * props.engine().commandTimeout().toMillis() + 5000);
        for (Future<?> f : first) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                log.error("first engine start did not complete: {}", EngineSlot.rootMessage(e));
            }
        }
    }

    @Override
    public void stop() {
        running = false;
        // every process is asked to close its sockets at once; each then gets up to 5 s
        List<Thread> stops = slots.stream().map(s -> Threads.daemon(() -> s.stop(Duration.ofSeconds(5)),
                "engine-stop-" + s.share().index())).toList();
        stops.forEach(Thread::start);
        for (Thread t : stops) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (sharedEmulator != null) {
            sharedEmulator.stop();
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

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    // ---- EngineClient: typed commands, translated to the protocol here and in EngineCommands ----

    /**
     * {@code start}, carrying the connection's settings (issue 16 part 5) when a
     * {@link ChatCommands.SettingsSource} is present, so every socket, also after an engine
     * restart, is created with them. A failing lookup (database unreachable) fails the start.
     */
    @Override
    public CompletableFuture<Void> start(String connectionId) {
        return start(connectionId, false);
    }

    @Override
    public CompletableFuture<Void> startIfAbsent(String connectionId) {
        return start(connectionId, true);
    }

    private CompletableFuture<Void> start(String connectionId, boolean ifAbsent) {
        ObjectNode a = json.createObjectNode();
        if (ifAbsent) {
            a.put("ifAbsent", true);
        }
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

    /**
     * {@code lease.hold} to every running engine process (each closes its own sockets when no new
     * hold arrives in time); a process that is down holds no socket and is skipped. Completes when
     * every running process confirmed.
     */
    @Override
    public CompletableFuture<Void> holdSockets(long forMs) {
        List<CompletableFuture<JsonNode>> replies = new ArrayList<>();
        for (EngineSlot slot : slots) {
            if (slot.isAvailable()) {
                ObjectNode a = json.createObjectNode();
                a.put("forMs", forMs);
                replies.add(slot.send("lease.hold", null, a));
            }
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new));
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
        return command("send", connectionId, message.toArgs(), false).thenApply(EngineCommands.Sent::from);
    }

    @Override
    public CompletableFuture<EngineCommands.Sent> sendNow(String connectionId, EngineCommands.Send message) {
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

    /** True when every engine process of the node is running and has completed its handshake. */
    @Override
    public boolean isAvailable() {
        return slots.stream().allMatch(EngineSlot::isAvailable);
    }

    /** True when the process that runs this connection is running and has completed its handshake. */
    @Override
    public boolean isAvailable(String connectionId) {
        return slotFor(connectionId).isAvailable();
    }

    /** Handshake result of engine process 0 (mode, versions: the same for every process), or null while it is down. */
    public EngineInfo info() {
        return slots.get(0).info();
    }

    /** PID of engine process 0 (the only one unless {@code ENGINE_PROCESSES} > 1), or -1 (tests kill it). */
    public long pid() {
        return slots.get(0).pid();
    }

    /** How many engine processes this node runs. */
    public int processCount() {
        return slots.size();
    }

    /** The index of the engine process that runs this connection ({@link EngineShare#indexOf}). */
    public int processOf(String connectionId) {
        return EngineShare.indexOf(connectionId, slots.size());
    }

    /** One line per engine process, in index order: for health, metrics and tests. */
    public List<EngineProcessState> processes() {
        return slots.stream().map(s -> new EngineProcessState(s.share().index(), s.pid(), s.isAvailable(),
                s.restarts(), s.connectionCount())).toList();
    }

    /** PID of the shared sandbox emulator the JVM runs for a pool, or -1 when there is none (tests). */
    long sharedEmulatorPid() {
        return sharedEmulator == null ? -1 : sharedEmulator.pid();
    }

    /** True when engine process {@code index} holds this connection's socket (tests: where it really runs). */
    boolean holds(int index, String connectionId) {
        return slots.get(index).holds(connectionId);
    }

    /**
     * Sends one command for this connection (package use: the typed command classes): to the node
     * that owns it when that is another node ({@link CommandRoute}), else to this node's process.
     */
    CompletableFuture<JsonNode> command(String cmd, String connectionId, ObjectNode extra) {
        return command(cmd, connectionId, extra, !LOCAL_ONLY.contains(cmd));
    }

    private CompletableFuture<JsonNode> command(String cmd, String connectionId, ObjectNode extra, boolean routable) {
        ObjectNode a = extra != null ? extra : json.createObjectNode();
        CommandRoute route = routable ? routes.getIfAvailable() : null;
        Optional<CompletableFuture<String>> owner = route == null ? Optional.empty() : route.elsewhere(cmd, connectionId, a.toString());
        return owner.isEmpty() ? commandHere(cmd, connectionId, a)
                : owner.get().thenApply(text -> text == null ? json.nullNode() : json.readTree(text));
    }

    /**
     * Runs a command another node accepted for a connection this node owns (the router checked the
     * lease), on this node's engine, never routed: arguments and result as JSON text (null: none).
     */
    public CompletableFuture<String> runHere(String cmd, String connectionId, String argsJson) {
        return commandHere(cmd, connectionId, (ObjectNode) json.readTree(argsJson))
                .thenApply(r -> r == null || r.isMissingNode() ? null : r.toString());
    }

    /** Sends one command to this node's engine process for the connection, never routed. */
    private CompletableFuture<JsonNode> commandHere(String cmd, String connectionId, ObjectNode extra) {
        ObjectNode a = extra != null ? extra : json.createObjectNode();
        a.put("connectionId", connectionId);
        return slotFor(connectionId).send(cmd, connectionId, a);
    }

    private EngineSlot slotFor(String connectionId) {
        return slots.get(EngineShare.indexOf(connectionId, slots.size()));
    }

    /** A command whose result carries nothing the caller needs (only success or failure). */
    private static CompletableFuture<Void> done(CompletableFuture<JsonNode> reply) {
        return reply.thenApply(r -> null);
    }
}
