-- Issue 18: the send queue's once-a-second sweep looks for queued messages past their
-- SEND_QUEUE_TTL. Without an index on the expiry it read every queued row each second
-- (11.5 ms per call with a backlog of thousands, which Prefer: respond-async makes common);
-- with it, only the expired ones.
CREATE INDEX messages_queue_expiry_idx ON messages (expires_at) WHERE status = 'queued';
