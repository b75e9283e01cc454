package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.LeaseFence;
import com.wagateway.database.LeaseRepository;
import com.wagateway.database.PgNotifications;
import com.wagateway.database.RoutedCommandRepository;
import com.wagateway.database.RoutedCommandRepository.Answer;
import com.wagateway.shared.Threads;
import com.wagateway.whatsapp.CommandRoute;
import com.wagateway.whatsapp.EngineException;
import com.wagateway.whatsapp.EngineSupervisor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Engine commands for a connection another node owns (issue 17: any node answers any request,
 * only the lease owner talks to WhatsApp), carried through PostgreSQL.
 *
 * <p>The accepting node (tenant checks done already) stores the command in {@code routed_commands}
 * for the live owner and the epoch it found, wakes it with {@code NOTIFY gateway_command} and
 * waits for the answer ({@code NOTIFY gateway_answer}, and a poll every half second as the safety
 * net). The owner takes the row in one statement, so it runs a command once or never; it runs it
 * only while it holds the lease with that epoch, else it answers {@code not_owner} and the
 * accepting node looks for the owner once more (or runs it here when nobody owns it). A command
 * nobody took within {@code ROUTE_TIMEOUT} is marked taken by the requester itself, so a late
 * owner never runs it, and fails with 503 {@code owner_unreachable}; one taken but not answered
 * within the engine's command timeout plus that margin fails the same way, its outcome unknown.
 * The owner's answer (result or engine error with its code) is handed back unchanged, so a
 * routed call answers exactly as a local one.
 */
@Component
public class CommandRouter implements CommandRoute, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CommandRouter.class);
    /** "run this command": payload {@code <target node> <command id>}. */
    static final String COMMANDS = "gateway_command";
    /** "your command is answered": payload {@code <requesting node> <command id>}. */
    static final String ANSWERS = "gateway_answer";
    private static final Duration KEEP = Duration.ofMinutes(10);

    /** A command this node waits for. */
    private static final class Pending {
        final String command;
        final String connectionId;
        final String owner;
        final String args;
        final boolean retried;
        final CompletableFuture<String> done = new CompletableFuture<>();
        final long takeBy;
        final long answerBy;
        volatile boolean taken;

        Pending(String command, String connectionId, String owner, String args, boolean retried, long takeBy, long answerBy) {
            this.command = command;
            this.connectionId = connectionId;
            this.owner = owner;
            this.args = args;
            this.retried = retried;
            this.takeBy = takeBy;
            this.answerBy = answerBy;
        }
    }

    private final RoutedCommandRepository repo;
    private final LeaseRepository leaseRows;
    private final ConnectionLeases leases;
    private final PgNotifications notifications;
    private final ObjectProvider<EngineSupervisor> engine;
    private final Duration takeTimeout;
    private final Duration answerTimeout;
    private final Map<UUID, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong executed = new AtomicLong();
    private ExecutorService runs;
    private ScheduledExecutorService timer;
    private volatile boolean running;
    private volatile boolean paused;
    private long ticks;

    public CommandRouter(RoutedCommandRepository repo, LeaseRepository leaseRows, ConnectionLeases leases,
                         PgNotifications notifications, ObjectProvider<EngineSupervisor> engine, GatewayProperties props) {
        this.repo = repo;
        this.leaseRows = leaseRows;
        this.leases = leases;
        this.notifications = notifications;
        this.engine = engine;
        this.takeTimeout = props.cluster().routeTimeout();
        this.answerTimeout = props.engine().commandTimeout().plus(takeTimeout);
    }

    @Override
    public void start() {
        runs = Executors.newFixedThreadPool(4, Threads.named("routed-commands"));
        timer = Executors.newSingleThreadScheduledExecutor(Threads.named("routed-timer"));
        notifications.subscribe(COMMANDS, payload -> addressed(payload).ifPresent(id -> execute(id)));
        notifications.subscribe(ANSWERS, payload -> addressed(payload).ifPresent(id -> runs.execute(() -> settleIfAnswered(id))));
        timer.scheduleWithFixedDelay(this::safeTick, 500, 500, TimeUnit.MILLISECONDS);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        timer.shutdownNow();
        runs.shutdownNow();
        pending.values().forEach(p -> p.done.completeExceptionally(new EngineException.Unavailable("the node is stopping")));
        pending.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    // ---- the accepting node ----

    @Override
    public Optional<CompletableFuture<String>> elsewhere(String command, String connectionId, String args) {
        if (!running || leases.owns(connectionId)) {
            return Optional.empty();
        }
        Optional<LeaseRepository.Owner> owner;
        try {
            owner = leaseRows.liveOwner(connectionId);
        } catch (RuntimeException e) {
            log.debug("[{}] owner not known (database unreachable), {} runs here: {}", connectionId, command, e.toString());
            return Optional.empty();
        }
        if (owner.isEmpty() || owner.get().nodeId().equals(leases.nodeId())) {
            return Optional.empty(); // nobody runs it: this engine answers (not_ready …) as on a single node
        }
        return Optional.of(forward(command, connectionId, args, owner.get(), false));
    }

    /** Stores the command for {@code owner} and wakes it; the future completes with its answer. */
    private CompletableFuture<String> forward(String command, String connectionId, String args,
                                                LeaseRepository.Owner owner, boolean retried) {
        UUID id = UUID.randomUUID();
        long now = System.nanoTime();
        Pending p = new Pending(command, connectionId, owner.nodeId(), args, retried, now + takeTimeout.toNanos(),
                now + answerTimeout.toNanos());
        pending.put(id, p);
        try {
            repo.insert(id, connectionId, leases.nodeId(), owner.nodeId(), owner.epoch(), command, args);
        } catch (RuntimeException e) {
            pending.remove(id);
            return CompletableFuture.failedFuture(new EngineException.Unavailable(
                    "the command could not be handed to node " + owner.nodeId() + ": " + e.getMessage()));
        }
        notifications.tryPublish(COMMANDS, owner.nodeId() + " " + id);
        log.debug("[{}] {} routed to node {} (command {})", connectionId, command, owner.nodeId(), id);
        return p.done;
    }

    /** Completes the waiting call when its answer is stored. */
    private void settleIfAnswered(UUID id) {
        Pending p = pending.get(id);
        if (p == null) {
            return;
        }
        Optional<Answer> answer = repo.answerOf(id);
        if (answer.isEmpty() || !pending.remove(id, p)) {
            return;
        }
        Answer a = answer.get();
        if (a.errorCode() == null) {
            p.done.complete(a.result());
        } else if ("not_owner".equals(a.errorCode()) && !p.retried) {
            retry(p);
        } else if ("not_owner".equals(a.errorCode())) {
            p.done.completeExceptionally(new EngineException.Unavailable("the connection is moving between nodes; try again"));
        } else {
            p.done.completeExceptionally(EngineException.fromReply(a.errorCode(), a.errorMessage(), a.errorStatus()));
        }
    }

    /** The owner had lost the lease: once more to the owner now, or here when none is live. */
    private void retry(Pending p) {
        CompletableFuture<String> next;
        try {
            next = leaseRows.liveOwner(p.connectionId).filter(o -> !o.nodeId().equals(leases.nodeId()))
                    .map(o -> forward(p.command, p.connectionId, p.args, o, true))
                    .orElseGet(() -> engine.getObject().runHere(p.command, p.connectionId, p.args));
        } catch (RuntimeException e) {
            next = CompletableFuture.failedFuture(new EngineException.Unavailable(e.getMessage()));
        }
        next.whenComplete((r, e) -> {
            if (e != null) {
                p.done.completeExceptionally(e);
            } else {
                p.done.complete(r);
            }
        });
    }

    /** Half-second round: answers missed by notification, commands the owner did not take or answer in time. */
    private void checkPending() {
        long now = System.nanoTime();
        for (Map.Entry<UUID, Pending> e : pending.entrySet()) {
            UUID id = e.getKey();
            Pending p = e.getValue();
            settleIfAnswered(id);
            if (!pending.containsKey(id)) {
                continue;
            }
            if (!p.taken && now - p.takeBy > 0) {
                String why = "node " + p.owner + " runs this connection and did not take the command within "
                        + takeTimeout.toSeconds() + " s; nothing was done, try again";
                if (repo.abandon(id, leases.nodeId(), "owner_unreachable", why)) {
                    fail(id, p, why);
                    continue;
                }
                p.taken = true; // the owner took it just now: wait for its answer
            }
            if (now - p.answerBy > 0) {
                fail(id, p, "node " + p.owner + " took the command but did not answer within " + answerTimeout.toSeconds()
                        + " s; its outcome is unknown");
            }
        }
    }

    private void fail(UUID id, Pending p, String why) {
        if (pending.remove(id, p)) {
            log.warn("[{}] {} routed to node {}: {}", p.connectionId, p.command, p.owner, why);
            p.done.completeExceptionally(new EngineException.OwnerUnreachable(why));
        }
    }

    // ---- the owner ----

    /** Takes and runs one command on this node's engine (at most once; see the class comment). */
    private void execute(UUID id) {
        if (paused) {
            return;
        }
        try {
            runs.execute(() -> repo.take(id, leases.nodeId()).ifPresent(t -> {
                executed.incrementAndGet();
                Optional<LeaseFence> fence = leases.fence(t.connectionId());
                if (fence.isEmpty() || fence.get().epoch() != t.epoch()) {
                    answer(t, new Answer(null, "not_owner", "node " + leases.nodeId() + " does not run this connection now", null));
                    return;
                }
                CompletableFuture<String> reply;
                try {
                    reply = engine.getObject().runHere(t.command(), t.connectionId(), t.args());
                } catch (RuntimeException e) {
                    reply = CompletableFuture.failedFuture(e);
                }
                reply.whenComplete((r, e) -> answer(t, e == null ? new Answer(r, null, null, null)
                        : failure(EngineException.of(e))));
            }));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("routed command {} not run: stopping", id);
        }
    }

    private static Answer failure(EngineException e) {
        return new Answer(null, e.code(), e.getMessage(), e instanceof EngineException.SendFailed f ? f.statusCode() : null);
    }

    private void answer(RoutedCommandRepository.Taken t, Answer a) {
        try {
            repo.answer(t.id(), a);
            notifications.tryPublish(ANSWERS, t.fromNode() + " " + t.id());
        } catch (RuntimeException e) {
            log.warn("[{}] answer to routed {} not stored: {}", t.connectionId(), t.command(), e.toString());
        }
    }

    // ---- both ----

    private void safeTick() {
        try {
            checkPending();
            if (leases.liveNodes() > 1 && !paused) {
                // the owner's safety net: commands whose notification was missed
                repo.waitingFor(leases.nodeId(), takeTimeout).forEach(this::execute);
            }
            if (++ticks % 120 == 0) {
                repo.sweep(KEEP);
            }
        } catch (RuntimeException e) {
            log.debug("routed commands round failed: {}", e.toString());
        }
    }

    /** The command id of a payload {@code <node> <id>} addressed to this node. */
    private Optional<UUID> addressed(String payload) {
        int space = payload.indexOf(' ');
        if (space < 0 || !payload.substring(0, space).equals(leases.nodeId())) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(payload.substring(space + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Routed commands this node took and ran as the owner (tests). */
    public long executed() {
        return executed.get();
    }

    /** Tests only: stop (true) or resume (false) taking commands, as an owner that does not answer would. */
    public void pause(boolean on) {
        paused = on;
    }
}
