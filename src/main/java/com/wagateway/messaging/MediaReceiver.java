package com.wagateway.messaging;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.database.MediaRepository;
import com.wagateway.database.MessageMedia;
import com.wagateway.media.MediaStore;
import com.wagateway.media.MediaTooLargeException;
import com.wagateway.media.MediaUrls;
import com.wagateway.media.StoredMedia;
import com.wagateway.webhooks.WebhookEvent;
import com.wagateway.webhooks.WebhookOutbox;
import com.wagateway.whatsapp.EngineClient;
import com.wagateway.whatsapp.EngineCommands;
import com.wagateway.whatsapp.EngineEvent;
import com.wagateway.whatsapp.EngineListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Takes the engine's media downloads ({@code media.downloaded} / {@code media.failed}): adopts the
 * file into the {@link MediaStore} (which hashes it itself: the engine's hash is never trusted),
 * records the outcome on the message, and queues the {@code message.media} webhook in the same
 * transaction; the realtime event follows the commit.
 *
 * <p>Guarantees: nothing lost, nothing doubled — the row update and its webhook commit together, a
 * repeated event finds the media already settled and changes nothing; a file no message takes is
 * removed (unless another message holds the same content); while the database is unreachable the
 * failure goes up to the engine's dispatcher, which repeats the event (the adopted file is then found
 * in the store by its hash). Runs on the dispatcher thread, after the message event it follows.
 *
 * <p>A download that never ended (the engine or the gateway restarted meanwhile) is asked for again
 * when its connection is {@code ready}: the engine fetches the stored message's media once more
 * ({@code media.fetch}); a second outcome for a settled message changes nothing.
 */
@Service
public class MediaReceiver implements EngineListener {

    private static final Logger log = LoggerFactory.getLogger(MediaReceiver.class);
    /** Longest {@code media_error} kept (engine messages can be long stack-ish texts). */
    private static final int MAX_ERROR = 500;
    /** Pending downloads asked for again per {@code ready} (the engine's {@code media.fetch} limit). */
    private static final int REFETCH_LIMIT = 500;

    private final MediaStore store;
    private final MediaRepository media;
    private final MediaUrls urls;
    private final WebhookOutbox outbox;
    private final TransactionTemplate tx;
    private final Publisher events;
    private final GatewayProperties props;
    private final EngineClient engine;
    private final Path incoming;

    public MediaReceiver(MediaStore store, MediaRepository media, MediaUrls urls, WebhookOutbox outbox, TransactionTemplate tx,
                         Publisher events, GatewayProperties props, EngineClient engine) {
        this.engine = engine;
        this.store = store;
        this.media = media;
        this.urls = urls;
        this.outbox = outbox;
        this.tx = tx;
        this.events = events;
        this.props = props;
        this.incoming = props.incomingMediaPath().toAbsolutePath().normalize();
    }

    @Override
    public void onEvent(EngineEvent event) {
        if (event instanceof EngineEvent.Ready ready) {
            refetchPending(ready.connectionId());
            return;
        }
        if (!(event instanceof EngineEvent.MediaResult r) || r.providerMessageId() == null) {
            return;
        }
        try {
            synchronized (MediaFiles.LOCK) {
                Optional<MessageMedia> settled = r.downloaded() ? stored(r) : failed(r, state(r.reason()), error(r));
                settled.ifPresent(m -> events.publish(new MediaChanged(m.connectionId(), m)));
            }
        } catch (RuntimeException e) {
            if (DatabaseUnavailable.isCause(e)) {
                throw e;
            }
            log.warn("[{}] could not record the media of {}: {}", r.connectionId(), r.providerMessageId(), e.toString());
        }
    }

    /**
     * A new engine process is up: every event of the previous one was handled before this call (the
     * dispatcher keeps lifecycle calls in place), so a file it left in the incoming folder belongs to
     * no event any more (a download cut off by its death, or a JVM that stopped before adopting it).
     * Such files are removed; files of the new engine are newer than the grace period and stay. Their
     * messages stay {@code pending} and are fetched again when their connection is ready. With
     * several engine processes each downloads into its own folder, and only the restarted process'
     * folder is cleaned: another process' file waiting for its event is never touched.
     */
    @Override
    public void onEngineStarted(com.wagateway.whatsapp.EngineShare share, boolean restart) {
        java.time.Instant before = java.time.Instant.now().minusSeconds(5);
        Path folder = props.incomingMediaPath(share.index(), share.processes()).toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            files.filter(Files::isRegularFile).filter(f -> modifiedBefore(f, before)).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                    log.info("removed an unclaimed media download {}", f.getFileName());
                } catch (IOException e) {
                    log.warn("unclaimed media download {} not removed: {}", f.getFileName(), e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("incoming media folder not cleaned: {}", e.toString());
        }
    }

    private static boolean modifiedBefore(Path f, java.time.Instant t) {
        try {
            return Files.getLastModifiedTime(f).toInstant().isBefore(t);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The connection is open again: its live messages still {@code pending} get their media fetched
     * once more (asynchronously; the dispatcher thread only reads the rows). A failure is only logged:
     * the next {@code ready} asks again.
     */
    private void refetchPending(String connectionId) {
        List<MediaRepository.PendingMedia> pending;
        try {
            pending = media.pending(connectionId, REFETCH_LIMIT);
        } catch (RuntimeException e) {
            log.warn("[{}] pending media not looked up: {}", connectionId, e.toString());
            return;
        }
        if (pending.isEmpty()) {
            return;
        }
        List<EngineCommands.MediaFetch> fetch = pending.stream().map(p -> new EngineCommands.MediaFetch(p.providerMessageId(),
                p.chatJid(), p.fromMe(), p.participant(), p.contentJson())).toList();
        engine.mediaFetch(connectionId, fetch).whenComplete((queued, err) -> {
            if (err != null) {
                log.info("[{}] {} pending media not asked for again: {}", connectionId, fetch.size(), err.toString());
            } else {
                log.info("[{}] {} pending media asked for again ({} queued)", connectionId, fetch.size(), queued);
            }
        });
    }

    /** The file is adopted, then recorded; a file that no unsettled message takes is removed again. */
    private Optional<MessageMedia> stored(EngineEvent.MediaResult r) {
        StoredMedia file;
        try {
            file = adopt(r);
        } catch (MediaTooLargeException e) {
            return failed(r, "too_large", "the file is larger than MEDIA_MAX_BYTES (" + props.media().maxBytes() + " bytes)");
        } catch (IOException | IllegalArgumentException e) {
            log.warn("[{}] media file of {} not adopted: {}", r.connectionId(), r.providerMessageId(), e.toString());
            return failed(r, "failed", "not stored: " + e.getMessage());
        }
        Optional<MessageMedia> row = tx.execute(s -> {
            Optional<MessageMedia> m = media.recordStored(r.connectionId(), r.providerMessageId(), r.fromMe(), file.sha256(),
                    file.size(), r.seconds(), r.width(), r.height());
            m.ifPresent(x -> outbox.enqueue(List.of(webhook(x))));
            return m;
        });
        if (row.isEmpty() && !media.isReferenced(file.sha256())) {
            // no live message waits for it (already settled, deleted, or never stored): do not keep it
            deleteQuietly(file.sha256());
        }
        return row;
    }

    /**
     * Moves the engine's file into the store. The path must be a file directly in the incoming folder
     * or in one engine process' subfolder of it ({@code engine-<n>}, with several processes);
     * nothing else on disk is ever taken. When it is gone because an earlier attempt of this same
     * event adopted it (the database was down), the stored content of the engine's hash is used.
     */
    private StoredMedia adopt(EngineEvent.MediaResult r) throws IOException {
        Path p = Path.of(r.path()).toAbsolutePath().normalize();
        Path folder = p.getParent();
        boolean engineFolder = folder != null && incoming.equals(folder.getParent())
                && folder.getFileName().toString().matches("engine-[0-9]+");
        if (!incoming.equals(folder) && !engineFolder) {
            throw new IllegalArgumentException("not in the incoming media folder");
        }
        try {
            return store.adopt(p, props.media().maxBytes());
        } catch (NoSuchFileException e) {
            if (r.sha256() != null && r.size() != null && store.localPath(r.sha256()).isPresent()) {
                return new StoredMedia(r.sha256(), r.size());
            }
            throw e;
        }
    }

    private Optional<MessageMedia> failed(EngineEvent.MediaResult r, String state, String error) {
        return tx.execute(s -> {
            Optional<MessageMedia> m = media.recordFailed(r.connectionId(), r.providerMessageId(), r.fromMe(), state,
                    error == null ? null : error.substring(0, Math.min(error.length(), MAX_ERROR)), r.seconds(), r.width(), r.height());
            m.ifPresent(x -> outbox.enqueue(List.of(webhook(x))));
            return m;
        });
    }

    /** The {@code message.media} webhook: a signed URL once stored, the content inlined when small enough. */
    private WebhookEvent webhook(MessageMedia m) {
        if (!"stored".equals(m.state())) {
            return MediaPayloads.mediaEvent(m, null, null);
        }
        String base64 = null;
        long inline = props.media().webhookInlineMaxBytes();
        if (inline > 0 && m.size() != null && m.size() <= inline) {
            Optional<Path> p = store.localPath(m.sha256());
            try {
                base64 = p.isPresent() ? Base64.getEncoder().encodeToString(Files.readAllBytes(p.get())) : null;
            } catch (IOException e) {
                log.warn("[{}] media of {} not inlined: {}", m.connectionId(), m.messageId(), e.toString());
            }
        }
        return MediaPayloads.mediaEvent(m, urls.urlFor(m.messageId()), base64);
    }

    private static String state(String reason) {
        return "too_large".equals(reason) ? "too_large" : "failed";
    }

    private static String error(EngineEvent.MediaResult r) {
        return r.message() == null ? r.reason() : r.reason() + ": " + r.message();
    }

    private void deleteQuietly(String sha256) {
        try {
            store.delete(sha256);
        } catch (IOException e) {
            log.warn("unreferenced media {} not removed: {}", sha256, e.toString());
        }
    }
}
