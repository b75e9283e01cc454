-- The media retention job looks for stored media older than MEDIA_RETENTION: only rows whose
-- media are stored are in this index, so the job never walks the whole messages table.
CREATE INDEX messages_media_stored_idx ON messages (created_at) WHERE media_state = 'stored';

-- Messages still waiting for their media file: asked for again when their connection is ready
-- (a restart interrupted the download). Few rows at any time.
CREATE INDEX messages_media_pending_idx ON messages (connection_id, created_at) WHERE media_state = 'pending';
