package com.wagateway.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/** What counts as "the database is unreachable" (retry, 503) and what is a data error (no retry). */
class DatabaseUnavailableTest {

    @Test
    void connectionFailuresCount() {
        // Hikari's pool timeout, as Spring's transaction manager wraps it
        assertThat(DatabaseUnavailable.isCause(new CannotCreateTransactionException("Could not open JDBC Connection",
                new SQLTransientConnectionException("gateway-db - Connection is not available", "08001")))).isTrue();
        assertThat(DatabaseUnavailable.isCause(new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection"))).isTrue();
        // a statement on a connection the dying server closed
        assertThat(DatabaseUnavailable.isCause(new DataAccessResourceFailureException("insert",
                new SQLException("FATAL: terminating connection due to unexpected postmaster exit", "57P01")))).isTrue();
        assertThat(DatabaseUnavailable.isCause(new SQLException("An I/O error occurred while sending to the backend", "08006"))).isTrue();
        assertThat(DatabaseUnavailable.isCause(new SQLException("the database system is starting up", "57P03"))).isTrue();
    }

    @Test
    void aFailedRollbackAfterALostConnectionCounts() {
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("rollback failed", (String) null));
        rollback.initApplicationException(new DataAccessResourceFailureException("insert",
                new SQLException("FATAL: terminating connection due to unexpected postmaster exit", "57P01")));
        assertThat(DatabaseUnavailable.isCause(rollback)).isTrue();
    }

    @Test
    void dataErrorsDoNotCount() {
        assertThat(DatabaseUnavailable.isCause(new DuplicateKeyException("duplicate",
                new SQLException("duplicate key value violates unique constraint", "23505")))).isFalse();
        assertThat(DatabaseUnavailable.isCause(new DataIntegrityViolationException("fk",
                new SQLException("violates foreign key constraint", "23503")))).isFalse();
        assertThat(DatabaseUnavailable.isCause(new IllegalStateException("no such connection"))).isFalse();
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed");
        rollback.initApplicationException(new DuplicateKeyException("duplicate"));
        assertThat(DatabaseUnavailable.isCause(rollback)).isFalse();
    }
}
