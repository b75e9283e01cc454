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
 * PostgreSQL in {@code DATA_DIR/postgres}. Either way the rest of the application sees one
 * pooled {@link DataSource}; Flyway migrates it at startup.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

    /** Started only when no external database is configured; stopped with the context. */
    @Bean(destroyMethod = "close")
    EmbeddedPostgresHolder embeddedPostgres(GatewayProperties props) throws IOException {
        if (!props.databaseUrl().isBlank()) {
            return new EmbeddedPostgresHolder(null);
        }
        return new EmbeddedPostgresHolder(EmbeddedPostgresServer.start(props.dataPath().resolve("postgres")));
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(GatewayProperties props, ObjectProvider<EmbeddedPostgresHolder> embedded) {
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("gateway-db");
        cfg.setMaximumPoolSize(16);
        if (props.databaseUrl().isBlank()) {
            EmbeddedPostgresServer server = embedded.getObject().server();
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

    /** Holds the optional embedded server so its shutdown is ordered after the pool's. */
    record EmbeddedPostgresHolder(EmbeddedPostgresServer server) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (server != null) {
                server.close();
            }
        }
    }
}
