package com.wagateway.controllers.dto;

/** Bodies of the send endpoints. */
public final class SendRequests {

    private SendRequests() {
    }

    /**
     * {@code POST /api/send-message}: the seed's {@code {"connection_id","to","message","client_message_id"}},
     * plus optional {@code reply_to} (client or provider message id of a message in that chat).
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendTextRequest")
    public record Text(String connectionId, String to, String message, String clientMessageId, String replyTo) {
    }

    /** {@code POST /api/send-image}: one of {@code image_url} / {@code image_base64}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendImageRequest")
    public record Image(String connectionId, String to, String imageUrl, String imageBase64, String mimeType,
                        String caption, String clientMessageId, String replyTo) {
    }
}
