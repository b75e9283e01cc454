-- The seed's four tables. Later changes add columns and tables in new migrations;
-- this file is never edited once it has landed.

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    password_hash text,
    role          text NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- One row per linked (or linking) WhatsApp account. connection_id is chosen by the user and
-- becomes the session folder name, so the database enforces the same pattern as the API.
CREATE TABLE connections (
    connection_id     text PRIMARY KEY CHECK (connection_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    owner_id          uuid REFERENCES users (id) ON DELETE CASCADE,
    status            text NOT NULL DEFAULT 'disconnected' CHECK (status IN
                        ('disconnected', 'initializing', 'qr_ready', 'authenticated', 'ready',
                         'reconnecting', 'error', 'logged_out')),
    reason            text,
    phone             text,
    push_name         text,
    jid               text,
    qr                text,
    qr_image          text,
    qr_expires_at     timestamptz,
    webhook_url       text,
    webhook_secret    text,
    session_dir       text NOT NULL,
    desired_state     text NOT NULL DEFAULT 'stopped' CHECK (desired_state IN ('running', 'stopped')),
    has_session       boolean NOT NULL DEFAULT false,
    reconnect_attempt integer NOT NULL DEFAULT 0,
    next_retry_at     timestamptz,
    connected_at      timestamptz,
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connections_owner_idx ON connections (owner_id);
CREATE INDEX connections_desired_idx ON connections (desired_state) WHERE desired_state = 'running';

-- Every message in or out. status only moves forward (enforced by the service):
-- queued -> sent -> delivered -> read -> played, or failed; inbound rows are 'received'.
CREATE TABLE messages (
    id                  uuid PRIMARY KEY,
    connection_id       text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    direction           text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    chat_jid            text NOT NULL,
    from_jid            text,
    to_jid              text,
    from_phone          text,
    to_phone            text,
    body                text,
    type                text NOT NULL DEFAULT 'text',
    client_message_id   text,
    provider_message_id text,
    quoted_message_id   uuid REFERENCES messages (id) ON DELETE SET NULL,
    quoted_provider_id  text,
    status              text NOT NULL CHECK (status IN
                          ('queued', 'sent', 'delivered', 'read', 'played', 'failed', 'received')),
    error               text,
    wa_timestamp        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_client_id_key ON messages (connection_id, client_message_id)
    WHERE client_message_id IS NOT NULL;
CREATE UNIQUE INDEX messages_provider_id_key ON messages (connection_id, chat_jid, direction, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_chat_time_idx ON messages (connection_id, chat_jid, wa_timestamp DESC);

-- One row per webhook delivery attempt.
CREATE TABLE webhook_logs (
    id              bigserial PRIMARY KEY,
    event_id        uuid NOT NULL,
    connection_id   text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    url             text NOT NULL,
    request_payload jsonb NOT NULL,
    attempt         integer NOT NULL DEFAULT 1,
    response_status integer,
    response_body   text,
    latency_ms      integer,
    error           text,
    state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'retrying', 'failed')),
    next_attempt_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_logs_connection_idx ON webhook_logs (connection_id, created_at DESC);
CREATE INDEX webhook_logs_event_idx ON webhook_logs (event_id);
