package com.wagateway.database;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells "the database cannot be reached right now" apart from "this statement is wrong for this
 * data". The first is temporary: API calls answer 503 {@code database_unavailable} and engine
 * events are held and retried until the database is back. The second is permanent for that input
 * (a constraint, a deleted connection) and is never retried.
 */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {
    }

    /**
     * True if {@code e} or one of its causes says the connection could not be made or was lost:
     * the pool's timeout, a refused or broken socket, a server shutting down or starting up.
     * SQL states of class 08 (connection exception) and 57P01-57P03 (shutdown / cannot connect now)
     * count; everything else (constraint violations, syntax, serialization) does not.
     */
    public static boolean isCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotGetJdbcConnectionException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException s && isConnectionState(s.getSQLState())) {
                return true;
            }
            // a rollback that failed after the statement failed: the statement's failure is the reason
            if (t instanceof TransactionSystemException tse && tse.getApplicationException() != null
                    && tse.getApplicationException() != e && isCause(tse.getApplicationException())) {
                return true;
            }
        }
        return false;
    }

    /** The exception chain with SQL states, for a log line that explains a failure. */
    public static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            b.append(b.isEmpty() ? "" : " <- ").append(t.getClass().getSimpleName());
            if (t instanceof SQLException s) {
                b.append('[').append(s.getSQLState()).append(']');
            }
        }
        return b.toString();
    }

    private static boolean isConnectionState(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }
}
