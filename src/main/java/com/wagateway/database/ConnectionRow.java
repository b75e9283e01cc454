package com.wagateway.database;

import com.wagateway.domain.ConnectionStatus;
import java.time.Instant;
import java.util.UUID;

/** One row of {@code connections}, as read. Never serialized to clients directly. */
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
        Instant updatedAt) {
}
