// The dashboard's Socket.IO connection. Each (re)connect fetches a fresh single-use token from
// POST /api/realtime/token (session cookie + CSRF), so nothing secret is ever stored.
import { io, type Socket } from 'socket.io-client';
import type { components } from '../api/schema';
import { apiPost } from '../api/typed';

export type TokenResponse = components['schemas']['TokenResponse'];

/** Where the Socket.IO server is: the configured public URL, else this host on its port. */
export function realtimeUrl(t: Pick<TokenResponse, 'url' | 'namespace' | 'port'>, loc: Pick<Location, 'protocol' | 'hostname'>): string {
  const base = t.url ?? `${loc.protocol}//${loc.hostname}:${t.port}`;
  return base.replace(/\/$/, '') + t.namespace;
}

/** Opens the socket; its auth callback fetches a new token on every reconnect. */
export async function openRealtime(): Promise<Socket> {
  const first = await apiPost('/api/realtime/token');
  let pending: TokenResponse | null = first;
  return io(realtimeUrl(first, window.location), {
    transports: ['websocket', 'polling'],
    reconnectionDelayMax: 10_000,
    auth: (cb) => {
      const use = pending;
      pending = null;
      if (use) {
        cb({ token: use.token });
        return;
      }
      apiPost('/api/realtime/token')
        .then((t) => cb({ token: t.token }))
        .catch(() => cb({ token: '' }));
    },
  });
}
