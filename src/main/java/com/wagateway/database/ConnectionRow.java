package com.wagateway.database;

import com.wagateway.domain.ConnectionStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code connections}, as read. Never serialized to clients directly. {@code nodeId} is
 * the node holding its lease live (issue 17), null when none does.
 */
public record ConnectionRow(
        String connectionId,
        UUID ownerId,
        ConnectionStatus status,
        String reason,
        String phone,
        String pushName,
        String jid,
        String qr,
        String qrImage,
        Instant qrExpiresAt,
        String webhookUrl,
        String sessionDir,
        boolean running,
        boolean hasSession,
        int reconnectAttempt,
        Instant nextRetryAt,
        Instant connectedAt,
        Instant statusChangedAt,
        Instant createdAt,
        Instant updatedAt,
        Restriction restriction,
        String nodeId) {

    /** A row without an owner node (tests and callers from before issue 17). */
    public ConnectionRow(String connectionId, UUID ownerId, ConnectionStatus status, String reason, String phone,
                         String pushName, String jid, String qr, String qrImage, Instant qrExpiresAt, String webhookUrl,
                         String sessionDir, boolean running, boolean hasSession, int reconnectAttempt, Instant nextRetryAt,
                         Instant connectedAt, Instant statusChangedAt, Instant createdAt, Instant updatedAt,
                         Restriction restriction) {
        this(connectionId, ownerId, status, reason, phone, pushName, jid, qr, qrImage, qrExpiresAt, webhookUrl, sessionDir,
                running, hasSession, reconnectAttempt, nextRetryAt, connectedAt, statusChangedAt, createdAt, updatedAt,
                restriction, null);
    }

    /**
     * The account restriction WhatsApp signalled that ends last (V16: the summary columns of
     * {@code connection_restrictions}), or null. {@code reason} is its kind
     * ({@code reachout_timelock}, {@code message_capping}); {@code until} null when WhatsApp gave no end.
     */
    public record Restriction(String reason, Instant until, Instant since, String detail) {

        /** True while it is in force at {@code now}: no end given, or the end is still ahead. */
        public boolean activeAt(Instant now) {
            return until == null || until.isAfter(now);
        }
    }

    /** The restriction in force now, or null (one whose end has passed is over). */
    public Restriction activeRestriction() {
        return restriction != null && restriction.activeAt(Instant.now()) ? restriction : null;
    }
}
