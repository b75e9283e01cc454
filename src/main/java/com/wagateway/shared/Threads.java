package com.wagateway.shared;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way the gateway makes its background threads: named (so a thread dump or a log line
 * says whose work it is) and daemon (so a forgotten executor never keeps the JVM alive; every
 * owner still shuts its executor down on close).
 */
public final class Threads {

    private Threads() {
    }

    /** Threads all called {@code name} (for single-thread executors). */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    /** Threads called {@code prefix-1}, {@code prefix-2}, ... (for pools). */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + "-" + n.incrementAndGet());
    }

    /** A daemon thread running {@code r}, not started. */
    public static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
