package com.wagateway.messaging;

/** A validated send target: the JID to send to, its phone digits (null for groups and LIDs). */
public record Recipient(String jid, String phone, boolean group) {
}
