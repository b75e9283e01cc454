-- A message named by WhatsApp id (reply links, receipts, getMessage) is found through this index,
-- oldest first. It replaces (connection_id, provider_message_id): with created_at in the key the
-- "ORDER BY created_at LIMIT 1" of the reply lookup is answered by the index itself, so no plan
-- (also not a generic plan made while the table was nearly empty) walks a whole connection's
-- messages through another index. The benchmark found that walk: 20 million index reads for
-- 20,000 inbound messages (docs/benchmarks.md).
CREATE INDEX messages_provider_lookup2_idx ON messages (connection_id, provider_message_id, created_at);
DROP INDEX messages_provider_lookup_idx;
ALTER INDEX messages_provider_lookup2_idx RENAME TO messages_provider_lookup_idx;
