package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.AuthKeyRepository;
import com.wagateway.database.AuthKeyRepository.KeyRow;
import com.wagateway.shared.AuthCipher;
import com.wagateway.whatsapp.EngineAuthStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Baileys' auth state in PostgreSQL ({@code AUTH_STORE=postgres}), encrypted with
 * {@code AUTH_ENCRYPTION_KEY} (AES-256-GCM, {@link AuthCipher}).
 *
 * <p>Guarantees, checked when the application starts (so a misconfigured gateway never opens a
 * socket): {@code AUTH_STORE} is {@code files} or {@code postgres}; with {@code postgres} the key
 * is present and 32 bytes, and it is the key the stored state was written with (the
 * {@code auth_key_check} row decrypts), else the gateway refuses to start with a message saying
 * which setting is wrong. Neither the key nor any value is ever logged. With {@code files} this
 * bean exists but refuses every call (the engine then keeps sessions in folders).
 */
@Component
public class PostgresAuthStore implements EngineAuthStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresAuthStore.class);
    /** The plaintext of the key check row. */
    private static final String CHECK = "wa-gateway auth key check";

    private final AuthKeyRepository repo;
    private final AuthCipher cipher;
    /** Whose lease a save must still hold (the bean is created after this one: looked up per save). */
    private final org.springframework.beans.factory.ObjectProvider<ConnectionLeases> leases;

    public PostgresAuthStore(GatewayProperties props, AuthKeyRepository repo,
                             org.springframework.beans.factory.ObjectProvider<ConnectionLeases> leases) {
        this.repo = repo;
        this.leases = leases;
        String store = props.auth().store().trim().toLowerCase(java.util.Locale.ROOT);
        if (!store.equals("files") && !store.equals("postgres")) {
            throw refuse("AUTH_STORE must be 'files' or 'postgres', not '" + props.auth().store() + "'");
        }
        if (!props.auth().isPostgres()) {
            this.cipher = null;
            return;
        }
        try {
            this.cipher = AuthCipher.fromSetting(props.auth().encryptionKey());
        } catch (IllegalArgumentException e) {
            throw refuse("AUTH_STORE=postgres needs AUTH_ENCRYPTION_KEY: " + e.getMessage()
                    + " (generate one with: openssl rand -base64 32)");
        }
        verifyKey();
        log.info("auth state is stored in PostgreSQL, encrypted (AES-256-GCM)");
    }

    /**
     * The first gateway with a key writes the check row; every later start decrypts it. A
     * different key is refused before any session is read with it (the sessions would not decrypt).
     */
    private void verifyKey() {
        byte[] stored = repo.keyCheck().orElse(null);
        if (stored == null) {
            repo.insertKeyCheck(cipher.encryptText("", "check", "", CHECK));
            stored = repo.keyCheck().orElseThrow();
        }
        try {
            cipher.decryptText("", "check", "", stored);
        } catch (AuthCipher.WrongKey e) {
            throw refuse("AUTH_ENCRYPTION_KEY is not the key the stored sessions were encrypted with; "
                    + "start with the original key (sessions cannot be read with another one)");
        }
    }

    private static IllegalStateException refuse(String message) {
        log.error("refusing to start: {}", message);
        return new IllegalStateException(message);
    }

    /** Whether this gateway keeps auth state in PostgreSQL. */
    public boolean active() {
        return cipher != null;
    }

    private AuthCipher cipher() {
        if (cipher == null) {
            throw new IllegalStateException("AUTH_STORE is files");
        }
        return cipher;
    }

    @Override
    public String loadCreds(String connectionId) {
        ConnectionIds.require(connectionId);
        return repo.find(connectionId, AuthKeyRepository.CREDS_TYPE, AuthKeyRepository.CREDS_ID)
                .map(v -> cipher().decryptText(connectionId, AuthKeyRepository.CREDS_TYPE, AuthKeyRepository.CREDS_ID, v))
                .orElse(null);
    }

    @Override
    public Map<String, String> loadKeys(String connectionId, String type, List<String> ids) {
        ConnectionIds.require(connectionId);
        requireKeyType(type);
        Map<String, String> out = new LinkedHashMap<>();
        repo.findMany(connectionId, type, ids).forEach((id, v) -> out.put(id, cipher().decryptText(connectionId, type, id, v)));
        return out;
    }

    @Override
    public void save(String connectionId, String creds, List<KeyWrite> keys) {
        ConnectionIds.require(connectionId);
        List<KeyRow> rows = new ArrayList<>(keys.size() + 1);
        if (creds != null) {
            rows.add(encrypted(connectionId, AuthKeyRepository.CREDS_TYPE, AuthKeyRepository.CREDS_ID, creds));
        }
        for (KeyWrite k : keys) {
            requireKeyType(k.type());
            rows.add(k.value() == null ? new KeyRow(k.type(), k.id(), null) : encrypted(connectionId, k.type(), k.id(), k.value()));
        }
        repo.write(connectionId, rows, fenceOf(connectionId));
    }

    /**
     * The lease a save of this connection must still hold: this node's, with the epoch it got.
     * A save for a connection this node does not hold (its lease was lost, its socket is being
     * closed) is refused outright; no leases bean (a context without the cluster part) means no fence.
     */
    private com.wagateway.database.LeaseFence fenceOf(String connectionId) {
        ConnectionLeases l = leases.getIfAvailable();
        if (l == null) {
            return null;
        }
        return l.fence(connectionId).orElseThrow(() -> new com.wagateway.database.LeaseLostException(connectionId));
    }

    @Override
    public boolean clear(String connectionId) {
        ConnectionIds.require(connectionId);
        return repo.deleteAll(connectionId) > 0;
    }

    /** Every stored value of a connection, decrypted (type, id, JSON text): the migrate command. */
    List<KeyWrite> export(String connectionId) {
        List<KeyWrite> out = new ArrayList<>();
        for (KeyRow r : repo.all(connectionId)) {
            out.add(new KeyWrite(r.type(), r.id(), cipher().decryptText(connectionId, r.type(), r.id(), r.value())));
        }
        return out;
    }

    /** Replaces everything stored for a connection with {@code values} in one transaction (the migrate command). */
    void replace(String connectionId, List<KeyWrite> values) {
        List<KeyRow> rows = new ArrayList<>();
        for (KeyWrite k : values) {
            rows.add(encrypted(connectionId, k.type(), k.id(), k.value()));
        }
        repo.replaceAll(connectionId, rows);
    }

    private KeyRow encrypted(String connectionId, String type, String id, String json) {
        return new KeyRow(type, id, cipher().encrypt(connectionId, type, id, json.getBytes(StandardCharsets.UTF_8)));
    }

    /** A key type is a short lowercase name (Baileys' types are {@code pre-key}, {@code session}, …). */
    private static void requireKeyType(String type) {
        if (type == null || !type.matches("[a-z][a-z-]{0,63}") || type.equals(AuthKeyRepository.CREDS_TYPE)) {
            throw new IllegalArgumentException("not a key type");
        }
    }
}
