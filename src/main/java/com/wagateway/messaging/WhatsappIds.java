package com.wagateway.messaging;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/** WhatsApp message ids chosen by the gateway before a send. */
final class WhatsappIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private WhatsappIds() {
    }

    /**
     * A Baileys-style id ({@code 3EB0} + 18 uppercase hex digits, what Baileys' generateMessageIDV2
     * makes). Chosen once when the message is accepted and stored, so every retry — even after a
     * crash — sends the same WhatsApp id instead of a second message.
     */
    static String newMessageId() {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        return "3EB0" + HexFormat.of().formatHex(b).toUpperCase(Locale.ROOT);
    }
}
