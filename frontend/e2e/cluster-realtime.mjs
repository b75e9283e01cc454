// Socket.IO across gateway nodes (run by ClusterIntegrationTest, issue 17): a client connected
// to node A receives the events of a connection that runs on node B — a message received there
// (message.new) and its socket dropping and coming back (connection.status).
// Env: BASE_A, RT_URL_A (http://127.0.0.1:<port> of node A), BASE_B, KEY (admin), CONN (owned by B).
import { io } from 'socket.io-client';
import { assert, call, check, env, finish, waitFor } from './lib.mjs';

const BASE_A = env('BASE_A');
const RT_A = env('RT_URL_A') + '/realtime';
const BASE_B = env('BASE_B');
const KEY = env('KEY');
const CONN = env('CONN');

const { token } = await call(BASE_A, KEY, 'POST', '/api/realtime/token');
const socket = io(RT_A, { auth: { token }, reconnection: false, transports: ['websocket'], forceNew: true, timeout: 10_000 });
const events = [];
await new Promise((resolve, reject) => {
  socket.on('connect', resolve);
  socket.on('connect_error', reject);
});
socket.onAny((event, payload) => events.push({ event, payload }));

await check('a message received by node B reaches a client of node A', async () => {
  await call(BASE_B, KEY, 'POST', `/api/sandbox/${CONN}/inbound`, { from: '923009998877', message: 'to node b' });
  await waitFor('message.new on node A', () => events.some((e) => e.event === 'message.new'
    && e.payload.connection_id === CONN && e.payload.body === 'to node b'), 60_000);
});

await check("node B's connection status changes reach a client of node A", async () => {
  await call(BASE_B, KEY, 'POST', `/api/sandbox/${CONN}/drop`, { code: 428 });
  await waitFor('connection.status reconnecting on node A', () => events.some((e) => e.event === 'connection.status'
    && e.payload.connection_id === CONN && e.payload.status === 'reconnecting'), 60_000);
  await waitFor('connection.status ready again on node A', () => events.some((e) => e.event === 'connection.status'
    && e.payload.connection_id === CONN && e.payload.status === 'ready' && e.payload.node_id === 'node-b'), 60_000);
});

socket.close();
finish();
