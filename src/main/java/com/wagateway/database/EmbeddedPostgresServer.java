package com.wagateway.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL used when no {@code DATABASE_URL} is configured. Its data directory
 * is {@code DATA_DIR/postgres} and is never wiped, so data survives restarts.
 *
 * <p>A JVM killed with {@code kill -9} leaves the postmaster running (pg_ctl daemonizes it);
 * before starting we stop such a leftover for the same data directory, otherwise PostgreSQL
 * would refuse to start on the lock file.
 */
public final class EmbeddedPostgresServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts (initialising on first use) the server whose data lives in {@code dataDir}. */
    public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
        Files.createDirectories(dataDir.getParent());
        stopLeftoverPostmaster(dataDir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(true)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "on")
                .start();
        log.info("embedded PostgreSQL started on 127.0.0.1:{} with data in {}", pg.getPort(), dataDir);
        return new EmbeddedPostgresServer(pg);
    }

    /** JDBC URL of the {@code postgres} database. */
    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public String username() {
        return "postgres";
    }

    /** Stops the server, waiting for a clean shutdown checkpoint. */
    @Override
    public void close() throws IOException {
        postgres.close();
    }

    /**
     * If {@code postmaster.pid} names a live process (a previous JVM died without stopping its
     * PostgreSQL), ask it to shut down and wait for it. A stale file of a dead process is left
     * for PostgreSQL itself, which handles that case.
     */
    static void stopLeftoverPostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).strip());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return;
        }
        String cmd = handle.get().info().command().orElse("");
        if (!cmd.contains("postgres")) {
            return;
        }
        log.warn("stopping leftover PostgreSQL (pid {}) that still holds {}", pid, dataDir);
        handle.get().destroy();
        try {
            handle.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            handle.get().destroyForcibly();
        }
    }
}
