-- Issue 18: V22's index on the queued messages' expiry was small, so with statistics taken while
-- the queue was short the planner preferred it for every query on queued messages: the
-- dispatcher's queue-head read sorted the whole backlog (5,339 rows, 1,089 buffers, 49 ms per
-- read with a deep queue) instead of walking messages_queue_idx in order, and the lookup of
-- queued messages by id filtered the whole backlog instead of using the primary key
-- (auto_explain evidence in docs/benchmarks.md). Its predicate now names the expiry, so only a
-- query on the expiry (the once-a-second sweep: expires_at <= ?, which implies IS NOT NULL) can
-- use it, whatever the statistics say.
DROP INDEX messages_queue_expiry_idx;
CREATE INDEX messages_queue_expiry_idx ON messages (expires_at) WHERE status = 'queued' AND expires_at IS NOT NULL;
