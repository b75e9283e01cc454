-- Messaging: the send queue lives in `messages` (status 'queued' plus attempt bookkeeping), the
-- WhatsApp content of every message is kept for Baileys' getMessage, chats are a current view,
-- and LID <-> phone pairs are remembered per connection.

-- Order of outbound statuses; a status never moves to a lower rank (see MessageRepository).
-- 'failed' ranks with 'sent' so it can end a queued or sent message but never undo a receipt;
-- a later receipt (delivered, read, played) proves delivery and may lift a failure.
CREATE FUNCTION message_status_rank(status text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status
        WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'failed' THEN 1 WHEN 'delivered' THEN 2
        WHEN 'read' THEN 3 WHEN 'played' THEN 4 ELSE 0 END
$$;

ALTER TABLE messages
    ADD COLUMN push_name        text,
    ADD COLUMN content          jsonb,        -- WhatsApp message content (JSON form), served to getMessage
    ADD COLUMN caption          text,
    ADD COLUMN mime_type        text,
    ADD COLUMN file_length      bigint,
    ADD COLUMN file_name        text,
    ADD COLUMN outgoing         jsonb,        -- what to send while queued (text or image); cleared once sent
    ADD COLUMN request_hash     text,         -- fingerprint of the send request (idempotency conflicts)
    ADD COLUMN attempts         integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at  timestamptz,
    ADD COLUMN expires_at       timestamptz,
    ADD COLUMN sent_at          timestamptz,
    ADD COLUMN edited_at        timestamptz,
    ADD COLUMN revoked_at       timestamptz,
    ADD COLUMN from_history     boolean NOT NULL DEFAULT false,
    ADD COLUMN sort_at          timestamptz NOT NULL DEFAULT now();

-- receipts and getMessage name a message by WhatsApp id only (the chat may be in LID form)
CREATE INDEX messages_provider_lookup_idx ON messages (connection_id, provider_message_id);
-- the send queue: queued outbound messages in arrival order
CREATE INDEX messages_queue_idx ON messages (connection_id, created_at, id) WHERE status = 'queued';
-- chat history pages, newest first
CREATE INDEX messages_chat_page_idx ON messages (connection_id, chat_jid, sort_at DESC, id DESC);
DROP INDEX messages_chat_time_idx;

CREATE TABLE chats (
    connection_id          text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    chat_jid               text NOT NULL,
    name                   text,
    phone                  text,
    is_group               boolean NOT NULL DEFAULT false,
    last_message_id        uuid,
    last_message_body      text,
    last_message_direction text,
    last_message_at        timestamptz,
    unread_count           integer NOT NULL DEFAULT 0,
    history_requested_at   timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, chat_jid)
);
CREATE INDEX chats_recent_idx ON chats (connection_id, last_message_at DESC NULLS LAST, chat_jid);

-- LID (WhatsApp's privacy id) to phone-number JID, learned from the engine.
CREATE TABLE lid_mappings (
    connection_id text NOT NULL REFERENCES connections (connection_id) ON DELETE CASCADE,
    lid           text NOT NULL,
    pn            text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, lid)
);
