package com.wagateway.services;

import com.wagateway.domain.ConnectionStatus;
import com.wagateway.domain.Caller;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineCommands;
import com.wagateway.whatsapp.EngineException;
import com.wagateway.database.ConnectionRow;
import com.wagateway.database.PairingCodeRepository;
import com.wagateway.whatsapp.AccountCommands;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Service;

/**
 * Validates and forwards the sandbox phone's actions to the engine (sandbox mode only).
 *
 * <p>Guarantees: nothing reaches the engine unless the caller owns the connection and every
 * argument passed validation (400 with the field otherwise); engine refusals become API errors.
 * It takes and returns its own records, so it knows nothing of the HTTP request bodies that the
 * controller maps to them (layers point one way: controllers → services).
 */
@Service
@ConditionalOnProperty(name = "gateway.engine.mode", havingValue = "sandbox")
public class SandboxPhone {

    private static final Pattern PHONE = Pattern.compile("^[0-9]{6,15}$");

    /** A contact's message to deliver: text or another kind, optionally a reply, LID-addressed or from a fixed id. */
    public record Inbound(String from, String message, String replyToProviderMessageId, String type, Boolean asLid,
                          String pushName, String messageId, java.util.List<String> options, String mediaBase64,
                          String fileName, String mimeType, Integer seconds) {

        /** A message without options or a file of its own. */
        public Inbound(String from, String message, String replyToProviderMessageId, String type, Boolean asLid,
                       String pushName, String messageId) {
            this(from, message, replyToProviderMessageId, type, asLid, pushName, messageId, null, null, null, null, null);
        }
    }

    /** A receipt (delivered, read, played) the recipient's phone sends for one of our messages. */
    public record Receipt(String providerMessageId, String status) {
    }

    /** How many of the next sends fail ({@code null}: 1), with which status code ({@code null}: 500). */
    public record Fail(Integer count, Integer code) {
    }

    /** The QR was scanned by {@code phone} (digits only). */
    public record Scanned(String connectionId, String phone) {
    }

    /** The socket was closed with {@code code}. */
    public record Dropped(String connectionId, int code) {
    }

    /** The contact's message was delivered to the connection with this id and chat. */
    public record InboundSent(String connectionId, String providerMessageId, String remoteJid) {
    }

    /** The receipt was sent. */
    public record ReceiptSent(String connectionId, String providerMessageId, String status) {
    }

    /** The engine will fail this many more sends of the connection. */
    public record FailuresArmed(String connectionId, int pendingFailures) {
    }

    /** The simulated phone linked the connection with its pairing code. */
    public record Paired(String connectionId, String phone) {
    }

    /** What a simulated contact shows (null = unchanged). */
    public record ContactProfile(String phone, String name, Boolean onWhatsApp, String picture) {
    }

    private static final Pattern PAIRING_CODE = Pattern.compile("^[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}$");

    private final EngineClient engine;
    private final ConnectionService connections;
    private final AccountCommands account;
    private final PairingCodeRepository codes;

    public SandboxPhone(EngineClient engine, ConnectionService connections, AccountCommands account, PairingCodeRepository codes) {
        this.engine = engine;
        this.connections = connections;
        this.account = account;
        this.codes = codes;
    }

    /**
     * The simulated phone whose number the code was requested for types {@code code} under
     * Linked devices. 400 {@code invalid_code}; 409 {@code already_linked}, {@code no_pairing_code};
     * 410 {@code pairing_code_expired} (its registration is over: ask for a new code); 422
     * {@code pairing_code_rejected} when the phone refuses the code (a wrong code: nothing is
     * linked, the connection keeps waiting with its code, which still works).
     */
    public Paired pair(String id, String code, Caller caller) {
        ConnectionRow row = connections.get(id, caller);
        if (code == null || !PAIRING_CODE.matcher(code.strip()).matches()) {
            throw new ApiException.InvalidInput("invalid_code", "code", "code must be the 8-character pairing code, e.g. ABCD-EFGH");
        }
        PairingService.requireNotLinked(row);
        PairingCodeRepository.PairingCodeRow requested = codes.find(id).orElseThrow(() -> new ApiException.Conflict("no_pairing_code",
                "'" + id + "' has not asked for a pairing code (POST /api/connections/" + id + "/pairing-code)"));
        if (!requested.expiresAt().isAfter(java.time.Instant.now()) || row.status() != ConnectionStatus.QR_READY) {
            throw new ApiException.Gone("pairing_code_expired", "the pairing code of '" + id + "' expired; ask for a new one");
        }
        AccountCommands.PairOutcome outcome = call(() -> account.sandboxPair(id, requested.phone(), code.strip()).join());
        if (outcome.linked()) {
            return new Paired(id, requested.phone());
        }
        switch (String.valueOf(outcome.reason())) {
            case "wrong_code" -> throw new ApiException.Unprocessable("pairing_code_rejected", "code",
                    "the phone refused the code: it is not the code of this connection (nothing was linked)");
            case "expired", "no_request" -> throw new ApiException.Gone("pairing_code_expired",
                    "the pairing code of '" + id + "' expired; ask for a new one");
            default -> throw new ApiException.Conflict("pairing_refused", "the phone could not link '" + id + "'");
        }
    }

    /** Sets what a simulated contact shows: its name, whether it is on WhatsApp, its profile picture. */
    public ContactProfile contact(String id, ContactProfile in, Caller caller) {
        connections.get(id, caller);
        String phone = PhoneNumbers.require(in.phone(), "phone");
        if (in.name() != null && in.name().length() > 100) {
            throw new ApiException.InvalidInput("invalid_name", "name", "name is at most 100 characters");
        }
        if (in.picture() != null && !java.util.Set.of("set", "hidden", "none").contains(in.picture())) {
            throw new ApiException.InvalidInput("invalid_picture", "picture", "picture must be set, hidden or none");
        }
        call(() -> account.sandboxContact(id, phone, in.name(), in.onWhatsApp(), in.picture()).join());
        return new ContactProfile(phone, in.name(), in.onWhatsApp(), in.picture());
    }

    /** Links {@code phone} to the QR showing on this connection; 409 when no QR is showing. */
    public Scanned scan(String id, String phone, String name, Caller caller) {
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
        return new Scanned(id, digits);
    }

    /** Closes the socket as WhatsApp's server would, with a DisconnectReason code (100-599). */
    public Dropped drop(String id, Integer code, Caller caller) {
        ConnectionRow row = connections.get(id, caller);
        if (code == null || code < 100 || code > 599) {
            throw new ApiException.InvalidInput("invalid_code", "code", "code must be a DisconnectReason status code (100-599)");
        }
        if (!row.status().isActive()) {
            throw new ApiException.Conflict("not_connected", "'" + id + "' has no socket to drop");
        }
        call(() -> engine.sandboxDrop(id, code).join());
        return new Dropped(id, code);
    }

    private static final java.util.Set<String> INBOUND_TYPES = java.util.Set.of("text", "image", "video", "audio", "ptt",
            "sticker", "document", "location", "contact", "poll", "reaction", "edit", "revoke", "undecryptable", "poll_vote",
            "live_location", "list", "forwarded", "view_once");
    private static final Pattern SANDBOX_FROM = Pattern.compile("^[0-9]{5,20}$");
    private static final Pattern WA_ID = Pattern.compile("^[A-Za-z0-9]{8,64}$");
    private static final java.util.Set<String> MEDIA_TYPES = java.util.Set.of("image", "video", "audio", "ptt", "sticker", "document");
    /**
     * Largest file a simulated contact sends: the emulator's media host limit for one blob. It is not
     * {@code MEDIA_MAX_BYTES} on purpose, so a contact can send a file the gateway refuses ({@code too_large}),
     * as a real one can (docs/decisions.md).
     */
    static final int MAX_SANDBOX_MEDIA_BYTES = 16 * 1024 * 1024;

    /**
     * The file of a sandbox media message: only for media types; {@code media_base64} plain base64 of
     * 1 byte to {@link #MAX_SANDBOX_MEDIA_BYTES}; {@code file_name}, {@code mime_type} at most 255
     * characters; {@code seconds} 0-86400.
     */
    private static void checkMedia(Inbound in, String type) {
        boolean any = in.mediaBase64() != null || in.fileName() != null || in.mimeType() != null || in.seconds() != null;
        if (any && !MEDIA_TYPES.contains(type)) {
            throw new ApiException.InvalidInput("media_not_allowed", "media_base64",
                    "media_base64, file_name, mime_type and seconds are only accepted for " + new java.util.TreeSet<>(MEDIA_TYPES));
        }
        if (in.mediaBase64() != null) {
            byte[] bytes;
            try {
                bytes = java.util.Base64.getDecoder().decode(in.mediaBase64());
            } catch (IllegalArgumentException e) {
                throw new ApiException.InvalidInput("invalid_media_base64", "media_base64", "media_base64 is not valid base64");
            }
            if (bytes.length == 0) {
                throw new ApiException.InvalidInput("invalid_media_base64", "media_base64", "media_base64 is empty");
            }
            if (bytes.length > MAX_SANDBOX_MEDIA_BYTES) {
                throw new ApiException.InvalidInput("media_too_large", "media_base64",
                        "the simulated contact sends at most " + MAX_SANDBOX_MEDIA_BYTES + " bytes");
            }
        }
        if (in.fileName() != null && (in.fileName().isBlank() || in.fileName().length() > 255)) {
            throw new ApiException.InvalidInput("invalid_file_name", "file_name", "file_name is 1-255 characters");
        }
        if (in.mimeType() != null && !in.mimeType().matches("^[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+(;.{0,200})?$")) {
            throw new ApiException.InvalidInput("invalid_mime_type", "mime_type", "mime_type must look like type/subtype");
        }
        if (in.seconds() != null && (in.seconds() < 0 || in.seconds() > 86400)) {
            throw new ApiException.InvalidInput("invalid_seconds", "seconds", "seconds is 0-86400");
        }
    }

    /**
     * A contact sends a message to this connection (as WhatsApp would deliver it: it goes through
     * the real handlers, storage, webhooks and realtime). 409 unless the connection is ready.
     */
    public InboundSent inbound(String id, Inbound in, Caller caller) {
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
        if ("poll_vote".equals(type) && (replyTo == null || in.options() == null)) {
            throw new ApiException.InvalidInput("invalid_poll_vote", "options",
                    "a poll_vote needs reply_to_provider_message_id (the poll) and options (the chosen option names; [] withdraws)");
        }
        checkMedia(in, type);
        EngineCommands.SandboxInbound message = new EngineCommands.SandboxInbound(from, type, in.message(), replyTo,
                Boolean.TRUE.equals(in.asLid()), in.pushName(), in.messageId(), in.options(), in.mediaBase64(), in.fileName(),
                in.mimeType(), in.seconds());
        EngineCommands.InboundSent r = call(() -> engine.sandboxInbound(id, message).join());
        return new InboundSent(id, r.providerMessageId(), r.remoteJid());
    }

    /** The recipient's phone sends a receipt (delivered, read, played) for one of our messages. */
    public ReceiptSent receipt(String id, Receipt in, Caller caller) {
        connections.get(id, caller);
        if (in.providerMessageId() == null || !WA_ID.matcher(in.providerMessageId()).matches()) {
            throw new ApiException.InvalidInput("invalid_provider_message_id", "provider_message_id", "must be a WhatsApp message id");
        }
        if (!java.util.Set.of("delivered", "read", "played").contains(String.valueOf(in.status()))) {
            throw new ApiException.InvalidInput("invalid_status", "status", "status must be delivered, read or played");
        }
        call(() -> engine.sandboxReceipt(id, in.providerMessageId(), in.status()).join());
        return new ReceiptSent(id, in.providerMessageId(), in.status());
    }

    /**
     * What the emulator's contacts decrypted of this connection's messages (optionally only
     * {@code providerMessageId}), newest last: proves byte-for-byte delivery (media SHA-256).
     */
    public java.util.List<EngineCommands.SentToContact> sent(String id, String providerMessageId, Caller caller) {
        connections.get(id, caller);
        java.util.List<EngineCommands.SentToContact> all = call(() -> engine.sandboxSent(id).join());
        return providerMessageId == null ? all
                : all.stream().filter(m -> providerMessageId.equals(m.providerMessageId())).toList();
    }

    /** The next {@code count} sends of this connection fail (to watch retries). */
    public FailuresArmed fail(String id, Fail in, Caller caller) {
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
        return new FailuresArmed(id, pending);
    }

    /**
     * Runs an engine call; engine refusals become API errors (503 no engine, 400 bad argument, 409
     * {@code sandbox_<code>} otherwise). Shared by the sandbox services of this package.
     */
    static <T> T call(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof EngineException ee) {
                if (ee.isUnavailable()) {
                    throw ApiException.unavailable(ee);
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
