import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { FAST_SANDBOX, engineFixture, spawnEngine } from './support/engine.js'

/*
 * The engine with sandbox.socket "emulator": the real Baileys socket against the emulated
 * WhatsApp the engine starts in its own process, persisted under emulatorDir. Driven over
 * stdin/stdout like the Java service drives it.
 */

const PHONE = '923001234567'
const JID = `${PHONE}:1@s.whatsapp.net`
const JPEG_B64 = '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAYACADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAQG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AjgIWoAAAAAAf/9k='
const SERVER = fileURLToPath(new URL('../emulator/server.js', import.meta.url))

/** @param {any} engine @param {string} dir */
function hello (engine, dir) {
  return engine.hello({
    mode: 'sandbox',
    sessionsDir: join(dir, 'sessions'),
    sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(dir, 'emulator') }
  })
}

test('real socket against the engine\'s own emulator: QR, scan, 515, login; drop codes; after kill -9 the same session logs in without a QR', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx
  await hello(engine, fx.dir)

  assert.deepEqual(await engine.ok('start', { connectionId: 'ali' }), { hasSession: false })
  const qr = await engine.next('connection.qr', { connectionId: 'ali' })
  assert.match(qr.data.qr, /^https:\/\/wa\.me\/settings\/linked_devices#2@/)
  assert.deepEqual(await engine.ok('sandbox.scan', { connectionId: 'ali', phone: PHONE }), { linked: true, jid: JID })
  const auth = await engine.next('connection.authenticated', { connectionId: 'ali' })
  assert.equal(auth.data.jid, JID)
  assert.equal(auth.data.isNewLogin, true)
  const restart = await engine.next('connection.close', { connectionId: 'ali' })
  assert.equal(restart.data.code, 515)

  const qrs = engine.events('connection.qr').length
  assert.deepEqual(await engine.ok('start', { connectionId: 'ali' }), { hasSession: true })
  const open = await engine.next('connection.open', { connectionId: 'ali' })
  assert.equal(open.data.jid, JID)
  assert.equal(engine.events('connection.qr').length, qrs, 'no QR for a linked session')

  // The phone's initial history: historyChats (3) chats of
  // 60, 12, 5 messages; the phone holds older ones for on-demand requests.
  const initial = await engine.seen('history.set', { connectionId: 'ali', where: (d) => d.syncType === 0 })
  const perChat = new Map()
  for (const m of initial.data.messages) perChat.set(m.key.remoteJid, [...(perChat.get(m.key.remoteJid) ?? []), m])
  assert.deepEqual([...perChat.values()].map((list) => list.length).sort((a, b) => b - a), [60, 12, 5])
  const [shortJid, short] = [...perChat.entries()].find(([, list]) => list.length === 12)
  assert.ok(short.some((m) => m.key.fromMe) && short.some((m) => !m.key.fromMe && m.parsed.senderPhone === shortJid.split('@')[0]))
  const oldest = short.reduce((a, b) => (a.timestamp <= b.timestamp ? a : b))
  await engine.ok('history.fetch', { connectionId: 'ali', count: 38, oldestKey: oldest.key, oldestTimestamp: oldest.timestamp })
  const more = await engine.next('history.set', { connectionId: 'ali', where: (d) => d.syncType === 6 })
  assert.equal(more.data.messages.length, 38)
  assert.ok(more.data.messages.every((m) => m.key.remoteJid === shortJid && m.timestamp < oldest.timestamp))

  const creds = JSON.parse(await readFile(join(fx.sessionsDir, 'ali', 'creds.json'), 'utf8'))
  assert.equal(creds.me.id, JID, 'what real Baileys writes after pairing')
  assert.equal((await stat(join(fx.dir, 'emulator', 'state.json'))).mode & 0o777, 0o600)

  assert.deepEqual(await engine.ok('sandbox.drop', { connectionId: 'ali', code: 428 }), { dropped: true })
  const dropped = await engine.next('connection.close', { connectionId: 'ali' })
  assert.equal(dropped.data.code, 428)
  assert.equal(dropped.data.wasOpen, true)

  // The engine dies without any shutdown; a new one with the same folders is the same WhatsApp.
  engine.kill()
  await engine.exited
  const again = spawnEngine({ timeoutMs: 15000 })
  t.after(() => again.kill())
  await hello(again, fx.dir)
  assert.deepEqual(await again.ok('start', { connectionId: 'ali' }), { hasSession: true })
  await again.next('connection.open', { connectionId: 'ali' })
  assert.equal(again.events('connection.qr').length, 0, 'no QR after an engine kill -9')

  // 401 from the phone: logged out, and a later start is refused with 401 too.
  await again.ok('sandbox.drop', { connectionId: 'ali', code: 401 })
  const removed = await again.next('connection.close', { connectionId: 'ali' })
  assert.equal(removed.data.code, 401)
  await again.ok('start', { connectionId: 'ali' })
  const refused = await again.next('connection.close', { connectionId: 'ali', where: (d) => d.code === 401 })
  assert.equal(refused.data.wasOpen, false)
  assert.equal(await again.end(), 0)
})

test('sandbox.drop before a device is linked, and sandbox commands for an unknown connection: clear errors', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  await hello(fx.engine, fx.dir)
  await fx.engine.ok('start', { connectionId: 'bob' })
  await fx.engine.next('connection.qr', { connectionId: 'bob' })
  const badRef = await fx.engine.send('sandbox.drop', { connectionId: 'bob', code: 428 })
  assert.equal(badRef.error.code, 'invalid_state', 'no linked device to drop yet')
  assert.equal((await fx.engine.send('sandbox.scan', { connectionId: 'nobody', phone: PHONE })).error.code, 'not_found')
})

test('SANDBOX_EMULATOR_URL: the engine uses a standalone emulator (server.js --data), trusting the root from /control/info', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const server = spawn(process.execPath, [SERVER, '--port', '0', '--data', join(fx.dir, 'standalone'), '--qr-refs', '2'], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.after(() => server.kill('SIGKILL'))
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once('line', resolve)
    server.once('exit', (code) => reject(new Error(`emulator exited ${code}`)))
  })
  assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/)
  await fx.engine.hello({ mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorUrl: url } })
  await fx.engine.ok('start', { connectionId: 'cem' })
  await fx.engine.next('connection.qr', { connectionId: 'cem' })
  assert.deepEqual(await fx.engine.ok('sandbox.scan', { connectionId: 'cem', phone: PHONE }), { linked: true, jid: JID })
  await fx.engine.next('connection.close', { connectionId: 'cem', where: (d) => d.code === 515 })
  await fx.engine.ok('start', { connectionId: 'cem' })
  await fx.engine.next('connection.open', { connectionId: 'cem' })
  // The same initial history as with the engine's own emulator (seeded through /control/history/seed),
  // and the phone holds the older messages for on-demand requests.
  const initial = await fx.engine.seen('history.set', { connectionId: 'cem', where: (d) => d.syncType === 0 })
  const perChat = new Map()
  for (const m of initial.data.messages) perChat.set(m.key.remoteJid, [...(perChat.get(m.key.remoteJid) ?? []), m])
  assert.deepEqual([...perChat.values()].map((list) => list.length).sort((a, b) => b - a), [60, 12, 5])
  const [shortJid, short] = [...perChat.entries()].find(([, list]) => list.length === 5)
  const oldest = short.reduce((a, b) => (a.timestamp <= b.timestamp ? a : b))
  await fx.engine.ok('history.fetch', { connectionId: 'cem', count: 10, oldestKey: oldest.key, oldestTimestamp: oldest.timestamp })
  const more = await fx.engine.next('history.set', { connectionId: 'cem', where: (d) => d.syncType === 6 })
  assert.equal(more.data.messages.length, 10)
  assert.ok(more.data.messages.every((m) => m.key.remoteJid === shortJid && m.timestamp < oldest.timestamp))
  const info = await (await fetch(url.replace('ws:', 'http:').replace('/ws/chat', '/control/info'))).json()
  assert.equal(info.stats.pairings, 1, 'the standalone emulator did the pairing')
  // Media uploads go to the emulator's media host (media-hosts.js), whatever the send's fate after.
  await fx.engine.send('send', { connectionId: 'cem', messageId: '3EB0AAAABBBBCCCCDDDD01', jid: '923001112233@s.whatsapp.net', content: { type: 'image', base64: JPEG_B64, mimeType: 'image/jpeg', caption: 'red' } }, 15000)
  const media = await (await fetch(url.replace('ws:', 'http:').replace('/ws/chat', '/control/media'))).json()
  assert.equal(media.blobs.filter((b) => b.kind === 'image').length, 1, `the image was uploaded to the emulator: ${JSON.stringify(media.blobs.map((b) => b.kind))}`)
  // `ifAbsent` (Java's timers and notifications): a live socket is kept, not logged in a second time
  const logins = info.stats.logins
  assert.deepEqual(await fx.engine.ok('start', { connectionId: 'cem', ifAbsent: true }), { hasSession: true, kept: true })
  assert.equal((await fx.engine.send('start', { connectionId: 'cem', ifAbsent: 'yes' })).error.code, 'bad_request')
  assert.deepEqual(await fx.engine.ok('sandbox.drop', { connectionId: 'cem', code: 503 }), { dropped: true })
  assert.equal((await fx.engine.next('connection.close', { connectionId: 'cem', where: (d) => d.wasOpen })).data.code, 503)
  // once the socket is gone, the same command starts one
  assert.deepEqual(await fx.engine.ok('start', { connectionId: 'cem', ifAbsent: true }), { hasSession: true })
  await fx.engine.next('connection.open', { connectionId: 'cem' })
  const after = await (await fetch(url.replace('ws:', 'http:').replace('/ws/chat', '/control/info'))).json()
  assert.equal(after.stats.logins, logins + 1, 'one login: the start after the drop; the kept socket made none')
  assert.equal((await stat(join(fx.dir, 'standalone', 'state.json'))).mode & 0o777, 0o600)
  // Stopped before the fixture removes its folder (it saves a last time as it stops).
  const exited = new Promise((resolve) => server.once('exit', resolve))
  server.kill('SIGTERM')
  await exited
})

test('a standalone emulator URL that is not loopback, or that does not answer, fails hello clearly', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const remote = await fx.engine.send('hello', { protocol: 1, mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: { socket: 'emulator', emulatorUrl: 'ws://192.0.2.1:4100/ws/chat' } })
  assert.equal(remote.error.code, 'bad_request')
  assert.match(remote.error.message, /loopback/)
  const dead = await fx.engine.send('hello', { protocol: 1, mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: { socket: 'emulator', emulatorUrl: 'ws://127.0.0.1:1/ws/chat' } })
  assert.equal(dead.error.code, 'internal')
  assert.match(dead.error.message, /unreachable/)
})
