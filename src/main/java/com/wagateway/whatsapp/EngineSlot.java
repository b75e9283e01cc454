package com.wagateway.whatsapp;

import com.wagateway.shared.Backoff;
import com.wagateway.shared.Threads;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One engine process of the node's pool, kept running: process {@link #share()}{@code .index()}.
 *
 * <p>Guarantees: at most one process of this slot at a time; launches run on the slot's own
 * thread, so they never overlap, and a slow handshake of one slot never delays another's restart.
 * When the process exits while the application runs, listeners hear {@code onEngineStopped} with
 * this slot's share only, and a new process is started with exponential backoff (1 s doubling to
 * {@code restartMaxBackoff}, reset after a minute of uptime); after its handshake listeners hear
 * {@code onEngineStarted(share, restart)}. Its events go to the node's one dispatcher, in the
 * order this process wrote them.
 */
final class EngineSlot {

    private static final Logger log = LoggerFactory.getLogger(EngineSlot.class);

    /** What the slot needs from the supervisor; one instance serves every slot. */
    record Setup(List<String> command, Path dir, JsonMapper json, Duration commandTimeout, Duration restartMaxBackoff,
                 EventDispatcher dispatcher, BiConsumer<EngineSlot, JsonNode> onRequest) {
    }

    private final EngineShare share;
    private final Setup setup;
    private final Supplier<ObjectNode> helloArgs;
    private final ScheduledExecutorService thread;
    private final AtomicInteger restarts = new AtomicInteger();
    /** Connections whose socket this process holds (a {@code start} answered, no stop/logout/purge since). */
    private final Set<String> connections = ConcurrentHashMap.newKeySet();

    private volatile EngineProcess current;
    private volatile boolean available;
    private volatile boolean running;
    private volatile boolean everStarted;
    private volatile Instant startedAt;
    private volatile EngineInfo info;
    private int failures;

    /** @param helloArgs this process' {@code hello} arguments; may throw (then the launch is retried later) */
    EngineSlot(EngineShare share, Setup setup, Supplier<ObjectNode> helloArgs) {
        this.share = share;
        this.setup = setup;
        this.helloArgs = helloArgs;
        this.thread = Executors.newSingleThreadScheduledExecutor(Threads.named("engine-supervisor-" + share.index()));
    }

    EngineShare share() {
        return share;
    }

    /** Starts the first launch; the returned future completes when it did (successfully or not). */
    Future<?> start() {
        running = true;
        return thread.submit(this::launch);
    }

    /** Stops supervising and shuts the process down (closes stdin, then waits up to {@code grace}). */
    void stop(Duration grace) {
        running = false;
        available = false;
        thread.shutdownNow();
        EngineProcess p = current;
        if (p != null) {
            p.shutdown(grace);
        }
    }

    boolean isAvailable() {
        return available;
    }

    /** Handshake answer of the running process, or null while it is down. */
    EngineInfo info() {
        return available ? info : null;
    }

    /** PID of the running process, or -1. */
    long pid() {
        EngineProcess p = current;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    /** How often this process was started again after its first start. */
    int restarts() {
        return restarts.get();
    }

    /** True when this process holds this connection's socket (tests: which process runs it). */
    boolean holds(String connectionId) {
        return connections.contains(connectionId);
    }

    /** How many connections' sockets this process holds. */
    int connectionCount() {
        return connections.size();
    }

    /**
     * Sends one command to this process. A {@code start} that succeeds counts the connection as
     * held here; a {@code stop}, {@code logout} or {@code purge} that succeeds no longer does.
     */
    CompletableFuture<JsonNode> send(String cmd, String connectionId, ObjectNode args) {
        EngineProcess p = current;
        if (!available || p == null) {
            return CompletableFuture.failedFuture(new EngineException.Unavailable(
                    "engine process " + share.index() + " is not running"));
        }
        CompletableFuture<JsonNode> reply = p.send(cmd, args);
        if (connectionId != null && ("start".equals(cmd) || "stop".equals(cmd) || "logout".equals(cmd) || "purge".equals(cmd))) {
            reply.thenRun(() -> {
                if (p == current) {
                    if ("start".equals(cmd)) {
                        connections.add(connectionId);
                    } else {
                        connections.remove(connectionId);
                    }
                }
            });
        }
        return reply;
    }

    /** Answers an engine request of this process ({@code respond}); dropped if the process is gone. */
    void respond(ObjectNode args) {
        EngineProcess p = current;
        if (p != null) {
            p.send("respond", args);
        }
    }

    /**
     * Spawns a process and performs the handshake; on any failure another try is scheduled.
     * Runs only on this slot's thread.
     */
    private void launch() {
        if (!running) {
            return;
        }
        ObjectNode hello;
        EngineProcess p;
        try {
            hello = helloArgs.get();
            p = EngineProcess.spawn(setup.command(), setup.dir(), setup.json(), setup.commandTimeout(),
                    (from, line) -> setup.dispatcher().submit(from, line), line -> setup.onRequest().accept(this, line));
        } catch (IOException | RuntimeException e) {
            log.error("cannot start engine process {} ({} in {}): {}", share.index(), setup.command(), setup.dir(), e.getMessage());
            scheduleRelaunch();
            return;
        }
        current = p;
        p.onExit().thenAccept(proc -> onExit(p, proc.exitValue()));
        try {
            info = EngineInfo.from(p.send("hello", hello).get(setup.commandTimeout().toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            log.error("engine process {} handshake failed: {}", share.index(), rootMessage(e));
            p.shutdown(Duration.ofSeconds(2));
            return; // onExit schedules the relaunch
        }
        startedAt = Instant.now();
        available = true;
        boolean restart = everStarted;
        if (restart) {
            restarts.incrementAndGet();
        }
        everStarted = true;
        log.info("engine process {} of {} started: pid {}, mode {}, baileys {}", share.index(), share.processes(),
                p.pid(), info.mode(), info.baileys());
        setup.dispatcher().toEach(l -> l.onEngineStarted(share, restart));
    }

    private void onExit(EngineProcess p, int code) {
        if (p != current) {
            return;
        }
        available = false;
        connections.clear();
        if (!running) {
            return;
        }
        log.warn("engine process {} (pid {}) exited with code {}; restarting", share.index(), p.pid(), code);
        setup.dispatcher().toEach(l -> l.onEngineStopped(share, "exit " + code));
        try {
            thread.execute(this::scheduleRelaunch);
        } catch (RejectedExecutionException e) {
            log.debug("supervisor stopped; no relaunch");
        }
    }

    /** Runs on the slot's thread: backoff 1 s doubling to the cap, reset after a minute up. */
    private void scheduleRelaunch() {
        if (!running) {
            return;
        }
        if (startedAt != null && Duration.between(startedAt, Instant.now()).toSeconds() > 60) {
            failures = 0;
        }
        failures++;
        // the shared Backoff without jitter: each slot restarts only its own process
        long delay = new Backoff(Duration.ofSeconds(1), setup.restartMaxBackoff(), 0)
                .delay(failures, RandomGenerator.getDefault()).toMillis();
        try {
            thread.schedule(this::launch, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("supervisor stopped; no relaunch");
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
