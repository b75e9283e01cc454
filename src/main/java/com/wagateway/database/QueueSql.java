package com.wagateway.database;

/**
 * The send queue's statements on queued messages, kept apart so QueuePlansIntegrationTest can
 * check the plan PostgreSQL gives each of them. Each names only the columns of the index meant
 * to serve it, so that choice does not depend on the statistics (issue 18: statistics taken
 * while the queue was short made the planner pick a small partial index for all of them, and
 * with a deep queue every call then read the whole backlog).
 */
final class QueueSql {

    private QueueSql() {
    }

    /** The queue head of a connection (messages_queue_idx, in its order); {@code paged} adds the keyset. */
    static String findQueued(boolean paged) {
        return """
                SELECT id, chat_jid, to_jid, provider_message_id, quoted_message_id, attempts, next_attempt_at, expires_at, created_at
                FROM messages WHERE connection_id = ? AND status = 'queued' AND NOT (id = ANY(?::uuid[]))"""
                + (paged ? " AND (created_at, id) > (?, ?)" : "") + " ORDER BY created_at, id LIMIT ?";
    }

    /** What to send for some messages by id (the primary key); the caller keeps the queued ones. */
    static final String FIND_OUTGOING =
            "SELECT id, outgoing::text AS outgoing, status = 'queued' AS queued FROM messages WHERE id = ANY(?::uuid[])";

    /**
     * "The row is still queued", written so that it does not imply the queue indexes' predicate
     * ({@code status = 'queued'}): an UPDATE by id with the plain condition was planned as a scan
     * of the whole messages_queue_idx (id is its third column) when the statistics predated the
     * backlog; with this one only the primary key fits. Same truth value for every row.
     */
    private static final String STILL_QUEUED = " status || '' = 'queued'";

    /** A transient failure of one queued message (by primary key): counted, retried at {@code next_attempt_at}. */
    static final String MARK_RETRY = """
            UPDATE messages m SET attempts = attempts + 1, error = ?, next_attempt_at = ?::timestamptz, updated_at = now()
            WHERE id = ? AND""" + STILL_QUEUED;

    /** A queued message ends as failed (by primary key; the caller appends RETURNING). */
    static final String MARK_FAILED = """
            UPDATE messages m SET status = 'failed', error = ?, outgoing = NULL, next_attempt_at = NULL,
              attempts = attempts + ?, updated_at = now()
            WHERE id = ? AND""" + STILL_QUEUED;

    /** The once-a-second expiry sweep (messages_queue_expiry_idx; the caller appends RETURNING). */
    static final String EXPIRE_QUEUED = """
            UPDATE messages m SET status = 'failed', outgoing = NULL, next_attempt_at = NULL, updated_at = now(),
              error = 'expired: not sent within SEND_QUEUE_TTL' || coalesce(' (last error: ' || error || ')', '')
            WHERE status = 'queued' AND expires_at <= ?""";

    /**
     * Ready connections with a due queued message: per ready connection, its oldest due message
     * on messages_queue_idx, in that index's order, so the scan stops at the first due row. A
     * LATERAL ... LIMIT 1 and not EXISTS: PostgreSQL turned the EXISTS into a hash of every queued
     * row of the table (a sequential scan, 856-1,191 buffers a second with a backlog of thousands).
     */
    static final String CONNECTIONS_WITH_DUE = """
            SELECT c.connection_id FROM connections c
            CROSS JOIN LATERAL (
                SELECT 1 FROM messages m WHERE m.connection_id = c.connection_id AND m.status = 'queued'
                  AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= ?)
                ORDER BY m.created_at, m.id LIMIT 1) due
            WHERE c.status = 'ready'
            ORDER BY c.connection_id""";
}
