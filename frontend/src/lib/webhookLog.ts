// Live merging of the webhook delivery log: the server's pages (one row per attempt, newest
// first) plus realtime `webhook.delivery` events. Pure functions, unit-tested in webhookLog.test.ts.
import type { WebhookLogEntry } from '../api/types';
import type { WebhookDeliveryEvent } from './realtime-events';

/** A row of the log: one from the server's pages, or an attempt seen only live so far. */
export type WebhookLogRow = WebhookLogEntry | WebhookDeliveryEvent;

/** The attempt states the log can be filtered on (the server refuses others). */
export const LOG_STATES = ['delivered', 'retrying', 'failed'] as const;

/** A stable React key: the server's row id, or event and attempt for a row only seen live. */
export function logKey(r: WebhookLogRow): string {
  return 'id' in r && r.id != null ? `id:${r.id}` : `live:${r.event_id}:${r.attempt}`;
}

/**
 * The log after a live `webhook.delivery`. Every attempt is a new row on top, unless the same
 * attempt (event_id + attempt) is already listed (a page loaded after its commit), in which case
 * the listed row is kept: it holds the full record (url, error, bodies). Events that do not match
 * the state filter are left out, like the server leaves them out of a filtered page.
 */
export function logAfterDelivery(rows: WebhookLogRow[], d: WebhookDeliveryEvent, stateFilter: string): WebhookLogRow[] {
  if (stateFilter && d.state !== stateFilter) return rows;
  const i = rows.findIndex((r) => r.event_id === d.event_id && r.attempt === d.attempt);
  if (i < 0) return [d, ...rows];
  const next = [...rows];
  next[i] = { ...d, ...rows[i] };
  return next;
}
