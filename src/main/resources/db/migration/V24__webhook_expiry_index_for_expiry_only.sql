-- Issue 18: the claim's "does this connection have a due event?" probe was planned, with
-- statistics taken while the queue was short, as a scan of the small partial index on retry_since
-- (all active events of every connection, materialized once per claim) instead of a look at the
-- connection's first entry in webhook_deliveries_due_conn_idx. pg_stat_statements in the inbound
-- benchmark: 0.42 ms and 279 buffers per claim, 41 % of all statement time with webhooks
-- (docs/benchmarks.md). The index's predicate now names retry_since, so only a query on the
-- retry age (the expiry sweep: retry_since < ?, which implies IS NOT NULL) can use it.
DROP INDEX webhook_deliveries_due_idx;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (retry_since)
    WHERE state IN ('pending', 'retrying') AND retry_since IS NOT NULL;
