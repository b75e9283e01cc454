package com.wagateway.wire;

import com.wagateway.database.ConnectionRow;
import java.time.Instant;

/**
 * A connection as clients see it: status with its reason, phone, times, and reconnect progress
 * (attempt and next retry) so every state is visible, and {@code restricted} while WhatsApp
 * restricts the account (null otherwise), and {@code node_id}: the gateway node whose lease runs
 * its socket now (null while no node owns it). Never carries secrets or the QR image.
 */
public record ConnectionView(@NeverNull String connectionId,
                             @NeverNull @WireValues(com.wagateway.domain.ConnectionStatus.class) String status, String reason, String phone, String pushName,
                             Instant connectedAt, int reconnectAttempt, Instant nextRetryAt, boolean hasSession,
                             boolean wantedRunning, Instant qrExpiresAt, String webhookUrl, Instant statusChangedAt,
                             @NeverNull Instant createdAt, @NeverNull Instant updatedAt, Restricted restricted,
                             String nodeId) {

    /**
     * An account restriction in force: {@code reason} {@code reachout_timelock} (WhatsApp's
     * reach-out time lock: no new chats) or {@code message_capping} (new chats capped for this
     * cycle); {@code until} when it ends (null: WhatsApp gave no end); {@code since} when the
     * gateway learned of it; {@code detail} WhatsApp's enforcement type or capping status.
     */
    public record Restricted(@NeverNull String reason, Instant until, @NeverNull Instant since, String detail) {
    }

    public static ConnectionView from(ConnectionRow r) {
        ConnectionRow.Restriction x = r.activeRestriction();
        return new ConnectionView(r.connectionId(), r.status().wire(), r.reason(), r.phone(), r.pushName(),
                r.connectedAt(), r.reconnectAttempt(), r.nextRetryAt(), r.hasSession(), r.running(), r.qrExpiresAt(),
                r.webhookUrl(), r.statusChangedAt(), r.createdAt(), r.updatedAt(),
                x == null ? null : new Restricted(x.reason(), x.until(), x.since(), x.detail()), r.nodeId());
    }
}
