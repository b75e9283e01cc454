package com.wagateway.whatsapp;

import java.util.List;
import java.util.Map;

/**
 * Where the engine keeps Baileys' auth state when {@code AUTH_STORE=postgres}: the engine asks
 * through the {@code auth.load}, {@code auth.save} and {@code auth.clear} requests
 * (docs/engine-protocol.md "Auth state in PostgreSQL"), answered on the request pool. Values are
 * Baileys' BufferJSON text, opaque to Java; the implementation encrypts them at rest.
 */
public interface EngineAuthStore {

    /** One key write: {@code value} null deletes the key. */
    record KeyWrite(String type, String id, String value) {
    }

    /** The connection's creds (JSON text), or null when none are stored. */
    String loadCreds(String connectionId);

    /** The stored ones among {@code ids} of {@code type}: id → JSON text; ids not stored are absent. */
    Map<String, String> loadKeys(String connectionId, String type, List<String> ids);

    /**
     * Stores creds (when not null) and the key writes as one transaction. Guarantees: committed
     * when this returns normally; nothing stored when it throws.
     */
    void save(String connectionId, String creds, List<KeyWrite> keys);

    /** Removes everything stored for the connection; whether anything was. */
    boolean clear(String connectionId);
}
