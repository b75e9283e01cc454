package com.wagateway.services;

import com.wagateway.database.ConnectionRow;

/**
 * Where a stored connection-status change is recorded for delivery to the outside world (the
 * {@code connection.status} webhook). Owned by {@code services} and implemented by
 * {@code webhooks} ({@code ConnectionStatusWebhooks}), so the dependency runs one way: webhooks
 * may use services (ownership checks), services never name a webhook class.
 *
 * <p>Contract: {@link #record} is called inside the transaction that writes the new status and
 * must join it, so the record exists exactly when the change was committed (nothing lost for a
 * committed change, nothing sent for a rolled-back one). Spring refuses to start without an
 * implementation, so the call cannot silently go nowhere.
 */
public interface ConnectionStatusOutbox {

    /** Records the status {@code row} now shows, in the caller's transaction. */
    void record(ConnectionRow row);
}
