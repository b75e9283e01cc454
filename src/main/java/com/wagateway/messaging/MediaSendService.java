package com.wagateway.messaging;

import com.wagateway.domain.Caller;
import com.wagateway.media.MediaKind;
import com.wagateway.media.MediaLoader;
import com.wagateway.media.StoredMedia;
import com.wagateway.services.ApiException;
import com.wagateway.services.ConnectionIds;
import com.wagateway.whatsapp.EngineCommands;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * {@code POST /api/send-media}: image, video, audio, voice note, document or sticker, with exactly
 * the rules of {@code send-message} ({@link SendService#submit}: stored first, idempotent on
 * {@code client_message_id}, queued across reconnects, paced).
 *
 * <p>Guarantees: every field is checked before anything is fetched; a repeat of a known
 * {@code client_message_id} is answered from the database without loading the file again (its
 * fingerprint is built from the request fields: the URL, or the SHA-256 of the base64 text); the
 * file is sniffed and checked against {@code type} and its size limit
 * ({@link MediaLoader}), then put in the MediaStore before the row is inserted, and the row's
 * {@code outgoing} refers to it by SHA-256 only.
 */
@Service
public class MediaSendService {

    /** Types that carry a caption on WhatsApp (audio, voice notes and stickers have none). */
    private static final List<MediaKind> CAPTIONED = List.of(MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.DOCUMENT);

    private final SendService sends;
    private final MediaLoader loader;

    public MediaSendService(SendService sends, MediaLoader loader) {
        this.sends = sends;
        this.loader = loader;
    }

    /** The request of {@code POST /api/send-media}, field by field as in the API. */
    public record MediaRequest(String connectionId, String to, String type, String mediaUrl, String mediaBase64,
                               String mimeType, String fileName, String caption, String clientMessageId, String replyTo,
                               List<String> mentions) {
    }

    /** Validates, then stores and queues the media message (see the class comment). */
    public SendService.Result send(Caller caller, MediaRequest r) {
        ConnectionIds.require(r.connectionId());
        Recipient recipient = Recipients.parse(r.to());
        MediaKind kind = MediaKind.of(r.type());
        if (kind == null) {
            throw new ApiException.InvalidInput("invalid_media_type", "type",
                    "type must be image, video, audio, voice, document or sticker");
        }
        String caption = r.caption();
        if (caption != null && !caption.isEmpty() && !CAPTIONED.contains(kind)) {
            throw new ApiException.InvalidInput("caption_not_supported", "caption",
                    "WhatsApp shows no caption on " + kind.wire() + " messages; leave caption out");
        }
        if (caption != null && caption.getBytes(StandardCharsets.UTF_8).length > SendService.MAX_TEXT_BYTES) {
            throw new ApiException.InvalidInput("caption_too_long", "caption", "caption is longer than 64 KB");
        }
        SendService.validateIds(r.clientMessageId(), r.replyTo());
        List<String> mentioned = Mentions.parse(r.mentions());
        if (!mentioned.isEmpty() && !CAPTIONED.contains(kind)) {
            throw new ApiException.InvalidInput("invalid_mentions", "mentions", "mentions need a caption (image, video or document)");
        }
        loader.validateFields(r.mimeType(), r.fileName());
        boolean byUrl = r.mediaUrl() != null && !r.mediaUrl().isBlank();
        String source = byUrl ? "url:" + r.mediaUrl()
                : "b64:" + (r.mediaBase64() == null ? "" : SendService.fingerprint("", r.mediaBase64(), null));
        String fp = String.join("\0", "media", kind.wire(), source, String.valueOf(r.mimeType()),
                String.valueOf(r.fileName()), String.valueOf(caption), String.join(",", mentioned));
        String rowType = kind == MediaKind.VOICE ? "ptt" : kind.wire();
        OutgoingContent probe = OutgoingContent.probe(rowType, fp);
        return sends.submit(caller, r.connectionId(), recipient, probe, r.clientMessageId(), r.replyTo(),
                () -> sends.withLoadSlot(() -> {
                    MediaLoader.LoadedMedia media = loader.load(kind, r.mediaUrl(), r.mediaBase64(), r.mimeType(), r.fileName());
                    StoredMedia stored = sends.store(media.bytes(), loader.limitOf(kind));
                    String shownCaption = CAPTIONED.contains(kind) && caption != null && !caption.isBlank() ? caption : null;
                    return new OutgoingContent(rowType, body(kind, shownCaption, media.fileName()), shownCaption,
                            media.mimeType(), stored.size(), media.fileName(), stored.sha256(), null,
                            EngineCommands.mediaContent(kind.wire(), stored.sha256(), media.mimeType(), shownCaption,
                                    kind == MediaKind.DOCUMENT ? media.fileName() : null, mentioned), fp);
                }));
    }

    /** The row's body: the caption, else the placeholder inbound messages of that type get. */
    private static String body(MediaKind kind, String caption, String fileName) {
        if (caption != null) {
            return caption;
        }
        return switch (kind) {
            case VOICE -> "[voice message]";
            case DOCUMENT -> "[document " + fileName + "]";
            default -> "[" + kind.wire() + "]";
        };
    }
}
