-- Per-connection behaviour (issue 16 part 5): one row per connection, made with the defaults when
-- the connection is created (trigger below; existing connections are filled here) and removed with
-- it. send_rate_per_minute / send_burst null = the global SEND_RATE_PER_MINUTE / SEND_BURST.
CREATE TABLE connection_settings (
    connection_id        text PRIMARY KEY REFERENCES connections (connection_id) ON DELETE CASCADE,
    reject_calls         boolean NOT NULL DEFAULT false,
    call_reply_text      text,
    ignore_groups        boolean NOT NULL DEFAULT false,
    ignore_broadcasts    boolean NOT NULL DEFAULT false,
    send_read_receipts   boolean NOT NULL DEFAULT false,
    always_online        boolean NOT NULL DEFAULT false,
    sync_history         boolean NOT NULL DEFAULT true,
    send_rate_per_minute integer CHECK (send_rate_per_minute BETWEEN 0 AND 10000),
    send_burst           integer CHECK (send_burst BETWEEN 1 AND 1000),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

INSERT INTO connection_settings (connection_id) SELECT connection_id FROM connections;

CREATE FUNCTION connection_settings_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO connection_settings (connection_id) VALUES (NEW.connection_id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$;

CREATE TRIGGER connection_settings_defaults AFTER INSERT ON connections
    FOR EACH ROW EXECUTE FUNCTION connection_settings_defaults();
