package com.wagateway.whatsapp;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The connections one engine process of the node's pool runs: process {@code index} of
 * {@code processes}. Listeners hear {@link EngineListener#onEngineStarted} and
 * {@link EngineListener#onEngineStopped} with a share, so a process that crashed and restarted
 * touches its own connections only.
 *
 * <p>The spread is a pure function of the connection id and the process count, so the same
 * connection lands on the same process after every restart of the service (with the same
 * {@code ENGINE_PROCESSES}): {@link #indexOf}.
 */
public record EngineShare(int index, int processes) {

    public EngineShare {
        if (processes < 1 || index < 0 || index >= processes) {
            throw new IllegalArgumentException("process " + index + " of " + processes);
        }
    }

    /** The whole engine: a pool of one process (used where there is no pool, e.g. in tests). */
    public static final EngineShare ALL = new EngineShare(0, 1);

    /** True when {@code connectionId} runs on this share's process. */
    public boolean contains(String connectionId) {
        return indexOf(connectionId, processes) == index;
    }

    /**
     * The process a connection runs on: CRC-32 (IEEE, as {@code java.util.zip.CRC32}, zlib,
     * PostgreSQL-free and easy to recompute anywhere) of the id's UTF-8 bytes, read as an unsigned
     * 32-bit number, modulo {@code processes}. Stable across JVMs, restarts and releases; it changes
     * only when {@code ENGINE_PROCESSES} changes (then connections are spread anew at the next start).
     * Ids are short ASCII ({@code ConnectionIds}), for which CRC-32 spreads evenly enough.
     */
    public static int indexOf(String connectionId, int processes) {
        if (processes <= 1) {
            return 0;
        }
        CRC32 crc = new CRC32();
        crc.update(connectionId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % processes);
    }
}
