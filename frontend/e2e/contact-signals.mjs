// Realtime presence and calls against a running gateway (run by ConnectionSettingsIntegrationTest):
// a socket of the connection's owner receives `presence.update` when a simulated contact types and
// `call` (with `rejected`) when it calls. Positive signals only: each check waits for its event.
// Env: BASE_URL, RT_URL (http://127.0.0.1:<port>), KEY (the owner's key), CONN, CONTACT (phone), REJECTED (true|false).
import { io } from 'socket.io-client';
import { assert, call, check, env, finish, waitFor } from './lib.mjs';

const BASE = env('BASE_URL');
const KEY = env('KEY');
const CONN = env('CONN');
const CONTACT = env('CONTACT');
const REJECTED = env('REJECTED') === 'true';

const { token } = await call(BASE, KEY, 'POST', '/api/realtime/token');
const socket = io(env('RT_URL') + '/realtime', { auth: { token }, reconnection: false, transports: ['websocket'], forceNew: true });
const events = [];
socket.onAny((event, payload) => events.push({ event, payload }));
await waitFor('the socket to connect', () => socket.connected);

await check('a contact typing reaches the owner as presence.update', async () => {
  await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/presence`, { from: CONTACT, state: 'composing' });
  const e = await waitFor('presence.update composing', () => events.find((x) => x.event === 'presence.update' && x.payload.state === 'composing'), 30_000);
  assert(e.payload.connection_id === CONN, `connection_id ${e.payload.connection_id}`);
  assert(e.payload.phone === CONTACT, `phone ${e.payload.phone}`);
  assert(e.payload.jid === `${CONTACT}@s.whatsapp.net`, `jid ${e.payload.jid}`);
  assert(e.payload.chat_jid === `${CONTACT}@s.whatsapp.net`, `chat_jid ${e.payload.chat_jid}`);
});

await check('a call reaches the owner as call, rejected as the setting says', async () => {
  const started = await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/call`, { from: CONTACT, video: true });
  const e = await waitFor('call', () => events.find((x) => x.event === 'call' && x.payload.call_id === started.call_id), 30_000);
  assert(e.payload.media === 'video', `media ${e.payload.media}`);
  assert(e.payload.from === CONTACT, `from ${e.payload.from}`);
  assert(e.payload.rejected === REJECTED, `rejected ${e.payload.rejected}`);
});

socket.close();
finish();
