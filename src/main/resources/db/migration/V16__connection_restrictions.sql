-- Account restrictions WhatsApp signals (issue 16 part 6): the reach-out time lock and message
-- capping, one row per kind in force (until = when WhatsApp said it ends, null when it did not;
-- since = when the gateway first learned of it). Lifting a kind deletes its row.
CREATE TABLE connection_restrictions (
    connection_id text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('reachout_timelock', 'message_capping')),
    until         timestamptz,
    detail        text,
    since         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, kind)
);

-- What the connection's status shows: the restriction in force that ends last (one without an
-- end first), copied here by every change of the table above, so every read of a connection
-- (and every UPDATE ... RETURNING of its state machine) carries it without a join.
ALTER TABLE connections
    ADD COLUMN restricted_reason text,
    ADD COLUMN restricted_until  timestamptz,
    ADD COLUMN restricted_since  timestamptz,
    ADD COLUMN restricted_detail text;
