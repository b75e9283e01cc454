-- Baileys' auth state when AUTH_STORE=postgres (issue 17, part 2): creds and every Signal key of
-- a connection, one row per (type, id). key_type 'creds' with key_id '' holds the creds; the
-- others are Baileys' key types (pre-key, session, sender-key, ...) with the ids named as
-- useMultiFileAuthState names its files, so the migrate command moves rows and files one to one.
-- value is AES-GCM under AUTH_ENCRYPTION_KEY: 12-byte random nonce, then ciphertext and tag; the
-- associated data is connection_id, key_type and key_id, so a value copied to another row does
-- not decrypt. Rows go with their connection (cascade), like the session folder.
CREATE TABLE auth_keys (
    connection_id text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    key_type      text NOT NULL,
    key_id        text NOT NULL,
    value         bytea NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, key_type, key_id)
);

-- One known value encrypted under the key the rows were written with: a gateway started with
-- another AUTH_ENCRYPTION_KEY finds it does not decrypt and refuses to start.
CREATE TABLE auth_key_check (
    id         smallint PRIMARY KEY CHECK (id = 1),
    value      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
