import { describe, expect, it } from 'vitest';
import { apiDelete, apiGet, apiPost, urlOf } from './typed';

describe('urlOf', () => {
  it('fills path parameters, encoded', () => {
    expect(urlOf('/api/connections/{connection_id}/chats/{chat}/messages', { connection_id: 'shop-1', chat: '4915@s.whatsapp.net' }))
      .toBe('/api/connections/shop-1/chats/4915%40s.whatsapp.net/messages');
  });

  it('appends query parameters, leaving out null and undefined', () => {
    expect(urlOf('/api/connections/{id}/webhook-logs', { id: 'a' }, { status: 'failed', before: undefined, limit: 20, x: null }))
      .toBe('/api/connections/a/webhook-logs?status=failed&limit=20');
  });

  it('refuses to build a URL with a missing path parameter', () => {
    expect(() => urlOf('/api/connections/{id}', {})).toThrow('missing path parameter id');
    expect(() => urlOf('/api/connections/{id}', { id: '' })).toThrow('missing path parameter id');
  });

  it('leaves a path without parameters alone', () => {
    expect(urlOf('/api/connections')).toBe('/api/connections');
  });
});

// Compile-time checks (tsc runs over test files in `npm run build`): the generated types drive
// what a call may pass and what it gets back. Never called at run time.
export async function typedCallsCompile() {
  const c = await apiGet('/api/connections/{id}', { path: { id: 'x' } });
  const id: string = c.connection_id;
  const status: 'ready' | 'error' | 'disconnected' | 'initializing' | 'qr_ready' | 'authenticated' | 'reconnecting' | 'logged_out' = c.status;
  const reason: string | null = c.reason;
  const page = await apiGet('/api/connections/{connection_id}/chats', { path: { connection_id: 'x' }, query: { limit: 5 } });
  const sent = await apiPost('/api/send-message', { body: { connection_id: 'x', to: '1', message: 'hi' } });
  const reset = await apiPost('/api/users/{id}/reset-password', { path: { id: 'x' } });
  const deleted = await apiDelete('/api/connections/{id}', { path: { id: 'x' } });
  const token = await apiPost('/api/realtime/token');
  // @ts-expect-error path parameters are required
  await apiGet('/api/connections/{id}');
  // @ts-expect-error no such path
  await apiGet('/api/nope');
  // @ts-expect-error a body field of the wrong type
  await apiPost('/api/send-message', { body: { connection_id: 1 } });
  // @ts-expect-error a GET takes no body
  await apiGet('/api/connections', { body: {} });
  return [id, status, reason, page.chats, page.next_cursor, sent.status, reset.password, deleted.deleted, token.token];
}
