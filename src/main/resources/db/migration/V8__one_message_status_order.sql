-- One message-status order for SQL, Java (MessageStatuses) and the dashboard
-- (frontend/src/lib/message-status-order.json); MessageStatusOrderIntegrationTest proves they agree.
-- queued < sent < failed < delivered < read < played: 'failed' ends a queued or sent message but
-- never undoes a receipt, and a later receipt proves delivery and lifts a failure. Before, 'failed'
-- shared rank 1 with 'sent' plus a special case in the UPDATE; the outcome for stored rows is the
-- same, now written once. Anything else (received, unknown) ranks 0.
CREATE OR REPLACE FUNCTION message_status_rank(status text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status
        WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3
        WHEN 'read' THEN 4 WHEN 'played' THEN 5 ELSE 0 END
$$;
