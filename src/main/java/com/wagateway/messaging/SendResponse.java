package com.wagateway.messaging;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The answer of the send endpoints: the seed's {@code {"status","client_message_id"}} first and
 * byte-for-byte, then {@code message_id} and {@code provider_message_id}; {@code queued_reason}
 * and {@code send_after} only while queued, {@code error} only when failed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SendResponse(@com.wagateway.wire.NeverNull String status, String clientMessageId, String messageId, String providerMessageId,
                           String queuedReason, Instant sendAfter, String error) {
}
