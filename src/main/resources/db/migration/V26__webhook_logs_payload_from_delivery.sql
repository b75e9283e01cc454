-- A log row no longer copies the request's body (issue 18): it is its delivery's body, which
-- never changes (a redelivery keeps it), and the log listing reads it from there. Each attempt
-- paid for a jsonb parse and a copy of the body; a failing endpoint retried an event's body many
-- times over. Rows written before keep their copy.
ALTER TABLE webhook_logs ALTER COLUMN request_payload DROP NOT NULL;
