// Socket.IO checks against a running gateway (run by RealtimeIntegrationTest):
// the handshake refuses a missing, garbage or used token with connect_error; a valid token's
// socket receives connection.status events of its own user's connections only; admins can
// subscribe to any connection, users only to their own.
// Env: BASE_URL, RT_URL (http://127.0.0.1:<port>), KEY_A, KEY_B (users), KEY_ADMIN.
import { io } from 'socket.io-client';
import { assert, call, check, env, finish, waitFor } from './lib.mjs';

const BASE = env('BASE_URL');
const RT = env('RT_URL') + '/realtime';
const KEY_A = env('KEY_A');
const KEY_B = env('KEY_B');
const KEY_ADMIN = env('KEY_ADMIN');
const CONN_A = env('CONN_A', 'rt_alice');
const CONN_B = env('CONN_B', 'rt_bob');

const token = async (key) => (await call(BASE, key, 'POST', '/api/realtime/token')).token;

/** Connects and resolves with {socket, outcome: 'connect' | Error}; never reconnects by itself. */
function connect(auth) {
  return new Promise((resolve) => {
    const socket = io(RT, { auth, reconnection: false, transports: ['websocket'], forceNew: true, timeout: 5000 });
    let settled = false;
    const done = (outcome) => {
      if (!settled) {
        settled = true;
        resolve({ socket, outcome, events: [] });
      }
    };
    socket.on('connect', () => done('connect'));
    socket.on('connect_error', (e) => done(e));
  });
}

/** A connected socket that records every event it receives. */
async function listener(key) {
  const c = await connect({ token: await token(key) });
  assert(c.outcome === 'connect', `expected connect, got ${c.outcome}`);
  c.socket.onAny((event, payload) => c.events.push({ event, payload }));
  return c;
}

/**
 * A positive signal that earlier events are all delivered: the owner of `key` connects its own
 * connection `id` (emitted after everything done before), waits until `who` receives it, and
 * disconnects it again. Any event `who` should not have got would have arrived before this.
 */
async function marker(key, who, id) {
  const seen = who.events.length;
  await call(BASE, key, 'POST', '/api/connections', { connection_id: id });
  await call(BASE, key, 'POST', `/api/connections/${id}/connect`);
  await waitFor(`marker ${id}`, () => who.events.slice(seen).some((e) => e.payload.connection_id === id));
  await call(BASE, key, 'POST', `/api/connections/${id}/disconnect`);
}

await check('the token endpoint answers token, expiry, namespace and port', async () => {
  const t = await call(BASE, KEY_A, 'POST', '/api/realtime/token');
  assert(typeof t.token === 'string' && t.token.length >= 40, 'token');
  assert(t.namespace === '/realtime', 'namespace');
  assert(Number.isInteger(t.port) && t.port > 0, 'port');
  const ttl = Date.parse(t.expires_at) - Date.now();
  assert(ttl > 0 && ttl <= 61_000, `expires_at ${t.expires_at}`);
});

await check('no token → connect_error', async () => {
  const c = await connect(undefined);
  c.socket.close();
  assert(c.outcome instanceof Error, `expected connect_error, got ${c.outcome}`);
  assert(c.outcome.message === 'unauthorized', c.outcome.message);
});

await check('garbage token → connect_error', async () => {
  const c = await connect({ token: 'not-a-token' });
  c.socket.close();
  assert(c.outcome instanceof Error && c.outcome.message === 'unauthorized', `got ${c.outcome}`);
});

await check('a used token → connect_error', async () => {
  const t = await token(KEY_A);
  const first = await connect({ token: t });
  first.socket.close();
  assert(first.outcome === 'connect', `first use: ${first.outcome}`);
  const second = await connect({ token: t });
  second.socket.close();
  assert(second.outcome instanceof Error && second.outcome.message === 'unauthorized', `second use: ${second.outcome}`);
});

await check('each user receives connection.status of their own connections only', async () => {
  const a = await listener(KEY_A);
  const b = await listener(KEY_B);
  try {
    await call(BASE, KEY_A, 'POST', `/api/connections/${CONN_A}/connect`);
    await call(BASE, KEY_B, 'POST', `/api/connections/${CONN_B}/connect`);
    await waitFor('A sees its qr_ready', () => a.events.some((e) => e.event === 'connection.status' && e.payload.status === 'qr_ready'));
    await waitFor('B sees its qr_ready', () => b.events.some((e) => e.event === 'connection.status' && e.payload.status === 'qr_ready'));
    await waitFor('A gets the QR', () => a.events.some((e) => e.event === 'connection.qr' && e.payload.qr_image?.startsWith('data:image/png')));
    await call(BASE, KEY_B, 'POST', `/api/connections/${CONN_B}/disconnect`);
    await waitFor('B sees its disconnect', () => b.events.some((e) => e.payload.status === 'disconnected'));
    await marker(KEY_A, a, 'rt_marker_a1');
    await marker(KEY_B, b, 'rt_marker_b1');
    const own = (ids) => (e) => ids.includes(e.payload.connection_id);
    assert(a.events.every(own([CONN_A, 'rt_marker_a1'])), `A saw: ${JSON.stringify(a.events.map((e) => e.payload.connection_id))}`);
    assert(b.events.every(own([CONN_B, 'rt_marker_b1'])), `B saw: ${JSON.stringify(b.events.map((e) => e.payload.connection_id))}`);
    const statuses = a.events.filter((e) => e.event === 'connection.status').map((e) => e.payload.status);
    assert(statuses[0] === 'initializing', `A's first status: ${statuses}`);
    const p = a.events.find((e) => e.event === 'connection.status').payload;
    assert('phone' in p && 'connected_at' in p && 'reason' in p && 'reconnect_attempt' in p, `payload fields: ${Object.keys(p)}`);
  } finally {
    await call(BASE, KEY_A, 'POST', `/api/connections/${CONN_A}/disconnect`).catch(() => undefined);
    a.socket.close();
    b.socket.close();
  }
});

await check('an admin may subscribe to any connection; a user only to their own', async () => {
  const admin = await listener(KEY_ADMIN);
  const a = await listener(KEY_A);
  try {
    const denied = await a.socket.emitWithAck('subscribe', { connection_id: CONN_B });
    assert(denied.error?.code === 'connection_not_found', `A subscribing to B: ${JSON.stringify(denied)}`);
    const ok = await admin.socket.emitWithAck('subscribe', { connection_id: CONN_B });
    assert(ok.subscribed === true, `admin subscribe: ${JSON.stringify(ok)}`);
    await call(BASE, KEY_B, 'POST', `/api/connections/${CONN_B}/connect`);
    await waitFor('admin sees B', () => admin.events.some((e) => e.payload.connection_id === CONN_B && e.payload.status === 'qr_ready'));
    await marker(KEY_A, a, 'rt_marker_a2');
    assert(a.events.every((e) => e.payload.connection_id !== CONN_B), `A saw ${JSON.stringify(a.events)}`);
    await admin.socket.emitWithAck('unsubscribe', { connection_id: CONN_B });
    const n = admin.events.length;
    await call(BASE, KEY_B, 'POST', `/api/connections/${CONN_B}/disconnect`);
    await marker(KEY_ADMIN, admin, 'rt_marker_admin');
    assert(admin.events.slice(n).every((e) => e.payload.connection_id !== CONN_B), 'admin still gets B after unsubscribe');
  } finally {
    admin.socket.close();
    a.socket.close();
  }
});

await check('a deleted connection id reused by another user reaches none of the old watchers', async () => {
  const REUSED = 'rt_reuse_x';
  const a = await listener(KEY_A);
  const b = await listener(KEY_B);
  try {
    await call(BASE, KEY_A, 'POST', '/api/connections', { connection_id: REUSED });
    const sub = await a.socket.emitWithAck('subscribe', { connection_id: REUSED });
    assert(sub.subscribed === true, `A subscribing to its own: ${JSON.stringify(sub)}`);
    await call(BASE, KEY_A, 'DELETE', `/api/connections/${REUSED}`);
    await waitFor('A sees its delete', () => a.events.some((e) => e.payload.connection_id === REUSED && e.payload.reason === 'deleted'));
    const seenBefore = a.events.length;

    // B creates the same id, links it (status with B's phone, QR) and receives a message on it
    await call(BASE, KEY_B, 'POST', '/api/connections', { connection_id: REUSED });
    await call(BASE, KEY_B, 'GET', `/api/get-qr/${REUSED}`);
    await call(BASE, KEY_B, 'POST', `/api/sandbox/${REUSED}/scan`, { phone: '923007770001' });
    await waitFor('B sees ready', () => b.events.some((e) => e.payload.connection_id === REUSED && e.payload.status === 'ready'));
    await call(BASE, KEY_B, 'POST', `/api/sandbox/${REUSED}/inbound`, { from: '923001110002', message: 'secret for B' });
    await waitFor('B sees its message', () => b.events.some((e) => e.event === 'message.new' && e.payload.connection_id === REUSED));
    assert(b.events.some((e) => e.event === 'connection.qr' && e.payload.connection_id === REUSED), 'B got its QR');

    // marker: an event A is entitled to, emitted after all of B's; when it arrives, B's would have too
    await call(BASE, KEY_A, 'POST', '/api/connections', { connection_id: 'rt_marker_a' });
    await call(BASE, KEY_A, 'POST', '/api/connections/rt_marker_a/connect');
    await waitFor('A sees its marker', () => a.events.some((e) => e.payload.connection_id === 'rt_marker_a'));
    const leaked = a.events.slice(seenBefore).filter((e) => e.payload.connection_id === REUSED);
    assert(leaked.length === 0, `A received B's events: ${JSON.stringify(leaked.map((e) => e.event))}`);
  } finally {
    await call(BASE, KEY_A, 'POST', '/api/connections/rt_marker_a/disconnect').catch(() => undefined);
    await call(BASE, KEY_B, 'DELETE', `/api/connections/rt_reuse_x`).catch(() => undefined);
    a.socket.close();
    b.socket.close();
  }
});

await check('a disabled user\'s socket is dropped and cannot reconnect', async () => {
  const a = await listener(KEY_A);
  let disconnected = false;
  a.socket.on('disconnect', () => {
    disconnected = true;
  });
  const t = await token(KEY_A);
  const users = await call(BASE, KEY_ADMIN, 'GET', '/api/users');
  const alice = users.find((u) => u.email === env('EMAIL_A'));
  await call(BASE, KEY_ADMIN, 'POST', `/api/users/${alice.id}/disable`);
  try {
    await waitFor('the socket to be dropped', () => disconnected, 5000);
    const again = await connect({ token: t });
    again.socket.close();
    assert(again.outcome instanceof Error, `token issued before disabling: ${again.outcome}`);
  } finally {
    a.socket.close();
    await call(BASE, KEY_ADMIN, 'POST', `/api/users/${alice.id}/enable`);
  }
});

finish();
