-- Webhook delivery: an optional event filter per connection, a durable delivery queue (one row
-- per event, written in the same transaction as the change it describes), a per-connection
-- endpoint state for backoff and the circuit breaker, and webhook_logs extended for attempts.

-- NULL = every event type; otherwise only these types are queued.
ALTER TABLE connections ADD COLUMN webhook_events text[];

-- The outbox and the event's state. body is the exact JSON sent (so retries and redeliveries
-- are byte-identical and their signatures cover the same bytes). id orders events of a connection.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE,
    connection_id   text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    body            text NOT NULL,
    state           text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'retrying', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- retries stop WEBHOOK_MAX_RETRY_AGE after this (creation, or the last manual redelivery)
    retry_since     timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    last_attempt_at timestamptz,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- claims and the expiry sweep read only active rows
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (retry_since)
    WHERE state IN ('pending', 'retrying');
CREATE INDEX webhook_deliveries_active_conn_idx ON webhook_deliveries (connection_id, id)
    WHERE state IN ('pending', 'retrying');
CREATE INDEX webhook_deliveries_conn_state_idx ON webhook_deliveries (connection_id, state);

-- Per-connection endpoint health: consecutive failed attempts and the pause they caused
-- (exponential backoff shared by the connection's events; the circuit breaker).
CREATE TABLE webhook_endpoints (
    connection_id    text PRIMARY KEY REFERENCES connections (connection_id) ON DELETE CASCADE,
    failures         integer NOT NULL DEFAULT 0,
    paused_until     timestamptz,
    last_success_at  timestamptz,
    last_failure_at  timestamptz,
    -- one instance at a time delivers a connection's events (in order): its claim and until when
    leased_by        text,
    leased_until     timestamptz,
    last_claimed_at  timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
INSERT INTO webhook_endpoints (connection_id)
    SELECT connection_id FROM connections WHERE webhook_url IS NOT NULL;

-- webhook_logs (V1): one row per attempt; state is that attempt's outcome.
ALTER TABLE webhook_logs ADD COLUMN test boolean NOT NULL DEFAULT false;
CREATE INDEX webhook_logs_connection_id_idx ON webhook_logs (connection_id, id DESC);
