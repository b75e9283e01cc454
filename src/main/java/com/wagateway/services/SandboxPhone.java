package com.wagateway.services;

import com.wagateway.security.Caller;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineException;
import com.wagateway.database.ConnectionRow;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Service;

/** Validates and forwards the sandbox phone's actions to the engine (sandbox mode only). */
@Service
@ConditionalOnProperty(name = "gateway.engine.mode", havingValue = "sandbox")
public class SandboxPhone {

    private static final Pattern PHONE = Pattern.compile("^[0-9]{6,15}$");

    private final EngineClient engine;
    private final ConnectionService connections;

    public SandboxPhone(EngineClient engine, ConnectionService connections) {
        this.engine = engine;
        this.connections = connections;
    }

    /** Links {@code phone} to the QR showing on this connection; 409 when no QR is showing. */
    public Map<String, Object> scan(String id, String phone, String name, Caller caller) {
        ConnectionRow row = connections.get(id, caller);
        String digits = phone == null ? null : phone.replaceAll("[\\s+-]", "");
        if (digits == null || !PHONE.matcher(digits).matches()) {
            throw new ApiException.InvalidInput("invalid_phone", "phone", "phone must be 6 to 15 digits in international format");
        }
        if (name != null && name.length() > 100) {
            throw new ApiException.InvalidInput("invalid_name", "name", "name is at most 100 characters");
        }
        if (row.status() != ConnectionStatus.QR_READY) {
            throw new ApiException.Conflict("no_qr_showing", "no QR is showing on '" + id + "'; connect first (get-qr)");
        }
        call(() -> engine.sandboxScan(id, digits, name).join());
        return Map.of("connection_id", id, "scanned", true, "phone", digits);
    }

    /** Closes the socket as WhatsApp's server would, with a DisconnectReason code (100-599). */
    public Map<String, Object> drop(String id, Integer code, Caller caller) {
        ConnectionRow row = connections.get(id, caller);
        if (code == null || code < 100 || code > 599) {
            throw new ApiException.InvalidInput("invalid_code", "code", "code must be a DisconnectReason status code (100-599)");
        }
        if (!row.status().isActive()) {
            throw new ApiException.Conflict("not_connected", "'" + id + "' has no socket to drop");
        }
        call(() -> engine.sandboxDrop(id, code).join());
        return Map.of("connection_id", id, "dropped", true, "code", code);
    }

    private static void call(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            if (e.getCause() instanceof EngineException ee) {
                if (ee.isUnavailable()) {
                    throw new ApiException.EngineUnavailable(ee.getMessage());
                }
                throw new ApiException.Conflict("sandbox_" + ee.code(), ee.getMessage());
            }
            throw e;
        }
    }
}
