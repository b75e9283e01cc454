package com.wagateway.wire;

import com.wagateway.database.ConnectionRow;
import java.time.Instant;

/**
 * get-qr and whatsapp-web/qr answer: the QR to scan (raw string and PNG data URL, null once
 * linked or when none is showing) with the connection's status.
 */
public record QrResponse(@NeverNull String connectionId,
                         @NeverNull @WireValues(com.wagateway.domain.ConnectionStatus.class) String status, String qr, String qrImage, Instant qrExpiresAt,
                         String phone) {

    public static QrResponse from(ConnectionRow r) {
        return new QrResponse(r.connectionId(), r.status().wire(), r.qr(), r.qrImage(), r.qrExpiresAt(), r.phone());
    }
}
