package com.wagateway.messaging;

/**
 * Where a message goes, already validated and normalized by {@link Recipients#parse}.
 *
 * @param jid   the WhatsApp JID to send to: {@code <digits>@s.whatsapp.net}, {@code <digits>@lid}
 *              or a group {@code ...@g.us}
 * @param phone the international phone digits (no {@code +}) when the recipient is addressed by
 *              phone number; null for LIDs and groups, whose phone number is not known
 * @param group true for a group chat ({@code @g.us})
 */
public record Recipient(String jid, String phone, boolean group) {
}
