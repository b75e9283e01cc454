package com.wagateway.realtime;

import com.wagateway.messaging.CallEvents;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Pushes what contacts do besides messaging to the connection's room: their presence (straight
 * from the engine: nothing is stored, so there is no commit to wait for) and their calls (after the
 * {@code call} webhook was stored).
 */
@Component
class ContactSignalsRelay implements EngineListener {

    private final RealtimeBroadcaster broadcaster;

    ContactSignalsRelay(RealtimeBroadcaster broadcaster) {
        this.broadcaster = broadcaster;
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.PresenceChanged p && p.chatJid() != null && p.jid() != null && p.state() != null) {
            broadcaster.emit(p.connectionId(), RealtimeEvents.PRESENCE_UPDATE, new RealtimeEvents.Presence(p.connectionId(),
                    p.chatJid(), p.jid(), p.phone(), p.state(), p.lastSeen() == null ? null : p.lastSeen().toString()));
        }
    }

    @EventListener
    void onCall(CallEvents.CallView call) {
        broadcaster.emit(call.connectionId(), RealtimeEvents.CALL, call);
    }
}
