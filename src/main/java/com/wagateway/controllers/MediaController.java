package com.wagateway.controllers;

import com.wagateway.database.MessageMedia;
import com.wagateway.domain.Caller;
import com.wagateway.messaging.MediaAccess;
import io.swagger.v3.oas.annotations.Hidden;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Media files of messages: with a login or API key through the connection, or with a signed URL
 * from a webhook (no key). Both stream the stored file with its {@code Content-Type},
 * {@code Content-Disposition} (the document's file name), a strong {@code ETag} (its SHA-256, so
 * {@code If-None-Match} answers 304) and {@code Range} support (206, Spring's resource regions).
 *
 * <p>The file is a customer's content served from the gateway's own origin, so it can never act as
 * a page: {@code Content-Security-Policy: sandbox}, {@code nosniff} (Spring Security), and anything
 * that is not a plain image, audio or video (SVG and HTML included) is sent as an attachment.
 * Not in the OpenAPI document, which promises JSON answers only (errors here are JSON as everywhere).
 */
@RestController
@Hidden
public class MediaController {

    /** Types a browser shows inline without running anything. */
    private static final Set<String> INLINE = Set.of("image", "audio", "video");

    private final MediaAccess access;

    public MediaController(MediaAccess access) {
        this.access = access;
    }

    @GetMapping("/api/connections/{connection_id}/messages/{message_id}/media")
    ResponseEntity<Resource> media(@AuthenticationPrincipal Caller caller, @PathVariable("connection_id") String id,
                                   @PathVariable("message_id") String messageId) {
        return file(access.forCaller(caller, id, messageId), CacheControl.noCache().cachePrivate());
    }

    /** A signed URL from a webhook ({@code MediaUrls}); the only media path without an API key. */
    @GetMapping("/api/media/{message_id}")
    ResponseEntity<Resource> signed(@PathVariable("message_id") String messageId,
                                    @RequestParam(name = "expires", required = false) String expires,
                                    @RequestParam(name = "signature", required = false) String signature) {
        return file(access.signed(messageId, expires, signature), CacheControl.noCache().cachePrivate());
    }

    private static ResponseEntity<Resource> file(MediaAccess.Download d, CacheControl cache) {
        MessageMedia m = d.media();
        MediaType type = contentType(m.mimeType());
        boolean inline = INLINE.contains(type.getType()) && !type.getSubtype().contains("svg");
        String name = m.fileName() != null ? m.fileName() : m.messageId() + extension(type);
        ContentDisposition disposition = (inline ? ContentDisposition.inline() : ContentDisposition.attachment())
                .filename(name, StandardCharsets.UTF_8).build();
        return ResponseEntity.ok()
                .contentType(type)
                .eTag("\"" + m.sha256() + "\"")
                .cacheControl(cache)
                .header(HttpHeaders.CONTENT_DISPOSITION, disposition.toString())
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .header("Content-Security-Policy", "sandbox; default-src 'none'")
                .body(d.content());
    }

    /** The stored MIME type, or {@code application/octet-stream} when it is missing or not a valid type. */
    private static MediaType contentType(String mime) {
        if (mime == null || mime.isBlank()) {
            return MediaType.APPLICATION_OCTET_STREAM;
        }
        try {
            MediaType t = MediaType.parseMediaType(mime);
            return t.isConcrete() ? t : MediaType.APPLICATION_OCTET_STREAM;
        } catch (InvalidMediaTypeException e) {
            return MediaType.APPLICATION_OCTET_STREAM;
        }
    }

    /** A file extension for a download without a WhatsApp file name (".bin" when unknown). */
    private static String extension(MediaType t) {
        String sub = t.getSubtype().toLowerCase(java.util.Locale.ROOT);
        return switch (sub) {
            case "jpeg" -> ".jpg";
            case "png", "webp", "gif", "mp4", "pdf", "ogg", "mpeg", "webm" -> "." + sub;
            default -> ".bin";
        };
    }
}
