import { describe, expect, it } from 'vitest';
import type { WebhookLogEntry } from '../api/types';
import type { WebhookDeliveryEvent } from './realtime-events';
import { logAfterDelivery, logKey, type WebhookLogRow } from './webhookLog';

/** A realtime webhook.delivery payload. */
const live = (over: Partial<WebhookDeliveryEvent> = {}): WebhookDeliveryEvent => ({
  connection_id: 'c1', event_id: 'e1', event_type: 'message.received', state: 'delivered', attempt: 1,
  response_status: 200, latency_ms: 12, error: null, created_at: '2025-01-01T00:00:00Z', ...over,
});

/** A row of a webhook-logs page. */
const stored = (over: Partial<WebhookLogEntry> & { id: number }): WebhookLogEntry => ({
  event_id: 'e1', event_type: 'message.received', state: 'delivered', attempt: 1, url: 'http://x/hook',
  event_state: 'delivered', response_status: 200, response_body: null, latency_ms: 12, error: null,
  next_attempt_at: null, test: false, created_at: '2025-01-01T00:00:00Z', request_payload: null, ...over,
});

const row = (over: Partial<WebhookLogEntry> = {}): WebhookLogRow =>
  (over.id != null ? stored({ ...over, id: over.id }) : live(over as Partial<WebhookDeliveryEvent>));

describe('logAfterDelivery', () => {
  it('puts a new attempt on top', () => {
    const old = [row({ id: 5, event_id: 'e0' })];
    const next = logAfterDelivery(old, live({ event_id: 'e1' }), '');
    expect(next.map((r) => r.event_id)).toEqual(['e1', 'e0']);
  });

  it('keeps each attempt of one event as its own row', () => {
    const first = row({ id: 7, state: 'retrying', attempt: 1, response_status: 500 });
    const next = logAfterDelivery([first], live({ attempt: 2 }), '');
    expect(next.map((r) => [r.attempt, r.state])).toEqual([[2, 'delivered'], [1, 'retrying']]);
  });

  it('does not repeat an attempt a loaded page already lists, and keeps the full row', () => {
    const listed = row({ id: 9, error: 'slow', url: 'http://x/hook' });
    const next = logAfterDelivery([listed], live({ error: null }), '');
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ id: 9, error: 'slow', url: 'http://x/hook' });
  });

  it('leaves out attempts outside the state filter', () => {
    expect(logAfterDelivery([], live({ state: 'delivered' }), 'failed')).toEqual([]);
    expect(logAfterDelivery([], live({ state: 'failed' }), 'failed')).toHaveLength(1);
  });
});

describe('logKey', () => {
  it('uses the row id, else event and attempt', () => {
    expect(logKey(row({ id: 3 }))).toBe('id:3');
    expect(logKey(row({ attempt: 2 }))).toBe('live:e1:2');
  });
});
