import { describe, expect, it } from 'vitest';
import type { WebhookLog } from '../api/types';
import { logAfterDelivery, logKey } from './webhookLog';

const row = (over: Partial<WebhookLog>): WebhookLog => ({
  event_id: 'e1', event_type: 'message.received', state: 'delivered', attempt: 1,
  response_status: 200, latency_ms: 12, error: null, created_at: '2025-01-01T00:00:00Z', ...over,
});

describe('logAfterDelivery', () => {
  it('puts a new attempt on top', () => {
    const old = [row({ id: 5, event_id: 'e0' })];
    const next = logAfterDelivery(old, row({ event_id: 'e1' }), '');
    expect(next.map((r) => r.event_id)).toEqual(['e1', 'e0']);
  });

  it('keeps each attempt of one event as its own row', () => {
    const first = row({ id: 7, state: 'retrying', attempt: 1, response_status: 500 });
    const next = logAfterDelivery([first], row({ attempt: 2 }), '');
    expect(next.map((r) => [r.attempt, r.state])).toEqual([[2, 'delivered'], [1, 'retrying']]);
  });

  it('does not repeat an attempt a loaded page already lists, and keeps the full row', () => {
    const listed = row({ id: 9, error: 'slow', url: 'http://x/hook' });
    const next = logAfterDelivery([listed], row({ error: null }), '');
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ id: 9, error: 'slow', url: 'http://x/hook' });
  });

  it('leaves out attempts outside the state filter', () => {
    expect(logAfterDelivery([], row({ state: 'delivered' }), 'failed')).toEqual([]);
    expect(logAfterDelivery([], row({ state: 'failed' }), 'failed')).toHaveLength(1);
  });
});

describe('logKey', () => {
  it('uses the row id, else event and attempt', () => {
    expect(logKey(row({ id: 3 }))).toBe('id:3');
    expect(logKey(row({ attempt: 2 }))).toBe('live:e1:2');
  });
});
