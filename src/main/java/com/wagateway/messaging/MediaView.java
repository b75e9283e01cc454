package com.wagateway.messaging;

import com.wagateway.database.MessageMedia;
import com.wagateway.wire.NeverNull;
import java.util.UUID;

/**
 * The media of a message as the dashboard sees them (realtime {@code message.media}): state, what
 * the file is, and the media endpoint that serves it (with the caller's own login) once stored.
 */
@io.swagger.v3.oas.annotations.media.Schema(name = "MessageMediaEvent")
public record MediaView(@NeverNull String connectionId, @NeverNull UUID messageId, @NeverNull String chatJid,
                        @NeverNull String state, String error, String mimeType, String fileName, Long size, String sha256,
                        Integer duration, Integer width, Integer height, String path) {

    public static MediaView of(MessageMedia m) {
        String path = "stored".equals(m.state())
                ? "/api/connections/" + m.connectionId() + "/messages/" + m.messageId() + "/media" : null;
        return new MediaView(m.connectionId(), m.messageId(), m.chatJid(), m.state(), m.error(), m.mimeType(), m.fileName(),
                m.size(), m.sha256(), m.duration(), m.width(), m.height(), path);
    }
}
