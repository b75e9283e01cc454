import { describe, expect, it } from 'vitest';
import { realtimeUrl } from './socket';

describe('realtimeUrl', () => {
  it('uses the page host with the Socket.IO port by default', () => {
    expect(realtimeUrl({ url: null, namespace: '/realtime', port: 8082 }, { protocol: 'http:', hostname: 'gw.local' }))
      .toBe('http://gw.local:8082/realtime');
  });
  it('uses the configured public URL behind a proxy', () => {
    expect(realtimeUrl({ url: 'https://gw.example.com/', namespace: '/realtime', port: 8082 }, { protocol: 'http:', hostname: 'x' }))
      .toBe('https://gw.example.com/realtime');
  });
});
