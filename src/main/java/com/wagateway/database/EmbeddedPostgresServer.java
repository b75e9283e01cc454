package com.wagateway.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Durability: zonky's builder is made for throw-away test databases and starts the server with
 * {@code -F} (fsync off), {@code synchronous_commit=off}, {@code max_connections=300} and
 * {@code timezone=UTC}. {@link #SERVER_SETTINGS} puts each durability setting back to a production
 * server's default, so a commit the gateway saw is on disk (docs/decisions.md, "Embedded
 * PostgreSQL is durable").
 */
public final class EmbeddedPostgresServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /**
     * Server settings passed as {@code -c} options (they come after zonky's {@code -F}, so they win).
     * Production defaults, stated explicitly: a committed transaction is flushed to the WAL before
     * the commit returns, and the WAL survives a power loss.
     */
    static final Map<String, String> SERVER_SETTINGS = Map.of(
            "fsync", "on",
            "synchronous_commit", "on",
            "full_page_writes", "on",
            "max_connections", "100",
            "timezone", "UTC");

    private final EmbeddedPostgres postgres;

    private final Path dataDir;
    /** The {@code bin} folder of the PostgreSQL binaries zonky unpacked (where pg_ctl lives). */
    private final Path binDir;
    private volatile long postmasterPid;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir) throws IOException {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.postmasterPid = readPostmasterPid(dataDir).orElse(-1L);
        this.binDir = ProcessHandle.of(postmasterPid).flatMap(h -> h.info().command())
                .map(c -> Path.of(c).getParent()).orElse(null);
    }

    /** Starts (initialising on first use) the server whose data lives in {@code dataDir}, on a free port. */
    public static EmbeddedPostgresServer start(Path dataDir) throws IOException {
        return start(dataDir, 0);
    }

    /**
     * Starts the server whose data lives in {@code dataDir} on {@code port} (0: a free one). A
     * restart after a crash passes the previous port, so pooled connections find it again; the
     * server then replays its WAL (crash recovery) before it accepts connections.
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) throws IOException {
        Files.createDirectories(dataDir.getParent());
        stopLeftoverPostmaster(dataDir);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                // no JVM hook of zonky's own: Spring's shutdown closes the application first and this
                // server last (DatabaseConfig); a hook racing it would stop PostgreSQL under the
                // application's last writes, and the supervisor would start it again
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60));
        if (port > 0) {
            builder.setPort(port);
        }
        SERVER_SETTINGS.forEach(builder::setServerConfig);
        EmbeddedPostgres pg = builder.start();
        log.info("embedded PostgreSQL started on 127.0.0.1:{} with data in {}", pg.getPort(), dataDir);
        return new EmbeddedPostgresServer(pg, dataDir);
    }

    /** JDBC URL of the {@code postgres} database. */
    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public String username() {
        return "postgres";
    }

    /** This server as a {@code DATABASE_URL} (how other gateway nodes of a test cluster reach it). */
    public String databaseUrl() {
        return "postgres://" + username() + "@127.0.0.1:" + port() + "/postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** PID of the postmaster this server started (from {@code postmaster.pid}), or -1 if unknown. */
    public long postmasterPid() {
        return postmasterPid;
    }

    /**
     * Whether the postmaster this server started still runs. False after a crash or a
     * {@code kill -9}; the supervisor then starts a new one ({@link EmbeddedPostgresSupervisor}).
     */
    public boolean isAlive() {
        return postmasterPid > 0 && ProcessHandle.of(postmasterPid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Starts a new postmaster on the same data directory and port after the previous one died
     * (crash, OOM killer, {@code kill -9}), with the same settings, and waits until it accepts
     * connections (after WAL replay: every transaction committed before the crash is back).
     * zonky's instance keeps its data-directory lock and stops whatever postmaster runs there at
     * {@link #close}, so the restarted one is shut down cleanly too.
     *
     * @throws IOException if pg_ctl fails (e.g. orphaned backends of the dead postmaster still hold
     *                     its shared memory); the caller retries with backoff
     */
    public synchronized void restart() throws IOException {
        if (isAlive()) {
            return;
        }
        if (binDir == null) {
            throw new IOException("the PostgreSQL binaries' folder is unknown; cannot restart");
        }
        StringBuilder options = new StringBuilder("-p ").append(port());
        SERVER_SETTINGS.forEach((k, v) -> options.append(" -c ").append(k).append('=').append(v));
        List<String> cmd = new java.util.ArrayList<>();
        if (io.zonky.test.db.postgres.util.LinuxUtils.isUnshareAvailable()) {
            cmd.addAll(List.of("unshare", "-U")); // as zonky does: PostgreSQL refuses to run as root
        }
        cmd.addAll(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-o", options.toString(),
                "-w", "-t", "60", "start"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // the postmaster inherits this pipe: keep reading it for its whole life, or it would block
        Thread reader = new Thread(() -> copyToLog(p), "embedded-postgres-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int exit = p.waitFor();
            if (exit != 0) {
                throw new IOException("pg_ctl start exited with " + exit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting PostgreSQL", e);
        }
        postmasterPid = readPostmasterPid(dataDir).orElse(-1L);
    }

    private static void copyToLog(Process p) {
        try (java.io.BufferedReader in = p.inputReader()) {
            String line;
            while ((line = in.readLine()) != null) {
                log.info("postgres: {}", line);
            }
        } catch (IOException e) {
            log.debug("postgres output closed: {}", e.getMessage());
        }
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
        Optional<Long> pidInFile = readPostmasterPid(dataDir);
        if (pidInFile.isEmpty()) {
            return;
        }
        long pid = pidInFile.get();
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

    /** The first line of {@code postmaster.pid} (the postmaster's PID), if the file exists and has one. */
    static Optional<Long> readPostmasterPid(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
