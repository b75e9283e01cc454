-- Engine commands accepted by a node that does not run the connection's socket (issue 17: any
-- node answers any request). The accepting node stores the command for the owner it found and
-- wakes it (NOTIFY gateway_command); the owner takes the row once (taken_at set in the same
-- statement that checks it is unset), runs the command on its engine and stores the answer
-- (NOTIFY gateway_answer). A requester that gives up first sets taken_at itself, so a late owner
-- never runs it. Rows are swept after ten minutes. No foreign key: a command for a connection
-- deleted meanwhile is answered by the engine like any other.
CREATE TABLE routed_commands (
    id             uuid PRIMARY KEY,
    connection_id  text NOT NULL,
    from_node      text NOT NULL,
    target_node    text NOT NULL,
    epoch          bigint NOT NULL,
    command        text NOT NULL,
    args           text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    taken_at       timestamptz,
    taken_by       text,
    answered_at    timestamptz,
    result         text,
    error_code     text,
    error_message  text,
    error_status   integer
);
CREATE INDEX routed_commands_waiting_idx ON routed_commands (target_node) WHERE taken_at IS NULL;
CREATE INDEX routed_commands_created_idx ON routed_commands (created_at);

-- How each node keeps Baileys' auth state, and for 'files' the token of the marker it wrote into
-- its SESSIONS_DIR: a node with 'files' joins only nodes whose markers it can read in its own
-- SESSIONS_DIR (the folder is shared), and never nodes with another store.
ALTER TABLE nodes ADD COLUMN auth_store text;
ALTER TABLE nodes ADD COLUMN sessions_token text;
