package com.wagateway.messaging;

/**
 * What the user asked to send, ready to store: the row's body/type/media columns, the engine
 * {@code content} JSON kept in {@code messages.outgoing} until sent, and the parts of the request
 * that make up its idempotency fingerprint.
 */
record OutgoingContent(String type, String body, String caption, String mimeType, Long fileLength,
                       String outgoingJson, String fingerprintSource) {
}
