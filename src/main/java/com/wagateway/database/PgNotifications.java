package com.wagateway.database;

import com.wagateway.shared.Threads;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL {@code LISTEN/NOTIFY} between gateway nodes (issue 17): wake-ups (a lease was handed
 * back, a send waits for its owner) and realtime events. A notification is a hint, never the only
 * carrier of anything that must not be lost: every receiver also has a periodic safety net (lease
 * ticks, the send sweep), so a notification missed while the listening connection was being
 * re-opened only delays.
 *
 * <p>One pooled connection is held for listening, by one daemon thread that polls it every
 * 500 ms and re-opens it (after 1 s) when it breaks; handlers run on that thread and must be quick.
 * Nothing listens until the first {@link #subscribe}. Payloads are at most 7,000 bytes here
 * (PostgreSQL's limit is 8,000): callers store larger ones and send a reference.
 */
@Component
public class PgNotifications implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);
    /** Bytes of payload a notification may carry here. */
    public static final int MAX_PAYLOAD = 7000;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final Map<String, List<Consumer<String>>> handlers = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile Thread thread;

    public PgNotifications(DataSource dataSource, JdbcClient jdbc) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
    }

    /** Sends {@code payload} on {@code channel} to every listening node (this one included). */
    public void publish(String channel, String payload) {
        if (payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("notification payload over " + MAX_PAYLOAD + " bytes");
        }
        jdbc.sql("SELECT pg_notify(?, ?)").params(channel, payload).query(Object.class).optional();
    }

    /** Like {@link #publish}, but a failure (database unreachable) is only logged: callers have a safety net. */
    public void tryPublish(String channel, String payload) {
        try {
            publish(channel, payload);
        } catch (RuntimeException e) {
            log.debug("notification on {} not sent: {}", channel, e.toString());
        }
    }

    /** Calls {@code handler} with the payload of every notification on {@code channel} from now on. */
    public synchronized void subscribe(String channel, Consumer<String> handler) {
        if (!channel.matches("[a-z_]{1,60}")) {
            throw new IllegalArgumentException("bad channel name " + channel);
        }
        handlers.computeIfAbsent(channel, k -> new CopyOnWriteArrayList<>()).add(handler);
        if (thread == null && !closed) {
            thread = Threads.daemon(this::listen, "pg-listen");
            thread.start();
        }
    }

    /** The listening loop: (re)opens the connection, LISTENs every channel, dispatches, until closed. */
    private void listen() {
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                PGConnection pg = c.unwrap(PGConnection.class);
                java.util.Set<String> listening = new java.util.HashSet<>();
                while (!closed) {
                    for (String channel : handlers.keySet()) {
                        if (listening.add(channel)) {
                            try (Statement s = c.createStatement()) {
                                s.execute("LISTEN " + channel);
                            }
                        }
                    }
                    PGNotification[] batch = pg.getNotifications(500);
                    if (batch == null) {
                        continue;
                    }
                    for (PGNotification n : batch) {
                        for (Consumer<String> h : handlers.getOrDefault(n.getName(), List.of())) {
                            try {
                                h.accept(n.getParameter());
                            } catch (RuntimeException e) {
                                log.warn("handler of notification {} failed: {}", n.getName(), e.toString());
                            }
                        }
                    }
                }
            } catch (Exception e) {
                if (!closed) {
                    log.warn("listening for notifications failed (re-opening in 1 s): {}", e.toString());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
