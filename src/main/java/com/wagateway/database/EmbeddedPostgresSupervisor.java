package com.wagateway.database;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded PostgreSQL running, as {@code EngineSupervisor} keeps the engine running.
 *
 * <p>Guarantees: every {@link #CHECK_EVERY} the supervisor looks whether the postmaster it started
 * is still alive; when it is gone (crash, OOM killer, {@code kill -9}) a new one is started on the
 * same data directory and port ({@link EmbeddedPostgresServer#restart}), so the connection pool
 * finds it again without any reconfiguration. The first attempt waits {@code DATABASE_RESTART_DELAY}
 * (1 s: the dead postmaster's backends need a moment to exit and release its shared memory,
 * which PostgreSQL checks before it starts). Failed attempts are retried with backoff (0.5 s
 * doubling to 30 s) — forever, since the gateway is useless without its database. Each outage
 * and each recovery is logged once. Only used for the embedded server; an external database
 * ({@code DATABASE_URL}) is somebody else's to restart, and the pool simply reconnects.
 */
public final class EmbeddedPostgresSupervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresSupervisor.class);
    static final Duration CHECK_EVERY = Duration.ofMillis(500);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final EmbeddedPostgresServer server;
    private final Duration restartDelay;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "embedded-postgres-supervisor");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean up = true;
    private volatile int restarts;
    private volatile String lastError;
    private Instant downSince;
    private long nextAttemptAt;
    private int failures;

    private EmbeddedPostgresSupervisor(EmbeddedPostgresServer server, Duration restartDelay) {
        this.server = server;
        this.restartDelay = restartDelay;
    }

    /** Starts watching {@code server} (already running); a dead server is restarted after {@code restartDelay}. */
    public static EmbeddedPostgresSupervisor watch(EmbeddedPostgresServer server, Duration restartDelay) {
        EmbeddedPostgresSupervisor s = new EmbeddedPostgresSupervisor(server, restartDelay);
        s.thread.scheduleWithFixedDelay(s::check, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return s;
    }

    public EmbeddedPostgresServer server() {
        return server;
    }

    /** False from the moment the postmaster is seen dead until a new one accepts connections. */
    public boolean isUp() {
        return up;
    }

    /** How many times the server was restarted since the gateway started. */
    public int restarts() {
        return restarts;
    }

    /** Why the last restart attempt failed, or null. */
    public String lastError() {
        return lastError;
    }

    /** One supervision step, on the supervisor thread only (so restarts never overlap). */
    private void check() {
        try {
            if (server.isAlive()) {
                return;
            }
            long now = System.currentTimeMillis();
            if (up) {
                up = false;
                downSince = Instant.now();
                failures = 0;
                nextAttemptAt = now + restartDelay.toMillis();
                log.error("embedded PostgreSQL (pid {}) is gone; restarting it in {} ms on port {} with data in {}",
                        server.postmasterPid(), restartDelay.toMillis(), server.port(), server.dataDir());
            }
            if (now < nextAttemptAt) {
                return;
            }
            try {
                server.restart();
                restarts++;
                lastError = null;
                up = true;
                log.warn("embedded PostgreSQL restarted (pid {}, port {}) after {} ms down",
                        server.postmasterPid(), server.port(), Duration.between(downSince, Instant.now()).toMillis());
            } catch (IOException | RuntimeException e) {
                long delay = Math.min(MAX_BACKOFF_MS, 500L << Math.min(failures, 10));
                failures++;
                nextAttemptAt = System.currentTimeMillis() + delay;
                lastError = e.getMessage();
                log.warn("embedded PostgreSQL restart attempt {} failed ({}); next in {} ms", failures, e.getMessage(), delay);
            }
        } catch (RuntimeException e) {
            log.error("embedded PostgreSQL supervision step failed", e);
        }
    }

    /** Stops supervising, then stops the server (clean shutdown checkpoint). */
    @Override
    public void close() throws IOException {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
    }
}
