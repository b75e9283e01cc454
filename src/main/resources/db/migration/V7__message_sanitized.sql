-- A message whose text from WhatsApp held NUL characters (which PostgreSQL text and jsonb cannot
-- store) is kept with each NUL replaced by U+FFFD and marked here, instead of being lost.
ALTER TABLE messages ADD COLUMN sanitized boolean NOT NULL DEFAULT false;
