package com.wagateway.whatsapp;

import java.util.List;

/**
 * Where the {@code confirm} tokens of stored messages go back to: the engine process that reported
 * them (hello {@code holdReceipts}; docs/engine-protocol.md "Receipts wait for the commit").
 */
interface InboundConfirmations {

    /** These messages are committed: their receipts may leave. Must not block. */
    void confirm(List<String> tokens);
}
