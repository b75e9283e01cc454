package com.wagateway.database;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code routed_commands} (V21): engine commands a node accepted for a connection another
 * node owns. Guarantees: a row is taken at most once ({@link #take} and {@link #abandon} both set
 * {@code taken_at} only where it is unset, in one statement), so the owner runs a command once or
 * never, and a requester that gave up knows the owner will not run it later.
 */
@Repository
public class RoutedCommandRepository {

    /** A command as the owner takes it. */
    public record Taken(UUID id, String connectionId, String fromNode, long epoch, String command, String args) {
    }

    /**
     * The owner's answer: {@code result} (JSON) on success, else the engine's error code, message
     * and, for {@code send_failed}, WhatsApp's status code.
     */
    public record Answer(String result, String errorCode, String errorMessage, Integer errorStatus) {
    }

    private final JdbcClient jdbc;

    public RoutedCommandRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a command for {@code targetNode} (the lease owner seen at {@code epoch}). */
    public void insert(UUID id, String connectionId, String fromNode, String targetNode, long epoch, String command, String args) {
        jdbc.sql("""
                INSERT INTO routed_commands (id, connection_id, from_node, target_node, epoch, command, args)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")
                .params(id, connectionId, fromNode, targetNode, epoch, command, args).update();
    }

    /** The owner takes the command: empty when it was taken (or abandoned) already, or is not for this node. */
    public Optional<Taken> take(UUID id, String nodeId) {
        return jdbc.sql("""
                UPDATE routed_commands SET taken_at = now(), taken_by = ?
                WHERE id = ? AND target_node = ? AND taken_at IS NULL
                RETURNING id, connection_id, from_node, epoch, command, args""")
                .params(nodeId, id, nodeId)
                .query((rs, n) -> new Taken(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getString(5), rs.getString(6))).optional();
    }

    /** Commands for this node nobody took yet, younger than {@code within} (the safety net for a missed notification). */
    public List<UUID> waitingFor(String nodeId, Duration within) {
        return jdbc.sql("""
                SELECT id FROM routed_commands
                WHERE target_node = ? AND taken_at IS NULL AND created_at > now() - ?::interval
                ORDER BY created_at""")
                .params(nodeId, LeaseRepository.interval(within)).query(UUID.class).list();
    }

    /** Stores the owner's answer. */
    public void answer(UUID id, Answer a) {
        jdbc.sql("""
                UPDATE routed_commands SET answered_at = now(), result = ?, error_code = ?, error_message = ?, error_status = ?
                WHERE id = ?""")
                .params(a.result(), a.errorCode(), a.errorMessage(), a.errorStatus(), id).update();
    }

    /** The answer, once there is one. */
    public Optional<Answer> answerOf(UUID id) {
        return jdbc.sql("""
                SELECT result, error_code, error_message, error_status FROM routed_commands
                WHERE id = ? AND answered_at IS NOT NULL""")
                .param(id)
                .query((rs, n) -> new Answer(rs.getString(1), rs.getString(2), rs.getString(3),
                        (Integer) rs.getObject(4))).optional();
    }

    /**
     * The requester gives up on a command nobody took: true when it was still untaken (it is now
     * marked so and answered {@code code}, and no owner will ever run it); false when the owner
     * took it first.
     */
    public boolean abandon(UUID id, String fromNode, String code, String message) {
        return jdbc.sql("""
                UPDATE routed_commands SET taken_at = now(), taken_by = ?, answered_at = now(), error_code = ?, error_message = ?
                WHERE id = ? AND taken_at IS NULL""")
                .params(fromNode, code, message, id).update() == 1;
    }

    /** Deletes rows older than {@code age}. */
    public int sweep(Duration age) {
        return jdbc.sql("DELETE FROM routed_commands WHERE created_at < now() - ?::interval")
                .param(LeaseRepository.interval(age)).update();
    }
}
