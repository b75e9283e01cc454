package com.wagateway.wire;

import com.wagateway.database.ConnectionRow;
import java.time.Instant;

/**
 * A connection as clients see it: status with its reason, phone, times, and reconnect progress
 * (attempt and next retry) so every state is visible. Never carries secrets or the QR image.
 */
public record ConnectionView(@NeverNull String connectionId,
                             @NeverNull @WireValues(com.wagateway.domain.ConnectionStatus.class) String status, String reason, String phone, String pushName,
                             Instant connectedAt, int reconnectAttempt, Instant nextRetryAt, boolean hasSession,
                             boolean wantedRunning, Instant qrExpiresAt, String webhookUrl, Instant statusChangedAt,
                             @NeverNull Instant createdAt, @NeverNull Instant updatedAt) {

    public static ConnectionView from(ConnectionRow r) {
        return new ConnectionView(r.connectionId(), r.status().wire(), r.reason(), r.phone(), r.pushName(),
                r.connectedAt(), r.reconnectAttempt(), r.nextRetryAt(), r.hasSession(), r.running(), r.qrExpiresAt(),
                r.webhookUrl(), r.statusChangedAt(), r.createdAt(), r.updatedAt());
    }
}
