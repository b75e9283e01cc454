package com.wagateway.messaging;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.DatabaseUnavailable;
import com.wagateway.database.MediaRepository;
import com.wagateway.media.MediaStore;
import com.wagateway.shared.Threads;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code MEDIA_RETENTION} &gt; 0: media of messages older than that are marked {@code expired} and
 * their files are deleted once no message still holds the same content (one file may serve several
 * messages). Runs every retention/4 (at least every second, at most hourly); the message rows stay.
 *
 * <p>Guarantees: a file is deleted only when no row with {@code media_state = 'stored'} names its
 * hash, checked under the same lock the download path takes, so a download recording the same content
 * meanwhile keeps it. A failed pass (database down) is simply tried again next time.
 */
@Component
public class MediaRetention {

    private static final Logger log = LoggerFactory.getLogger(MediaRetention.class);
    private static final int BATCH = 500;

    private final MediaRepository media;
    private final MediaStore store;
    private final Duration retention;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.named("media-retention"));

    public MediaRetention(MediaRepository media, MediaStore store, GatewayProperties props) {
        this.media = media;
        this.store = store;
        this.retention = props.media().retention();
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (retention.isZero() || retention.isNegative()) {
            return;
        }
        long every = Math.max(1000, Math.min(retention.toMillis() / 4, Duration.ofHours(1).toMillis()));
        timer.scheduleWithFixedDelay(this::runSafely, every, every, TimeUnit.MILLISECONDS);
        log.info("media retention: files older than {} are removed (checked every {} ms)", retention, every);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    private void runSafely() {
        try {
            expireNow(Instant.now().minus(retention));
        } catch (RuntimeException e) {
            log.warn("media retention pass failed ({}); next pass retries", DatabaseUnavailable.isCause(e) ? "database unreachable" : e.toString());
        }
    }

    /** One pass: expires media of messages created before {@code before}; returns how many files were deleted. */
    public int expireNow(Instant before) {
        int deleted = 0;
        List<String> hashes;
        do {
            hashes = media.expireBefore(before, BATCH);
            Set<String> distinct = new LinkedHashSet<>(hashes);
            synchronized (MediaFiles.LOCK) {
                for (String sha : distinct) {
                    if (sha != null && !media.isReferenced(sha) && delete(sha)) {
                        deleted++;
                    }
                }
            }
        } while (hashes.size() == BATCH);
        return deleted;
    }

    private boolean delete(String sha) {
        try {
            return store.delete(sha);
        } catch (IOException e) {
            log.warn("expired media {} not removed: {}", sha, e.toString());
            return false;
        }
    }
}
