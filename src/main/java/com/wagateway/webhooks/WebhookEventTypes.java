package com.wagateway.webhooks;

import java.util.List;

/** The event names a webhook can receive and filter on. */
public final class WebhookEventTypes {

    public static final String MESSAGE_RECEIVED = "message.received";
    public static final String MESSAGE_STATUS = "message.status";
    public static final String MESSAGE_SENT = "message.sent";
    public static final String CONNECTION_STATUS = "connection.status";
    /** A contact voted on one of our polls (the chosen option names). */
    public static final String MESSAGE_POLL_VOTE = "message.poll_vote";
    /** The file of a media message was stored (or could not be) after its {@code message.received} / {@code message.sent}. */
    public static final String MESSAGE_MEDIA = "message.media";
    /** A contact called (voice or video); {@code rejected} when the connection's reject_calls is on. */
    public static final String CALL = "call";
    /** Members of a group were added, removed, promoted or demoted (issue 16, part 3). */
    public static final String GROUP_PARTICIPANTS = "group.participants";
    /** A group's subject or description changed, or a group appeared. */
    public static final String GROUP_UPDATED = "group.updated";
    /** WhatsApp restricted the account (reach-out time lock, message capping), or lifted a restriction. */
    public static final String CONNECTION_RESTRICTED = "connection.restricted";
    /** Sent only by the test endpoint; never queued by the gateway itself, not filterable. */
    public static final String TEST = "webhook.test";

    /** Names allowed in a webhook's {@code events} filter. */
    public static final List<String> ALL = List.of(MESSAGE_RECEIVED, MESSAGE_STATUS, MESSAGE_SENT, CONNECTION_STATUS,
            MESSAGE_POLL_VOTE, MESSAGE_MEDIA, CALL,
            GROUP_PARTICIPANTS, GROUP_UPDATED, CONNECTION_RESTRICTED);

    private WebhookEventTypes() {
    }
}
