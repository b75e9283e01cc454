package com.wagateway.services;

import com.wagateway.domain.Caller;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineCommands;
import com.wagateway.whatsapp.EngineException;
import com.wagateway.database.ConnectionRow;
import com.wagateway.controllers.dto.SandboxRequests;
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

    private static final java.util.Set<String> INBOUND_TYPES = java.util.Set.of("text", "image", "video", "audio", "ptt",
            "sticker", "document", "location", "contact", "poll", "reaction", "edit", "revoke", "undecryptable");
    private static final Pattern SANDBOX_FROM = Pattern.compile("^[0-9]{5,20}$");
    private static final Pattern WA_ID = Pattern.compile("^[A-Za-z0-9]{8,64}$");

    /**
     * A contact sends a message to this connection (as WhatsApp would deliver it: it goes through
     * the real handlers, storage, webhooks and realtime). 409 unless the connection is ready.
     */
    public Map<String, Object> inbound(String id, SandboxRequests.Inbound in, Caller caller) {
        connections.get(id, caller);
        String from = in.from() == null ? null : in.from().replaceAll("[\\s+-]", "");
        if (from == null || !SANDBOX_FROM.matcher(from).matches()) {
            throw new ApiException.InvalidInput("invalid_from", "from", "from must be 5-20 digits (the contact's phone number)");
        }
        String type = in.type() == null ? "text" : in.type();
        if (!INBOUND_TYPES.contains(type)) {
            throw new ApiException.InvalidInput("invalid_type", "type", "type must be one of " + new java.util.TreeSet<>(INBOUND_TYPES));
        }
        if ("text".equals(type) && (in.message() == null || in.message().isBlank())) {
            throw new ApiException.InvalidInput("invalid_message", "message", "message must not be empty");
        }
        if (in.message() != null && in.message().length() > 65536) {
            throw new ApiException.InvalidInput("message_too_long", "message", "message is longer than 64 KB");
        }
        String replyTo = in.replyToProviderMessageId();
        if (replyTo != null && !WA_ID.matcher(replyTo).matches()) {
            throw new ApiException.InvalidInput("invalid_reply_to", "reply_to_provider_message_id", "must be a WhatsApp message id");
        }
        if (in.messageId() != null && !WA_ID.matcher(in.messageId()).matches()) {
            throw new ApiException.InvalidInput("invalid_message_id", "message_id", "message_id must be 8-64 letters/digits");
        }
        if (in.pushName() != null && in.pushName().length() > 100) {
            throw new ApiException.InvalidInput("invalid_push_name", "push_name", "push_name is at most 100 characters");
        }
        EngineCommands.SandboxInbound message = new EngineCommands.SandboxInbound(from, type, in.message(), replyTo,
                Boolean.TRUE.equals(in.asLid()), in.pushName(), in.messageId());
        EngineCommands.InboundSent r = call(() -> engine.sandboxInbound(id, message).join());
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("connection_id", id);
        out.put("provider_message_id", r.providerMessageId());
        out.put("remote_jid", r.remoteJid());
        return out;
    }

    /** The recipient's phone sends a receipt (delivered, read, played) for one of our messages. */
    public Map<String, Object> receipt(String id, SandboxRequests.Receipt in, Caller caller) {
        connections.get(id, caller);
        if (in.providerMessageId() == null || !WA_ID.matcher(in.providerMessageId()).matches()) {
            throw new ApiException.InvalidInput("invalid_provider_message_id", "provider_message_id", "must be a WhatsApp message id");
        }
        if (!java.util.Set.of("delivered", "read", "played").contains(String.valueOf(in.status()))) {
            throw new ApiException.InvalidInput("invalid_status", "status", "status must be delivered, read or played");
        }
        call(() -> engine.sandboxReceipt(id, in.providerMessageId(), in.status()).join());
        return Map.of("connection_id", id, "provider_message_id", in.providerMessageId(), "status", in.status());
    }

    /** The next {@code count} sends of this connection fail (to watch retries). */
    public Map<String, Object> fail(String id, SandboxRequests.Fail in, Caller caller) {
        connections.get(id, caller);
        int count = in.count() == null ? 1 : in.count();
        int code = in.code() == null ? 500 : in.code();
        if (count < 1 || count > 1000) {
            throw new ApiException.InvalidInput("invalid_count", "count", "count must be 1-1000");
        }
        if (code < 100 || code > 599) {
            throw new ApiException.InvalidInput("invalid_code", "code", "code must be an HTTP-style status code (100-599)");
        }
        int pending = call(() -> engine.sandboxFail(id, count, code).join());
        return Map.of("connection_id", id, "pending_failures", pending);
    }

    /** Runs an engine call; engine refusals become API errors (503 no engine, 400 bad argument, 409 otherwise). */
    private static <T> T call(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof EngineException ee) {
                if (ee.isUnavailable()) {
                    throw new ApiException.EngineUnavailable(ee.getMessage());
                }
                if (ee instanceof EngineException.BadRequest) {
                    throw new ApiException.InvalidInput("sandbox_bad_request", null, ee.getMessage());
                }
                throw new ApiException.Conflict("sandbox_" + ee.code(), ee.getMessage());
            }
            throw e;
        }
    }
}
