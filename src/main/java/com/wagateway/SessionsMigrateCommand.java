package com.wagateway;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.AuthKeyRepository;
import com.wagateway.database.DatabaseConfig;
import com.wagateway.database.LeaseRepository;
import com.wagateway.services.PostgresAuthStore;
import com.wagateway.services.SessionMigration;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code java -jar wa-gateway.jar --sessions-migrate=to-postgres|to-files [--overwrite]}: moves
 * the Baileys sessions between the session folders and PostgreSQL (README "Session storage"), then
 * exits. Reads the same settings as the gateway (environment, {@code .env}, {@code --gateway.*}
 * arguments): the database, {@code SESSIONS_DIR}, {@code AUTH_ENCRYPTION_KEY}.
 *
 * <p>Runs only the database (migrated by Flyway, as at a gateway start), never the engine, the
 * web server or any scheduler: stop the gateway first, since a running one keeps writing the
 * sessions. Exit code 0 when every connection was migrated or already was; 1 when one was refused
 * (its target holds a different session: {@code --overwrite}); 2 on a usage or setup error.
 */
public final class SessionsMigrateCommand {

    static final String OPTION = "--sessions-migrate=";

    private SessionsMigrateCommand() {
    }

    /** Whether the command line asks for this command instead of the gateway. */
    public static boolean requested(String[] args) {
        return Arrays.stream(args).anyMatch(a -> a.startsWith(OPTION));
    }

    /** Runs the command; returns the process exit code (prints its report on stdout, errors on stderr). */
    public static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    /** {@link #run(String[])} reporting to {@code out} and {@code err}. */
    public static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
        String direction = Arrays.stream(args).filter(a -> a.startsWith(OPTION)).map(a -> a.substring(OPTION.length()))
                .findFirst().orElse("");
        boolean overwrite = Arrays.asList(args).contains("--overwrite");
        if (!direction.equals("to-postgres") && !direction.equals("to-files")) {
            err.println("usage: --sessions-migrate=to-postgres|to-files [--overwrite]");
            return 2;
        }
        // the command reads and writes with the key, whatever AUTH_STORE the gateway runs with
        String[] springArgs = java.util.stream.Stream.concat(
                Arrays.stream(args).filter(a -> !a.startsWith(OPTION) && !a.equals("--overwrite")),
                java.util.stream.Stream.of("--gateway.auth.store=postgres")).toArray(String[]::new);
        try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(Context.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF).logStartupInfo(false)
                .run(springArgs)) {
            SessionMigration migration = ctx.getBean(SessionMigration.class);
            List<SessionMigration.Entry> report = direction.equals("to-postgres")
                    ? migration.toPostgres(overwrite) : migration.toFiles(overwrite);
            for (SessionMigration.Entry e : report) {
                out.println(e.connectionId() + ": " + e.outcome().name().toLowerCase(java.util.Locale.ROOT)
                        + " (" + e.values() + " values)" + (e.note() == null ? "" : " — " + e.note()));
            }
            long refused = report.stream().filter(e -> e.outcome() == SessionMigration.Outcome.REFUSED).count();
            out.println(direction + ": " + report.size() + " session(s), " + refused + " refused");
            return refused > 0 ? 1 : 0;
        } catch (Exception e) {
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            err.println("sessions-migrate failed: " + t.getMessage());
            return 2;
        }
    }

    /** Just the database, the auth store and the migration: no engine, web server or scheduler. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(GatewayProperties.class)
    @Import({DatabaseConfig.class, LeaseRepository.class, AuthKeyRepository.class, PostgresAuthStore.class,
            SessionMigration.class})
    static class Context {

        @Bean
        Flyway flyway(DataSource ds) {
            Flyway f = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load();
            f.migrate();
            return f;
        }

        @Bean
        JdbcTemplate jdbcTemplate(DataSource ds, Flyway migrated) {
            return new JdbcTemplate(ds);
        }

        @Bean
        JdbcClient jdbcClient(JdbcTemplate t) {
            return JdbcClient.create(t);
        }

        @Bean
        TransactionTemplate transactionTemplate(DataSource ds) {
            return new TransactionTemplate(new DataSourceTransactionManager(ds));
        }
    }
}
