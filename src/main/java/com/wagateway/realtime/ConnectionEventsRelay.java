package com.wagateway.realtime;

import com.wagateway.wire.ConnectionView;
import com.wagateway.wire.QrResponse;
import com.wagateway.database.ConnectionRow;
import com.wagateway.services.ConnectionDeleted;
import com.wagateway.domain.ConnectionStatus;
import com.wagateway.services.ConnectionStatusChanged;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Turns committed connection changes into dashboard events: {@code connection.status} (the same
 * body as {@code GET /api/whatsapp-web/status/{id}}) for every change, and {@code connection.qr}
 * (the same body as {@code GET /api/whatsapp-web/qr/{id}}) whenever a QR is showing, so the
 * dashboard redraws a rotated QR without polling.
 * <p>
 * {@link ConnectionStatusChanged} is published after the row is stored, so a plain listener
 * already emits after commit.
 */
@Component
public class ConnectionEventsRelay {

    public static final String STATUS = RealtimeEvents.CONNECTION_STATUS;
    public static final String QR = RealtimeEvents.CONNECTION_QR;

    private final RealtimeBroadcaster broadcaster;

    public ConnectionEventsRelay(RealtimeBroadcaster broadcaster) {
        this.broadcaster = broadcaster;
    }

    @EventListener
    public void onStatus(ConnectionStatusChanged change) {
        ConnectionRow row = change.connection();
        broadcaster.rememberOwner(row.connectionId(), row.ownerId());
        broadcaster.emit(row.connectionId(), STATUS, ConnectionView.from(row));
        if (row.status() == ConnectionStatus.QR_READY && row.qr() != null) {
            broadcaster.emit(row.connectionId(), QR, QrResponse.from(row));
        }
    }

    /** A deleted connection's owner cache and subscriptions go with it (the id may be reused by anyone). */
    @EventListener
    public void onDeleted(ConnectionDeleted deleted) {
        broadcaster.forget(deleted.connectionId());
    }
}
