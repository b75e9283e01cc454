-- Issue 18: webhook_logs had two indexes on the connection: V1's (connection_id, created_at DESC)
-- and V4's (connection_id, id DESC). Only the latter is read (the log listing pages by id; a
-- connection's delete cascades through either), yet every attempt's log row paid for both.
DROP INDEX IF EXISTS webhook_logs_connection_idx;
