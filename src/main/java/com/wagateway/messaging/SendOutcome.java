package com.wagateway.messaging;

import com.wagateway.database.MessageRow;

/**
 * What became of a send attempt, for the API call waiting on it: the stored row after the
 * attempt, or "still queued" with the reason ({@code reconnecting}, {@code pacing},
 * {@code retrying}, {@code chat_busy}, or the connection status).
 */
record SendOutcome(MessageRow row, String queuedReason) {

    static SendOutcome done(MessageRow row) {
        return new SendOutcome(row, null);
    }

    static SendOutcome queued(String reason) {
        return new SendOutcome(null, reason);
    }
}
