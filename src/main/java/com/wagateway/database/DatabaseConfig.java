package com.wagateway.database;

import com.wagateway.config.GatewayProperties;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses the database: {@code DATABASE_URL} when set, otherwise the embedded, persistent
 * PostgreSQL in {@code DATA_DIR/postgres}, supervised and restarted if it dies
 * ({@link EmbeddedPostgresSupervisor}). Either way the rest of the application sees one
 * pooled {@link DataSource}; Flyway migrates it at startup.
 *
 * <p>The pool waits at most {@code DATABASE_CONNECT_TIMEOUT} (2 s) for a connection, so while the
 * database is unreachable a request fails fast (503 {@code database_unavailable}) instead of
 * hanging for Hikari's default 30 s.
 *
 * <p>Every pooled session gets an {@code idle_in_transaction_session_timeout} of half the lease
 * TTL ({@link #idleInTransactionTimeout}): a JVM frozen inside a transaction (SIGSTOP, a stuck
 * host) would otherwise keep that transaction's row and advisory locks for as long as it is
 * frozen. One of them is the {@code FOR SHARE} lock an auth save takes on its lease row, which
 * takeovers skip ({@code SKIP LOCKED}), so a frozen owner kept its connection from ever moving.
 * PostgreSQL now ends such a session and rolls the transaction back before the lease expires.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

    /** Started and supervised only when no external database is configured; stopped with the context. */
    @Bean(destroyMethod = "close")
    EmbeddedPostgresHolder embeddedPostgres(GatewayProperties props) throws IOException {
        if (!props.databaseUrl().isBlank()) {
            return new EmbeddedPostgresHolder(null);
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(props.dataPath().resolve("postgres"));
        return new EmbeddedPostgresHolder(EmbeddedPostgresSupervisor.watch(server, props.databaseRestartDelay()));
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(GatewayProperties props, ObjectProvider<EmbeddedPostgresHolder> embedded) {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("gateway-db");
        cfg.setMaximumPoolSize(16);
        long connectMs = Math.max(250, props.databaseConnectTimeout().toMillis());
        cfg.setConnectionTimeout(connectMs);
        cfg.setValidationTimeout(Math.min(connectMs, 1000)); // must not exceed the connection timeout
        cfg.setConnectionInitSql("SET idle_in_transaction_session_timeout = " + idleInTransactionTimeout(props).toMillis());
        if (props.databaseUrl().isBlank()) {
            EmbeddedPostgresServer server = embedded.getObject().supervisor().server();
            cfg.setJdbcUrl(server.jdbcUrl());
            cfg.setUsername(server.username());
        } else {
            DatabaseUrl url = DatabaseUrl.parse(props.databaseUrl());
            cfg.setJdbcUrl(url.jdbcUrl());
            if (url.username() != null) {
                cfg.setUsername(url.username());
            }
            if (url.password() != null) {
                cfg.setPassword(url.password());
            }
        }
        return new HikariDataSource(cfg);
    }

    /**
     * How long a transaction may sit idle (its client not sending the next statement) before
     * PostgreSQL ends the session: half the lease TTL, at least one second. Every transaction here
     * runs its statements back to back (no network call or engine round trip inside), so only a
     * frozen or partitioned node reaches it, and its locks are free before its leases expire.
     */
    static java.time.Duration idleInTransactionTimeout(GatewayProperties props) {
        java.time.Duration half = props.cluster().leaseTtl().dividedBy(2);
        return half.compareTo(java.time.Duration.ofSeconds(1)) < 0 ? java.time.Duration.ofSeconds(1) : half;
    }

    /** Holds the optional embedded server's supervisor so its shutdown is ordered after the pool's. */
    record EmbeddedPostgresHolder(EmbeddedPostgresSupervisor supervisor) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (supervisor != null) {
                supervisor.close();
            }
        }
    }

    /**
     * {@code /actuator/health} component "embeddedDatabase": DOWN while the supervisor restarts the
     * embedded server (with the reason of the last failed attempt), UP otherwise, with the restart
     * count. UNKNOWN with {@code DATABASE_URL} (the built-in "db" component covers any database).
     */
    @Bean
    org.springframework.boot.health.contributor.HealthIndicator embeddedDatabase(EmbeddedPostgresHolder holder) {
        return () -> {
            EmbeddedPostgresSupervisor s = holder.supervisor();
            if (s == null) {
                return org.springframework.boot.health.contributor.Health.unknown().build();
            }
            var b = s.isUp() ? org.springframework.boot.health.contributor.Health.up()
                    : org.springframework.boot.health.contributor.Health.down().withDetail("reason", "restarting");
            b.withDetail("restarts", s.restarts()).withDetail("port", s.server().port());
            if (s.lastError() != null) {
                b.withDetail("last_error", s.lastError());
            }
            return b.build();
        };
    }
}
