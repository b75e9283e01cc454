package com.wagateway.messaging;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.ConnectionRow;
import com.wagateway.database.MessageRepository;
import com.wagateway.database.MessageRow;
import com.wagateway.database.QueuedInserts;
import com.wagateway.domain.Caller;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionIds;
import com.wagateway.services.ConnectionService;
import com.wagateway.domain.ConnectionStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import com.wagateway.media.ImageLoader;
import com.wagateway.media.LoadedImage;
import com.wagateway.media.MediaStore;
import com.wagateway.media.StoredMedia;
import org.springframework.stereotype.Service;
import com.wagateway.whatsapp.EngineCommands;

/**
 * The send API's logic ({@code POST /api/send-message}, {@code /api/send-image}).
 *
 * <p>Guarantees: every field is validated before anything is stored; the message is stored
 * ({@code queued}) before anything is sent; the same {@code connection_id} +
 * {@code client_message_id} never makes a second message — the unique index decides, so this
 * holds under any concurrency — and a repeat answers with the stored message's current status
 * (409 when the repeat asks for something different); a connection that needs a person answers
 * 409 and stores nothing; a connection that will come back by itself queues.
 */
@Service
public class SendService {

    static final int MAX_TEXT_BYTES = 64 * 1024;
    private static final Pattern CLIENT_ID = Pattern.compile("^[\\x21-\\x7E]{1,128}$");

    private final ConnectionService connections;
    private final MessageRepository messages;
    private final SendDispatcher dispatcher;
    private final Publisher events;
    private final GatewayProperties.Messaging settings;
    static final int IMAGE_LOADS = 4;

    private final ImageLoader images;
    private final MediaStore mediaStore;
    private final long mediaMaxBytes;
    private final Semaphore imageLoads = new Semaphore(IMAGE_LOADS);
    private final AccountRestrictions restrictions;
    /** Most messages stored by one statement; more concurrent requests wait for the next one. */
    static final int MAX_INSERT_BATCH = 256;
    private final QueuedInserts inserts;
    private final GroupCommit<QueuedInserts.NewQueued, Optional<MessageRow>> queuedInserts;

    public SendService(ConnectionService connections, MessageRepository messages, SendDispatcher dispatcher,
                       Publisher events, GatewayProperties props, ImageLoader images, MediaStore mediaStore,
                       AccountRestrictions restrictions, QueuedInserts inserts) {
        this.inserts = inserts;
        this.queuedInserts = new GroupCommit<>(inserts::insertAll, MAX_INSERT_BATCH);
        this.restrictions = restrictions;
        this.images = images;
        this.mediaStore = mediaStore;
        this.mediaMaxBytes = props.media().maxBytes();
        this.connections = connections;
        this.messages = messages;
        this.dispatcher = dispatcher;
        this.events = events;
        this.settings = props.messaging();
    }

    /** HTTP status (200 done, 202 queued) and body of a send. */
    public record Result(int httpStatus, SendResponse body) {
    }

    /** A text message: {@code message} is 1 byte to 64 KB of UTF-8. */
    public Result sendText(Caller caller, String connectionId, String to, String message, String clientMessageId,
                           String replyTo) {
        return sendText(caller, connectionId, to, message, clientMessageId, replyTo, null);
    }

    /**
     * A text message that may @-mention people ({@code mentions}: phone numbers; WhatsApp
     * highlights them in groups). Without mentions the request's fingerprint is the one a plain
     * text always had, so repeats of messages accepted before mentions existed still match.
     */
    public Result sendText(Caller caller, String connectionId, String to, String message, String clientMessageId,
                           String replyTo, java.util.List<String> mentions) {
        ConnectionIds.require(connectionId);
        Recipient recipient = Recipients.parse(to);
        if (message == null || message.isBlank()) {
            throw new ApiException.InvalidInput("invalid_message", "message", "message must not be empty");
        }
        if (message.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            throw new ApiException.InvalidInput("message_too_long", "message", "message is longer than 64 KB");
        }
        validateIds(clientMessageId, replyTo);
        java.util.List<String> mentioned = Mentions.parse(mentions);
        OutgoingContent out = new OutgoingContent("text", message, null, null, null,
                EngineCommands.textContent(message, mentioned),
                "text\0" + message + (mentioned.isEmpty() ? "" : "\0mentions:" + String.join(",", mentioned)));
        return submit(caller, connectionId, recipient, out, clientMessageId, replyTo, () -> out);
    }

    /**
     * An image (JPEG, PNG or WebP, at most 16 MB) from {@code image_url} or {@code image_base64}.
     * The image is loaded — and a URL fetched — only for a new message: a repeat of a known
     * {@code client_message_id} is answered from the database, its fingerprint built from the
     * request fields. At most {@link #IMAGE_LOADS} images are held in memory at once.
     */
    public Result sendImage(Caller caller, String connectionId, String to, String imageUrl, String imageBase64,
                            String mimeType, String caption, String clientMessageId, String replyTo) {
        ConnectionIds.require(connectionId);
        Recipient recipient = Recipients.parse(to);
        if (caption != null && caption.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
            throw new ApiException.InvalidInput("caption_too_long", "caption", "caption is longer than 64 KB");
        }
        validateIds(clientMessageId, replyTo);
        String source = imageUrl != null ? "url:" + imageUrl
                : "b64:" + (imageBase64 == null ? "" : fingerprint("", imageBase64, null));
        String fp = "image\0" + source + "\0" + mimeType + "\0" + caption;
        OutgoingContent probe = OutgoingContent.probe("image", fp);
        return submit(caller, connectionId, recipient, probe, clientMessageId, replyTo, () -> withLoadSlot(() -> {
            LoadedImage img = images.load(imageUrl, imageBase64, mimeType);
            if (img.bytes().length > mediaMaxBytes) {
                // MEDIA_MAX_BYTES caps every file the gateway stores, also below the 16 MB image limit
                throw new ApiException.InvalidInput("image_too_large", imageUrl != null && !imageUrl.isBlank() ? "image_url"
                        : "image_base64", "the image is larger than MEDIA_MAX_BYTES (" + mediaMaxBytes + " bytes)");
            }
            StoredMedia stored = store(img.bytes(), mediaMaxBytes);
            String body = caption != null && !caption.isBlank() ? caption : "[image]";
            return new OutgoingContent("image", body, caption, img.mimeType(), stored.size(), null, stored.sha256(), null,
                    EngineCommands.mediaContent("image", stored.sha256(), img.mimeType(), caption, null, null), fp);
        }));
    }

    /**
     * Runs a media load (fetch or decode, then store) in one of {@link #IMAGE_LOADS} slots, so at
     * most that many files are held in memory at once; a request beyond that gets 429 at once.
     */
    <T> T withLoadSlot(java.util.function.Supplier<T> load) {
        if (!imageLoads.tryAcquire()) {
            throw new ApiException.TooManyRequests("too_many_media_sends",
                    "too many media files are being loaded at once; retry shortly", 2);
        }
        try {
            return load.get();
        } finally {
            imageLoads.release();
        }
    }

    /**
     * Puts a file in the MediaStore before its message row exists, so a stored row always finds
     * its content. A failing disk is a 500 (nothing stored in the database).
     */
    StoredMedia store(byte[] bytes, long maxBytes) {
        try {
            return mediaStore.put(new java.io.ByteArrayInputStream(bytes), maxBytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not store the media file: " + e.getMessage(), e);
        }
    }

    /**
     * The one path every send endpoint takes: the caller's connection, then a repeat of a known
     * {@code client_message_id} is answered from the database (its fingerprint compared with
     * {@code probe}'s), then the connection must accept sends and {@code reply_to} must exist;
     * only then is {@code load} run (fetch, decode, store media) and the row inserted
     * {@code queued} before anything is sent.
     */
    Result submit(Caller caller, String connectionId, Recipient to, OutgoingContent probe, String clientMessageId,
                  String replyTo, java.util.function.Supplier<OutgoingContent> load) {
        ConnectionRow conn = connections.get(connectionId, caller);
        String clientId = clientMessageId != null ? clientMessageId : UUID.randomUUID().toString();
        String hash = fingerprint(to.jid(), probe.fingerprintSource(), replyTo);
        Optional<MessageRow> existing = messages.findByClientId(connectionId, clientId);
        if (existing.isPresent()) {
            return replay(existing.get(), hash, conn);
        }
        requireSendable(conn);
        restrictions.requireMayReach(conn, to);
        MessageRow quoted = null;
        if (replyTo != null) {
            quoted = messages.findInChat(connectionId, to.jid(), replyTo).orElseThrow(() -> new ApiException.InvalidInput(
                    "reply_to_not_found", "reply_to", "no message '" + replyTo + "' in this chat to reply to"));
        }
        OutgoingContent out = load.get();
        UUID id = UUID.randomUUID();
        boolean respondAsync = AsyncPreference.requested();
        // watch before the row exists: a drain started by another request may send it at once
        CompletableFuture<SendOutcome> outcome = respondAsync ? null : dispatcher.watch(connectionId, id);
        Optional<MessageRow> inserted = store(new QueuedInserts.NewQueued(id, connectionId, to.jid(), to.jid(), to.phone(),
                out.body(), out.type(), out.caption(), out.mimeType(), out.fileLength(), out.fileName(), out.mediaSha256(),
                out.detailsJson(), clientId, WhatsappIds.newMessageId(),
                quoted == null ? null : quoted.id(), quoted == null ? null : quoted.providerMessageId(),
                out.outgoingJson(), hash, Instant.now().plus(settings.sendQueueTtl())), id);
        if (inserted.isEmpty()) {
            dispatcher.unwatch(id);
            // a concurrent request with the same client_message_id won the unique index
            MessageRow winner = messages.findByClientId(connectionId, clientId)
                    .orElseThrow(() -> new ApiException.NotFound("connection_not_found", "connection was deleted"));
            return replay(winner, hash, conn);
        }
        MessageRow row = inserted.get();
        events.publish(new MessageEvents.Stored(connectionId, java.util.List.of(row), true));
        try {
            return awaitFirstAttempt(conn, row, outcome);
        } finally {
            dispatcher.unwatch(id);
        }
    }

    /**
     * Stores the message {@code queued} and returns only once that is committed: together with the
     * messages of concurrent requests (one statement, one commit: {@link GroupCommit}). When the
     * shared statement fails, this message is tried once more alone, so one request's bad row
     * never fails its neighbours; if that fails too, the error is this request's answer and
     * nothing was stored for it. Empty: the {@code client_message_id} is taken (see
     * {@link QueuedInserts}).
     */
    private Optional<MessageRow> store(QueuedInserts.NewQueued message, UUID watched) {
        try {
            return queuedInserts.submit(message);
        } catch (RuntimeException groupFailed) {
            try {
                return inserts.insertAll(java.util.List.of(message)).get(0);
            } catch (RuntimeException e) {
                dispatcher.unwatch(watched);
                throw e;
            }
        }
    }

    /**
     * Waits up to {@code SEND_WAIT} for WhatsApp when the message can go out now; otherwise (or
     * on timeout) answers 202 with why it is queued. Without an {@code outcome} to wait for (the
     * client sent {@code Prefer: respond-async}) the committed row is the answer: 202 at once.
     */
    private Result awaitFirstAttempt(ConnectionRow conn, MessageRow row, CompletableFuture<SendOutcome> outcome) {
        String id = conn.connectionId();
        if (outcome == null) {
            AsyncPreference.applied();
        }
        if (conn.status() != ConnectionStatus.READY) {
            return queued(row, conn.status().wire(), null);
        }
        long pacing = dispatcher.pacingWait(id);
        if (pacing > 0) {
            dispatcher.trigger(id);
            return queued(row, "pacing", Instant.now().plusMillis(pacing));
        }
        dispatcher.trigger(id);
        if (outcome == null) {
            return queued(row, "sending", null); // Prefer: respond-async: committed is the answer
        }
        try {
            SendOutcome o = outcome.get(settings.sendWait().toMillis(), TimeUnit.MILLISECONDS);
            return o.row() != null ? answer(o.row()) : queued(row, o.queuedReason(), null);
        } catch (TimeoutException | ExecutionException e) {
            // the database is the truth: report what it says now
            return answer(messages.findById(row.id()).orElse(row));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return queued(row, "sending", null);
        }
    }

    /** A repeat: same request → the stored message's current status; different request → 409. */
    private Result replay(MessageRow row, String hash, ConnectionRow conn) {
        if (row.requestHash() == null || !row.requestHash().equals(hash)) {
            throw new ApiException.Conflict("idempotency_conflict", "client_message_id '" + row.clientMessageId()
                    + "' was already used for a different message (recipient or content differ)");
        }
        if ("queued".equals(row.status())) {
            String reason = conn.status() != ConnectionStatus.READY ? conn.status().wire()
                    : row.attempts() > 0 ? "retrying" : "sending";
            return queued(row, reason, row.nextAttemptAt());
        }
        return answer(row);
    }

    private static Result answer(MessageRow row) {
        if ("queued".equals(row.status())) {
            return queued(row, "sending", null);
        }
        return new Result(200, new SendResponse(row.status(), row.clientMessageId(), row.id().toString(),
                row.providerMessageId(), null, null, row.error()));
    }

    static Result queued(MessageRow row, String reason, Instant sendAfter) {
        return new Result(202, new SendResponse("queued", row.clientMessageId(), row.id().toString(),
                row.providerMessageId(), reason, sendAfter, null));
    }

    /**
     * Connections that come back by themselves accept messages (they queue); those that need a
     * person to scan, reconnect or re-link refuse them, saying what to do.
     */
    private static void requireSendable(ConnectionRow c) {
        String id = c.connectionId();
        switch (c.status()) {
            case READY, RECONNECTING, INITIALIZING, AUTHENTICATED -> {
            }
            case QR_READY -> throw notSendable(id, "is waiting for its QR code to be scanned; scan it first");
            case DISCONNECTED -> throw notSendable(id, "is disconnected; connect it first (POST /api/connections/" + id + "/connect)");
            case LOGGED_OUT -> throw notSendable(id, "is logged out; link the phone again by scanning a new QR code");
            default -> throw notSendable(id, "is in error (" + c.reason() + "); it needs attention before it can send");
        }
    }

    private static ApiException notSendable(String id, String what) {
        return new ApiException.Conflict("connection_not_ready", "connection '" + id + "' " + what);
    }

    static void validateIds(String clientMessageId, String replyTo) {
        if (clientMessageId != null && !CLIENT_ID.matcher(clientMessageId).matches()) {
            throw new ApiException.InvalidInput("invalid_client_message_id", "client_message_id",
                    "client_message_id must be 1-128 printable ASCII characters without spaces");
        }
        if (replyTo != null && !CLIENT_ID.matcher(replyTo).matches()) {
            throw new ApiException.InvalidInput("invalid_reply_to", "reply_to",
                    "reply_to must be the client_message_id or provider_message_id of a message in this chat");
        }
    }

    /** SHA-256 of what makes two requests "the same message". */
    static String fingerprint(String jid, String content, String replyTo) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] h = d.digest((jid + "\0" + content + "\0" + (replyTo == null ? "" : replyTo))
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
