-- Accounts: users can be disabled and record their last login; API keys are stored as
-- SHA-256 hashes only (the key is shown once at creation), with a display prefix.

ALTER TABLE users
    ADD COLUMN disabled      boolean NOT NULL DEFAULT false,
    ADD COLUMN last_login_at timestamptz;

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix       text NOT NULL,
    key_hash     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (key_hash);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);
