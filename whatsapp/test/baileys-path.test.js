import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { WebSocketServer } from 'ws'
import { engineFixture } from './support/engine.js'
import { exists } from '../src/sessions.js'

/*
 * The real Baileys factory, without WhatsApp: the engine is pointed at local listeners. It
 * must dial with Baileys' Noise intro frame, create creds.json through useMultiFileAuthState,
 * and always end in a connection.close with a numeric code — never hang.
 */

/** A local WebSocket server on a random port. @param {(sock: import('ws').WebSocket, first: Buffer) => void} onFirstFrame */
async function wsServer (onFirstFrame) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => wss.once('listening', resolve))
  wss.on('connection', (sock) => sock.once('message', (data) => onFirstFrame(sock, /** @type {Buffer} */ (data))))
  const port = /** @type {import('node:net').AddressInfo} */ (wss.address()).port
  return { url: `ws://127.0.0.1:${port}`, close: () => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(resolve) }) }
}

/** @param {Awaited<ReturnType<typeof engineFixture>>} fx @param {string} url @param {number} connectTimeoutMs */
function helloBaileys (fx, url, connectTimeoutMs) {
  return fx.engine.hello({ mode: 'baileys', sessionsDir: fx.sessionsDir, baileys: { waWebSocketUrl: url, connectTimeoutMs } })
}

test('dials with the Noise intro frame, writes creds.json, reports the server closing', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t)
  /** @type {(b: Buffer) => void} */
  let gotFrame = () => {}
  const firstFrame = new Promise((resolve) => { gotFrame = resolve })
  const server = await wsServer((sock, data) => {
    gotFrame(data)
    setTimeout(() => sock.close(), 50) // the "server" hangs up after the client hello
  })
  t.after(server.close)

  const info = await helloBaileys(fx, server.url, 5000)
  assert.equal(info.mode, 'baileys')
  assert.deepEqual(await fx.engine.ok('start', { connectionId: 'real' }), { hasSession: false })
  // messaging on a socket that never opened: refused before Baileys is asked; sandbox commands do not exist here
  const send = await fx.engine.send('send', { connectionId: 'real', messageId: '3EB0AABBCCDDEEFF001122', jid: '923001112233@s.whatsapp.net', content: { type: 'text', text: 'x' } })
  assert.equal(send.error.code, 'not_ready')
  assert.equal((await fx.engine.send('sandbox.inbound', { connectionId: 'real', from: '923001112233', message: 'x' })).error.code, 'invalid_state')
  const credsPath = join(fx.sessionsDir, 'real', 'creds.json')
  assert.equal(await exists(credsPath), true)
  const creds = JSON.parse(await readFile(credsPath, 'utf8'))
  assert.equal(typeof creds.noiseKey.public.data, 'string', 'written by useMultiFileAuthState (BufferJSON)')

  await fx.engine.next('connection.connecting', { connectionId: 'real' })
  const frame = /** @type {Buffer} */ (await firstFrame)
  assert.equal(frame[0], 'W'.charCodeAt(0))
  assert.equal(frame[1], 'A'.charCodeAt(0))

  const close = await fx.engine.next('connection.close', { connectionId: 'real', ms: 10000 })
  assert.equal(typeof close.data.code, 'number')
  assert.equal(close.data.code, 428, 'Baileys reports a server hang-up as connectionClosed')
  assert.equal(close.data.reason, 'connectionClosed')
  assert.equal(close.data.wasOpen, false)
  assert.deepEqual(await fx.engine.ok('list'), { connections: [] })
  assert.equal(await fx.engine.end(), 0)
  assert.deepEqual(fx.engine.badLines, [], 'Baileys logs never reach stdout')
})

test('a closed port ends in connection.close within the connect timeout', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t)
  const server = await wsServer(() => {})
  const url = server.url
  await server.close() // nothing listens on this port any more
  await helloBaileys(fx, url, 2000)
  const started = Date.now()
  await fx.engine.ok('start', { connectionId: 'refused' })
  const close = await fx.engine.next('connection.close', { connectionId: 'refused', ms: 2000 + 2000 })
  assert.ok(Date.now() - started < 2000 + 1000, 'within connectTimeoutMs')
  assert.equal(close.data.code, 408, 'Baileys maps ECONNREFUSED to 408')
  assert.equal(close.data.reason, 'timedOut')
  assert.match(close.data.message, /ECONNREFUSED/)
  assert.equal(await fx.engine.end(), 0)
})

test('a server that never answers the Noise hello times out with 408', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t)
  const server = await wsServer(() => {}) // accepts the WebSocket, then stays silent
  t.after(server.close)
  await helloBaileys(fx, server.url, 1000)
  const started = Date.now()
  await fx.engine.ok('start', { connectionId: 'silent' })
  const close = await fx.engine.next('connection.close', { connectionId: 'silent', ms: 1000 + 4000 })
  assert.ok(Date.now() - started >= 900, 'waited for the connect timeout')
  assert.equal(close.data.code, 408)
  assert.equal(await fx.engine.end(), 0)
})

test('a TCP listener that never completes the WebSocket upgrade times out with 408', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t)
  /** @type {import('node:net').Socket[]} */
  const conns = []
  const tcp = createServer((c) => conns.push(c)) // swallow the HTTP upgrade request
  await new Promise((resolve) => tcp.listen(0, '127.0.0.1', () => resolve(undefined)))
  t.after(() => { for (const c of conns) c.destroy(); tcp.close() })
  const port = /** @type {import('node:net').AddressInfo} */ (tcp.address()).port
  await helloBaileys(fx, `ws://127.0.0.1:${port}`, 1000)
  await fx.engine.ok('start', { connectionId: 'blackhole' })
  const close = await fx.engine.next('connection.close', { connectionId: 'blackhole', ms: 1000 + 4000 })
  assert.equal(close.data.code, 408)
  assert.equal(await fx.engine.end(), 0)
})

test('stop during dialing closes quietly', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t)
  const server = await wsServer(() => {})
  t.after(server.close)
  await helloBaileys(fx, server.url, 5000)
  await fx.engine.ok('start', { connectionId: 'quiet' })
  await fx.engine.next('connection.connecting', { connectionId: 'quiet' })
  assert.deepEqual(await fx.engine.ok('stop', { connectionId: 'quiet' }), { stopped: true })
  assert.equal(fx.engine.events('connection.close').length, 0)
  assert.equal(await exists(join(fx.sessionsDir, 'quiet', 'creds.json')), true)
  assert.equal(await fx.engine.end(), 0)
  assert.equal(fx.engine.events('connection.close').length, 0)
})
