package com.wagateway.controllers;

import com.wagateway.config.GatewayProperties;
import com.wagateway.database.LeaseRepository;
import com.wagateway.services.ConnectionLeases;
import com.wagateway.wire.NeverNull;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/cluster} (admins only, enforced in SecurityConfig; others get 403 in the one
 * error shape): the gateway nodes sharing this PostgreSQL and the connection leases (issue 17).
 * Any node answers the same (it reads the database), naming itself in {@code node_id}.
 */
@RestController
public class ClusterController {

    /**
     * @param nodeId              the node's id ({@code NODE_ID})
     * @param heartbeatAgeSeconds seconds since its last heartbeat (written every {@code LEASE_TTL}/3)
     * @param alive               not stopped and a heartbeat within {@code LEASE_TTL}
     * @param connections         leases it holds live now
     * @param stoppedAt           when it stopped cleanly (its leases were handed back), or null
     */
    public record Node(@NeverNull String nodeId, @NeverNull Instant startedAt, double heartbeatAgeSeconds, int capacity,
                       long connections, boolean alive, String version, Instant stoppedAt, boolean thisNode) {
    }

    /**
     * @param ownerNode  the node holding it, or null when handed back
     * @param epoch      the fencing epoch: grows on every takeover; writes of an older one are refused
     * @param ageSeconds seconds since the owner took it
     * @param live       held and not expired
     */
    public record Lease(@NeverNull String connectionId, String ownerNode, long epoch, @NeverNull Instant expiresAt,
                        double ageSeconds, boolean live) {
    }

    /** The answering node, every node ever seen (stopped ones too), and every lease. */
    public record Cluster(@NeverNull String nodeId, long leaseTtlMs, @NeverNull List<Node> nodes, @NeverNull List<Lease> leases) {
    }

    private final LeaseRepository repo;
    private final ConnectionLeases leases;
    private final GatewayProperties props;

    public ClusterController(LeaseRepository repo, ConnectionLeases leases, GatewayProperties props) {
        this.repo = repo;
        this.leases = leases;
        this.props = props;
    }

    @GetMapping("/api/cluster")
    Cluster cluster() {
        double ttlSeconds = props.cluster().leaseTtl().toMillis() / 1000.0;
        List<Node> nodes = repo.nodes().stream().map(n -> new Node(n.nodeId(), n.startedAt(), round(n.heartbeatAgeSeconds()),
                n.capacity(), n.connections(), n.stoppedAt() == null && n.heartbeatAgeSeconds() < ttlSeconds, n.version(),
                n.stoppedAt(), n.nodeId().equals(leases.nodeId()))).toList();
        List<Lease> rows = repo.leases().stream().map(l -> new Lease(l.connectionId(), l.ownerNode(), l.epoch(), l.expiresAt(),
                round(l.ageSeconds()), l.live())).toList();
        return new Cluster(leases.nodeId(), props.cluster().leaseTtl().toMillis(), nodes, rows);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}
