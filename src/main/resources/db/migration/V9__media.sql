-- Media of messages (received and sent): the content lives in the MediaStore under its SHA-256;
-- the row says where it stands. `details` keeps the structured parts of a message that have no
-- column of their own (a reaction's target, a poll's options, an undecryptable reason, ...).
ALTER TABLE messages
    ADD COLUMN media_state     text,         -- null (no media), pending, stored, failed, too_large, expired
    ADD COLUMN media_error     text,         -- why media_state is failed
    ADD COLUMN media_sha256    text,         -- hex SHA-256 of the plaintext content in the MediaStore
    ADD COLUMN media_duration  integer,      -- seconds (audio, voice, video)
    ADD COLUMN media_width     integer,
    ADD COLUMN media_height    integer,
    ADD COLUMN details         jsonb;

ALTER TABLE messages ADD CONSTRAINT messages_media_state_check
    CHECK (media_state IN ('pending', 'stored', 'failed', 'too_large', 'expired'));

-- retention and "is this content still used?" look media up by hash
CREATE INDEX messages_media_sha256_idx ON messages (media_sha256) WHERE media_sha256 IS NOT NULL;
