package com.wagateway.services;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.LeaseRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Whether this node may join the live nodes it finds (issue 17: "a node refuses to join a
 * cluster with {@code files} unless {@code SESSIONS_DIR} is shared").
 *
 * <p>Each node with {@code AUTH_STORE=files} writes a marker file with a random token into
 * {@code SESSIONS_DIR/.gateway-nodes/} at start and records the token in its heartbeat row. A
 * node joining reads the marker of every other live node in its own {@code SESSIONS_DIR}: a
 * missing marker or another token means the folders are not the same, so the sessions one node
 * writes are not seen by the node that takes the connection over, and it refuses to start. A
 * node whose auth store differs from a live node's refuses too (sessions in PostgreSQL are
 * invisible to a {@code files} node and the other way round). The token is random per start, so
 * an old marker left in a folder never passes for a live node's. Nodes of older versions (no
 * store recorded) are not judged.
 */
@Component
public class SharedSessions {

    private static final Logger log = LoggerFactory.getLogger(SharedSessions.class);
    static final String MARKERS = ".gateway-nodes";

    private final LeaseRepository repo;
    private final boolean files;
    private final Path root;
    private final String nodeId;
    private final Duration ttl;
    private final String token;

    public SharedSessions(LeaseRepository repo, GatewayProperties props, NodeIdentity node) {
        this.repo = repo;
        this.files = !props.auth().isPostgres();
        this.root = props.sessionsPath();
        this.nodeId = node.id();
        this.ttl = props.cluster().leaseTtl();
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
    }

    /** {@code files} or {@code postgres}: recorded in the heartbeat row. */
    public String authStore() {
        return files ? "files" : "postgres";
    }

    /** The token of this node's marker ({@code files} only), recorded in the heartbeat row; null otherwise. */
    public String token() {
        return files ? token : null;
    }

    /**
     * Writes this node's marker, then refuses (an {@link IllegalStateException} with the reason,
     * which stops the application) when a live node's sessions are not reachable from here. A
     * database that cannot be asked now is logged and does not block the start (a lone node
     * must start through an outage; the heartbeat comes once it is back).
     */
    public void joinOrRefuse() {
        if (files) {
            writeMarker();
        }
        Optional<String> refusal;
        try {
            refusal = refusal(root);
        } catch (org.springframework.dao.DataAccessException e) {
            log.warn("node {}: could not check the other nodes' session storage (database unreachable): {}", nodeId, e.toString());
            return;
        }
        if (refusal.isPresent()) {
            log.error("node {} refuses to join the cluster: {}", nodeId, refusal.get());
            throw new IllegalStateException(refusal.get());
        }
    }

    /**
     * Why this node may not run beside the live nodes when its sessions folder is {@code sessionsDir}
     * (empty: it may). Reads the markers of the other live nodes there.
     */
    public Optional<String> refusal(Path sessionsDir) {
        for (LeaseRepository.NodeStore other : repo.otherLiveNodes(nodeId, ttl)) {
            if (other.authStore() == null) {
                continue; // a node of an older version: it recorded nothing to compare
            }
            if (!other.authStore().equals(authStore())) {
                return Optional.of("node " + other.nodeId() + " keeps sessions with AUTH_STORE=" + other.authStore()
                        + " and this node with AUTH_STORE=" + authStore() + "; every node of a cluster must use the same store"
                        + " (AUTH_STORE=postgres is the one for several nodes)");
            }
            if (files && (other.sessionsToken() == null || !other.sessionsToken().equals(read(sessionsDir.resolve(MARKERS).resolve(markerName(other.nodeId())))))) {
                return Optional.of("AUTH_STORE=files with several nodes needs one SESSIONS_DIR shared by all of them, but node "
                        + other.nodeId() + "'s marker is not in " + sessionsDir + " (this node would not see the sessions it writes);"
                        + " mount the same SESSIONS_DIR on every node, or use AUTH_STORE=postgres");
            }
        }
        return Optional.empty();
    }

    /** Removes this node's marker (clean stop); a marker left behind by a crash is harmless (its token is not live). */
    public void removeMarker() {
        if (files) {
            try {
                Files.deleteIfExists(root.resolve(MARKERS).resolve(markerName(nodeId)));
            } catch (IOException e) {
                log.debug("node {}: marker not removed: {}", nodeId, e.toString());
            }
        }
    }

    private void writeMarker() {
        Path dir = root.resolve(MARKERS);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "tmp-", ".marker");
            Files.writeString(tmp, token, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(markerName(nodeId)), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write this node's marker into SESSIONS_DIR " + root + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path marker) {
        try {
            return Files.readString(marker, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** The marker's file name: the node id is [A-Za-z0-9._-] (NodeIdentity), prefixed so "." or ".." stay names. */
    private static String markerName(String node) {
        return "node-" + node;
    }
}
