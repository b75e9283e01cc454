package com.wagateway.whatsapp;

import com.wagateway.config.GatewayProperties;
import com.wagateway.shared.Json;
import tools.jackson.databind.node.ObjectNode;

/** The {@code hello} command's arguments (docs/engine-protocol.md, "Handshake"), built from the settings. */
final class EngineHello {

    private EngineHello() {
    }

    /**
     * The {@code hello} arguments of one process: the same for every process except its incoming
     * media folder ({@link GatewayProperties#incomingMediaPath(int, int)}) and, for a sandbox pool,
     * the shared emulator's URL (started here on first use; a failure fails this launch, which is
     * retried with backoff).
     */
    static ObjectNode args(GatewayProperties props, EngineShare share, SharedEmulator sharedEmulator) {
        GatewayProperties.Engine e = props.engine();
        ObjectNode a = Json.MAPPER.createObjectNode();
        a.put("protocol", EngineSupervisor.PROTOCOL_VERSION);
        a.put("mode", e.isSandbox() ? "sandbox" : "baileys");
        a.put("sessionsDir", props.sessionsPath().toString());
        a.put("authStore", props.auth().isPostgres() ? "postgres" : "files"); // postgres: auth.* requests below
        // media sends name a file in this folder (the MediaStore); the engine reads nothing outside it
        a.put("mediaDir", props.mediaPath().toString());
        a.put("logLevel", e.logLevel());
        a.put("ignoreStatusBroadcast", props.messaging().ignoreStatusBroadcast());
        // a received message's receipt waits until its row is committed (EventDispatcher confirms)
        a.put("holdReceipts", true);
        ObjectNode media = a.putObject("media"); // live media are downloaded there, then adopted by the media store
        media.put("dir", props.incomingMediaPath(share.index(), share.processes()).toString());
        media.put("maxBytes", props.media().maxBytes());
        ObjectNode b = a.putObject("baileys");
        b.put("waWebSocketUrl", blank(e.waWebSocketUrl()) ? null : e.waWebSocketUrl());
        b.put("connectTimeoutMs", e.connectTimeout().toMillis());
        ObjectNode s = a.putObject("sandbox");
        s.put("qrFirstMs", e.sandbox().qrFirst().toMillis());
        s.put("qrNextMs", e.sandbox().qrNext().toMillis());
        s.put("qrRefs", e.sandbox().qrRefs());
        s.put("receiptDelayMs", props.messaging().sandboxReceiptDelay().toMillis());
        s.put("historyChats", props.messaging().sandboxHistoryChats());
        String emulatorUrl = e.sandbox().emulatorUrl();
        if (sharedEmulator != null && e.isSandbox()) {
            emulatorUrl = sharedEmulator.url();
        }
        s.put("emulatorUrl", blank(emulatorUrl) ? null : emulatorUrl.trim());
        s.put("emulatorDir", props.dataPath().resolve("emulator").toString());
        return a;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
