package com.wagateway.controllers.dto;

/** Bodies of the send endpoints. */
public final class SendRequests {

    private SendRequests() {
    }

    /**
     * {@code POST /api/send-message}: the seed's {@code {"connection_id","to","message","client_message_id"}},
     * plus optional {@code reply_to} (client or provider message id of a message in that chat) and
     * {@code mentions} (phone numbers to @-mention; WhatsApp highlights them in groups).
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendTextRequest")
    public record Text(String connectionId, String to, String message, String clientMessageId, String replyTo,
                       java.util.List<String> mentions) {
    }

    /** {@code POST /api/send-image}: one of {@code image_url} / {@code image_base64}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendImageRequest")
    public record Image(String connectionId, String to, String imageUrl, String imageBase64, String mimeType,
                        String caption, String clientMessageId, String replyTo) {
    }

    /**
     * {@code POST /api/send-media}: {@code type} is image, video, audio, voice, document or
     * sticker; one of {@code media_url} / {@code media_base64}.
     */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendMediaRequest")
    public record Media(String connectionId, String to, String type, String mediaUrl, String mediaBase64, String mimeType,
                        String fileName, String caption, String clientMessageId, String replyTo,
                        java.util.List<String> mentions) {
    }

    /** {@code POST /api/send-location}. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendLocationRequest")
    public record Location(String connectionId, String to, Double latitude, Double longitude, String name, String address,
                           String clientMessageId) {
    }

    /** One card of {@code POST /api/send-contact}: a name and its phone numbers. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "ContactCard")
    public record Contact(String name, java.util.List<String> phones) {
    }

    /** {@code POST /api/send-contact}: 1-50 contact cards (sent as vCards). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendContactRequest")
    public record Contacts(String connectionId, String to, java.util.List<Contact> contacts, String clientMessageId) {
    }

    /** {@code POST /api/send-reaction}: the target by {@code message_id} or {@code provider_message_id}; "" removes. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendReactionRequest")
    public record Reaction(String connectionId, String messageId, String providerMessageId, String emoji,
                           String clientMessageId) {
    }

    /** {@code POST /api/send-poll}: 2-12 options; {@code selectable_count} default 1 (0 = any number). */
    @io.swagger.v3.oas.annotations.media.Schema(name = "SendPollRequest")
    public record Poll(String connectionId, String to, String name, java.util.List<String> options, Integer selectableCount,
                       String clientMessageId) {
    }

    /** {@code PATCH /api/connections/{id}/messages/{message}}: the new text. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "EditMessageRequest")
    public record Edit(String message) {
    }
}
