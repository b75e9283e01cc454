-- Several gateway nodes on one PostgreSQL (issue 17). Each node keeps a heartbeat row; each
-- wanted connection has one lease: the node that runs its socket, until when, and a fencing epoch
-- that grows on every takeover. A lease handed back keeps its row (owner_node NULL) so the epoch
-- never goes back; the row goes with its connection.
CREATE TABLE nodes (
    node_id      text PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    capacity     integer NOT NULL,
    version      text,
    stopped_at   timestamptz
);

CREATE TABLE connection_leases (
    connection_id text PRIMARY KEY REFERENCES connections (connection_id) ON DELETE CASCADE,
    owner_node    text,
    epoch         bigint NOT NULL DEFAULT 0,
    expires_at    timestamptz NOT NULL DEFAULT now(),
    acquired_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connection_leases_owner_idx ON connection_leases (owner_node) WHERE owner_node IS NOT NULL;

-- Realtime events fanned out to the other nodes whose JSON is too large for a NOTIFY payload
-- (PostgreSQL's limit is 8000 bytes): stored here, the notification carries the id; swept after a minute.
CREATE TABLE realtime_relay (
    id         bigserial PRIMARY KEY,
    payload    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Failed logins shared by every node (the rate limit holds across the cluster).
CREATE TABLE login_failures (
    key        text NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);
