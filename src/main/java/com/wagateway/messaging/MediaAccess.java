package com.wagateway.messaging;

import com.wagateway.database.MediaRepository;
import com.wagateway.database.MessageMedia;
import com.wagateway.domain.Caller;
import com.wagateway.media.MediaStore;
import com.wagateway.media.MediaUrls;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionService;
import java.util.UUID;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Service;

/**
 * Who may read a message's media file, and in which state it can be read: with a login or API key
 * through the connection (same tenant rules as every endpoint: someone else's connection or message
 * is 404), or with a signed URL alone (expired or forged: 403).
 *
 * <p>Answers when there is no file to serve (decided in docs/decisions.md): 404 {@code message_not_found};
 * 404 {@code no_media} for a message without media; 409 {@code media_pending} (still downloading),
 * {@code media_failed}, {@code media_too_large}, {@code media_expired} (removed by retention), and
 * {@code media_not_downloaded} (history messages: their media are not fetched).
 */
@Service
public class MediaAccess {

    /** A readable file and what it is. */
    public record Download(MessageMedia media, Resource content) {
    }

    private final ConnectionService connections;
    private final MediaRepository media;
    private final MediaStore store;
    private final MediaUrls urls;

    public MediaAccess(ConnectionService connections, MediaRepository media, MediaStore store, MediaUrls urls) {
        this.connections = connections;
        this.media = media;
        this.store = store;
        this.urls = urls;
    }

    /** The media of a message of a connection the caller may see. */
    public Download forCaller(Caller caller, String connectionId, String messageId) {
        connections.get(connectionId, caller);
        UUID id = uuid(messageId);
        MessageMedia m = media.find(connectionId, id).orElseThrow(MediaAccess::notFound);
        return readable(m);
    }

    /** The media a signed URL names; the signature is checked before anything is looked up. */
    public Download signed(String messageId, String expires, String signature) {
        switch (urls.check(messageId, expires, signature)) {
            case FORGED -> throw new LinkRefused("invalid_signature", "the media URL's signature is not valid");
            case EXPIRED -> throw new LinkRefused("link_expired", "the media URL has expired; a new one comes with each webhook");
            case VALID -> { }
        }
        return readable(media.find(uuid(messageId)).orElseThrow(MediaAccess::notFound));
    }

    private Download readable(MessageMedia m) {
        String state = m.state();
        if (state == null) {
            if (m.fromHistory() && MediaPayloads.DOWNLOADED_TYPES.contains(m.type())) {
                throw new ApiException.Conflict("media_not_downloaded", "media of messages from the history sync are not downloaded");
            }
            throw new ApiException.NotFound("no_media", "this message has no media file");
        }
        return switch (state) {
            case "stored" -> new Download(m, store.open(m.sha256()).orElseThrow(() ->
                    new ApiException.Conflict("media_expired", "the media file is no longer stored")));
            case "pending" -> throw new ApiException.Conflict("media_pending", "the media file is still being downloaded");
            case "too_large" -> throw new ApiException.Conflict("media_too_large", "the media file was larger than MEDIA_MAX_BYTES and was not stored");
            case "expired" -> throw new ApiException.Conflict("media_expired", "the media file was removed after MEDIA_RETENTION");
            default -> throw new ApiException.Conflict("media_failed", "the media file could not be downloaded"
                    + (m.error() == null ? "" : ": " + m.error()));
        };
    }

    private static UUID uuid(String messageId) {
        try {
            return UUID.fromString(messageId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw notFound();
        }
    }

    private static ApiException notFound() {
        return new ApiException.NotFound("message_not_found", "no such message");
    }

    /** A signed media URL that is forged or expired: 403. */
    public static final class LinkRefused extends ApiException {
        LinkRefused(String code, String message) {
            super(403, code, message, null);
        }
    }
}
