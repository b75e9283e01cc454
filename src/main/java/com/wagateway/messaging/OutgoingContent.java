package com.wagateway.messaging;

/**
 * What the user asked to send, ready to store: the row's body/type/media columns, the engine
 * {@code content} JSON kept in {@code messages.outgoing} until sent (media by SHA-256, never the
 * bytes), the structured part kept in {@code messages.details}, and the parts of the request that
 * make up its idempotency fingerprint.
 *
 * @param mediaSha256  content already put in the MediaStore, or null
 * @param detailsJson  structured content (location, contacts, poll, reaction target), or null
 */
record OutgoingContent(String type, String body, String caption, String mimeType, Long fileLength, String fileName,
                       String mediaSha256, String detailsJson, String outgoingJson, String fingerprintSource) {

    /** Content without a file or structured part (text; a probe that only carries the fingerprint). */
    OutgoingContent(String type, String body, String caption, String mimeType, Long fileLength, String outgoingJson,
                    String fingerprintSource) {
        this(type, body, caption, mimeType, fileLength, null, null, null, outgoingJson, fingerprintSource);
    }

    /** A probe: only the type and the fingerprint (what a repeat is compared with before anything is loaded). */
    static OutgoingContent probe(String type, String fingerprintSource) {
        return new OutgoingContent(type, null, null, null, null, null, fingerprintSource);
    }
}
