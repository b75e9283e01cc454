import assert from 'node:assert/strict'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'
import { exists } from '../src/sessions.js'

/*
 * The engine protocol end to end: a real `node src/main.js` child in sandbox mode (the real
 * Baileys socket against the engine's own emulator), driven over stdin/stdout exactly like the
 * Java EngineClient drives it.
 */

const PHONE = '923001234567'
const JID = `${PHONE}:1@s.whatsapp.net`

/** @param {Awaited<ReturnType<typeof engineFixture>>} fx @param {object} [sandbox] */
async function helloSandbox (fx, sandbox = {}) {
  return fx.engine.hello({ mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: { ...FAST_SANDBOX, ...sandbox } })
}

test('hello gate, unknown commands, bad lines', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx

  for (const cmd of ['list', 'start', 'stop', 'sandbox.scan']) {
    const r = await engine.send(cmd, { connectionId: 'c1' })
    assert.equal(r.ok, false)
    assert.equal(r.error.code, 'invalid_state', cmd)
  }
  assert.equal((await engine.send('frobnicate', {})).error.code, 'unknown_command')

  engine.writeRaw('this is not json')
  assert.match((await engine.next('engine.protocol_error')).data.message, /not JSON/)
  engine.writeRaw('{"cmd":"list"}')
  assert.match((await engine.next('engine.protocol_error')).data.message, /id/)

  const wrongProtocol = await engine.send('hello', { protocol: 2, mode: 'sandbox', sessionsDir: fx.sessionsDir })
  assert.equal(wrongProtocol.error.code, 'bad_request')
  const wrongMode = await engine.send('hello', { protocol: 1, mode: 'cloud', sessionsDir: fx.sessionsDir })
  assert.equal(wrongMode.error.code, 'bad_request')

  const info = await helloSandbox(fx)
  assert.equal(info.protocol, 1)
  assert.equal(info.engine, 'wa-gateway-engine')
  assert.equal(info.version, '0.1.0')
  assert.equal(info.baileys, '7.0.0-rc14')
  assert.equal(info.mode, 'sandbox')
  assert.equal(info.pid, engine.child.pid)

  assert.equal((await engine.send('hello', { protocol: 1, mode: 'sandbox', sessionsDir: fx.sessionsDir })).error.code, 'invalid_state')
  assert.deepEqual(await engine.ok('list'), { connections: [] })
  assert.equal((await engine.send('list', 'not an object')).error.code, 'bad_request')
  assert.equal((await engine.send('frobnicate', {})).error.code, 'unknown_command')

  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [], 'stdout carries protocol lines only')
})

test('commands sent right behind hello wait for it instead of failing', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const hello = fx.engine.send('hello', { protocol: 1, mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: FAST_SANDBOX })
  const list = fx.engine.send('list')
  assert.equal((await hello).ok, true)
  assert.equal((await list).ok, true)
})

test('invalid connectionId → bad_request, and nothing is created on disk', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  await helloSandbox(fx)
  const badIds = ['../evil', '..', 'a/b', 'a b', '', 'x'.repeat(65), 'ü', 42, null, undefined, '/abs']
  const commands = ['start', 'stop', 'logout', 'purge', 'send', 'history.fetch',
    'sandbox.scan', 'sandbox.drop', 'sandbox.inbound', 'sandbox.receipt', 'sandbox.fail', 'sandbox.retryRequest']
  for (const cmd of commands) {
    for (const connectionId of badIds) {
      const r = await fx.engine.send(cmd, { connectionId, phone: PHONE, code: 428 })
      assert.equal(r.ok, false, `${cmd} ${JSON.stringify(connectionId)}`)
      assert.equal(r.error.code, 'bad_request', `${cmd} ${JSON.stringify(connectionId)}`)
    }
  }
  assert.deepEqual(await readdir(fx.sessionsDir), [])
  assert.equal(await exists(join(fx.dir, 'evil')), false)
  assert.equal(await fx.engine.end(), 0)
})

test('start → connecting + QR in Baileys format; creds.json written at once, owner-only', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  await helloSandbox(fx)
  const started = Date.now()
  assert.deepEqual(await fx.engine.ok('start', { connectionId: 'user_1' }), { hasSession: false })

  const folder = join(fx.sessionsDir, 'user_1')
  const credsPath = join(folder, 'creds.json')
  assert.equal(await exists(credsPath), true, 'creds.json exists as soon as start replied')
  assert.equal((await stat(folder)).mode & 0o777, 0o700)
  assert.equal((await stat(credsPath)).mode & 0o777, 0o600)

  // the reply to start comes before any event of the socket it created
  const replyIdx = fx.engine.lines.findIndex((l) => l.type === 'reply' && l.result?.hasSession === false)
  const connecting = await fx.engine.next('connection.connecting', { connectionId: 'user_1' })
  assert.deepEqual(connecting.data, {})
  assert.ok(fx.engine.lines.indexOf(connecting) > replyIdx)

  const { data } = await fx.engine.next('connection.qr', { connectionId: 'user_1' })
  assert.equal(data.ref, 1)
  // every ref lives qrNextMs through the real socket (one qrTimeout; docs/engine-protocol.md)
  assert.ok(data.expiresAt >= started + FAST_SANDBOX.qrNextMs && data.expiresAt <= Date.now() + FAST_SANDBOX.qrNextMs)

  // Baileys 7 QR: https://wa.me/settings/linked_devices#ref,noiseKey,identityKey,advSecret,platformId
  const creds = JSON.parse(await readFile(credsPath, 'utf8'))
  const prefix = 'https://wa.me/settings/linked_devices#'
  assert.ok(data.qr.startsWith(prefix), data.qr)
  const [ref, noise, identity, adv, platform] = data.qr.slice(prefix.length).split(',')
  assert.match(ref, /^2@/)
  assert.equal(noise, creds.noiseKey.public.data)
  assert.equal(identity, creds.signedIdentityKey.public.data)
  assert.equal(adv, creds.advSecretKey)
  assert.match(platform, /^\d+$/)

  assert.deepEqual(await fx.engine.ok('list'), { connections: [{ connectionId: 'user_1', state: 'qr' }] })
  assert.equal(await fx.engine.end(), 0)
})

test('QR rotation: several refs, then close 408 (timedOut) like an unscanned Baileys session', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  await helloSandbox(fx, { qrFirstMs: 600, qrNextMs: 600, qrRefs: 3 })
  await fx.engine.ok('start', { connectionId: 'rot' })
  const qrs = []
  for (let i = 0; i < 3; i++) qrs.push((await fx.engine.next('connection.qr', { connectionId: 'rot' })).data)
  assert.deepEqual(qrs.map((q) => q.ref), [1, 2, 3])
  assert.equal(new Set(qrs.map((q) => q.qr)).size, 3, 'every ref is a new QR')
  assert.ok(qrs.every((q) => q.expiresAt > 0) && qrs[2].expiresAt > qrs[0].expiresAt, 'each ref replaces the one before')

  const close = await fx.engine.next('connection.close', { connectionId: 'rot' })
  assert.deepEqual(close.data, { code: 408, reason: 'timedOut', message: 'QR refs attempts ended', wasOpen: false, wasAuthenticated: false })
  assert.equal(fx.engine.events('connection.qr').length, 3, 'no QR after the close')
  assert.deepEqual(await fx.engine.ok('list'), { connections: [] }, 'a closed socket is dropped')
  assert.equal(await exists(join(fx.sessionsDir, 'rot', 'creds.json')), true, 'session folder kept')
  assert.equal(await fx.engine.end(), 0)
})

test('pairing lifecycle: scan → authenticated → 515 → start → open; stop; restart without QR; drop 428; logout', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx
  const id = 'ali'
  const folder = join(fx.sessionsDir, id)
  await helloSandbox(fx)

  await engine.ok('start', { connectionId: id })
  await engine.next('connection.qr', { connectionId: id })
  assert.deepEqual(await engine.ok('sandbox.scan', { connectionId: id, phone: PHONE, name: 'Ali' }), { linked: true, jid: JID })

  // a phone scanned with a name is a WhatsApp Business phone: its pair-success names it (Baileys' me.name)
  const auth = await engine.next('connection.authenticated', { connectionId: id })
  assert.deepEqual(auth.data, { jid: JID, phone: PHONE, name: 'Ali', isNewLogin: true })
  const restart = await engine.next('connection.close', { connectionId: id })
  assert.deepEqual(restart.data, { code: 515, reason: 'restartRequired', message: 'Stream Errored (restart required)', wasOpen: false, wasAuthenticated: true })
  assert.equal(engine.events('connection.authenticated').length, 1, 'creds.update + isNewLogin give one authenticated')

  // Java restarts at once after 515: a linked session opens without a QR. start waits for the
  // creds writes still queued for the folder, so its reply is the signal that creds.json is final.
  const qrCount = engine.events('connection.qr').length
  assert.deepEqual(await engine.ok('start', { connectionId: id }), { hasSession: true })
  const creds = JSON.parse(await readFile(join(folder, 'creds.json'), 'utf8'))
  assert.equal(creds.me.id, JID, 'saveCreds persisted me through useMultiFileAuthState')
  assert.equal(typeof creds.me.lid, 'string', 'the LID the phone announced at pairing')
  assert.equal(typeof creds.account?.accountSignature, 'string', 'the phone-signed device identity')
  await engine.next('connection.connecting', { connectionId: id })
  const relogin = await engine.next('connection.authenticated', { connectionId: id })
  assert.equal(relogin.data.isNewLogin, false)
  const open = await engine.next('connection.open', { connectionId: id })
  assert.deepEqual(open.data, { jid: JID, phone: PHONE, name: 'Ali' })
  assert.equal(engine.events('connection.qr').length, qrCount, 'no QR for a linked session')
  assert.deepEqual(await engine.ok('list'), { connections: [{ connectionId: id, state: 'open' }] })
  assert.equal((await engine.send('sandbox.scan', { connectionId: id, phone: PHONE })).error.code, 'invalid_state', 'no QR showing')

  // stop: no close event, folder kept
  let closes = engine.events('connection.close').length
  assert.deepEqual(await engine.ok('stop', { connectionId: id }), { stopped: true })
  assert.equal(await exists(join(folder, 'creds.json')), true)
  assert.deepEqual(await engine.ok('list'), { connections: [] })
  assert.deepEqual(await engine.ok('stop', { connectionId: id }), { stopped: false })

  // start again → open without QR; the new socket's open is the marker that the stopped
  // socket's close (had it been reported) is already in the stream
  assert.deepEqual(await engine.ok('start', { connectionId: id }), { hasSession: true })
  await engine.next('connection.open', { connectionId: id })
  assert.equal(engine.events('connection.close').length, closes, 'no close event for a stop Java asked for')
  assert.equal(engine.events('connection.qr').length, qrCount)

  // the server ends the stream (428: WhatsApp's xmlstreamend)
  assert.deepEqual(await engine.ok('sandbox.drop', { connectionId: id, code: 428 }), { dropped: true })
  const dropped = await engine.next('connection.close', { connectionId: id })
  assert.deepEqual(dropped.data, { code: 428, reason: 'connectionClosed', message: 'Connection Terminated by Server', wasOpen: true, wasAuthenticated: true })

  // reconnect, then logout: no close event, folder removed
  await engine.ok('start', { connectionId: id })
  await engine.next('connection.open', { connectionId: id })
  closes = engine.events('connection.close').length
  assert.deepEqual(await engine.ok('logout', { connectionId: id }), { loggedOut: true })
  assert.equal(await exists(folder), false, 'logout removes the session folder')
  assert.deepEqual(await engine.ok('list'), { connections: [] })
  assert.deepEqual(await engine.ok('logout', { connectionId: id }), { loggedOut: false })
  // a fresh start shows a QR (no session left); that QR is the marker that a close of the
  // logged-out socket would already have been reported
  assert.deepEqual(await engine.ok('start', { connectionId: id }), { hasSession: false })
  await engine.next('connection.qr', { connectionId: id })
  assert.equal(engine.events('connection.close').length, closes, 'no close event for a logout Java asked for')

  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('drop 401: loggedOut, and the phone keeps the device unlinked until purge', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx
  await helloSandbox(fx)
  await engine.ok('start', { connectionId: 'u401' })
  await engine.next('connection.qr', { connectionId: 'u401' })
  await engine.ok('sandbox.scan', { connectionId: 'u401', phone: PHONE })
  await engine.next('connection.close', { connectionId: 'u401', where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: 'u401' })
  await engine.next('connection.open', { connectionId: 'u401' })

  await engine.ok('sandbox.drop', { connectionId: 'u401', code: 401 })
  const close = await engine.next('connection.close', { connectionId: 'u401' })
  assert.equal(close.data.code, 401)
  assert.equal(close.data.reason, 'loggedOut')

  assert.deepEqual(await engine.ok('start', { connectionId: 'u401' }), { hasSession: true })
  const again = await engine.next('connection.close', { connectionId: 'u401' })
  assert.equal(again.data.code, 401, 'an unlinked device is refused again')

  assert.deepEqual(await engine.ok('purge', { connectionId: 'u401' }), { removed: true })
  assert.equal(await exists(join(fx.sessionsDir, 'u401')), false)
  assert.deepEqual(await engine.ok('start', { connectionId: 'u401' }), { hasSession: false })
  await engine.next('connection.qr', { connectionId: 'u401' })
  assert.equal(await engine.end(), 0)
})

test('start replaces a running socket silently; purge closes it without an event', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx
  await helloSandbox(fx)
  await engine.ok('start', { connectionId: 'twice' })
  await engine.next('connection.qr', { connectionId: 'twice' })
  await engine.ok('start', { connectionId: 'twice' })
  const qr = await engine.next('connection.qr', { connectionId: 'twice' })
  assert.equal(qr.data.ref, 1, 'a new socket starts its own ref count')
  assert.equal(engine.events('connection.close').length, 0, 'the replaced socket emits no close')
  assert.deepEqual(await engine.ok('list'), { connections: [{ connectionId: 'twice', state: 'qr' }] })

  assert.deepEqual(await engine.ok('purge', { connectionId: 'twice' }), { removed: true })
  assert.equal(await exists(join(fx.sessionsDir, 'twice')), false)
  assert.deepEqual(await engine.ok('purge', { connectionId: 'twice' }), { removed: false })
  assert.equal((await engine.send('sandbox.drop', { connectionId: 'twice', code: 428 })).error.code, 'not_found')
  assert.equal((await engine.send('sandbox.drop', { connectionId: 'nobody', code: 'x' })).error.code, 'bad_request')
  // marker: a new socket's first QR comes after any close the purged socket could have reported
  await engine.ok('start', { connectionId: 'twice' })
  await engine.next('connection.qr', { connectionId: 'twice', where: (d) => d.ref === 1 })
  assert.equal(engine.events('connection.close').length, 0, 'purge closes without an event')
  assert.equal(await engine.end(), 0)
})

test('stdin EOF closes all sockets, keeps sessions, exits 0', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  await helloSandbox(fx)
  await fx.engine.ok('start', { connectionId: 'a' })
  await fx.engine.ok('start', { connectionId: 'b' })
  await fx.engine.next('connection.qr', { connectionId: 'a' })
  await fx.engine.next('connection.qr', { connectionId: 'b' })
  assert.equal(await fx.engine.end(), 0)
  assert.equal(fx.engine.events('connection.close').length, 0, 'a close Java asked for is not reported')
  assert.deepEqual((await readdir(fx.sessionsDir)).sort(), ['a', 'b'])
})

test('SIGTERM behaves like stdin EOF', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  await helloSandbox(fx)
  await fx.engine.ok('start', { connectionId: 'a' })
  await fx.engine.next('connection.qr', { connectionId: 'a' })
  fx.engine.child.kill('SIGTERM')
  assert.equal(await fx.engine.exited, 0)
  assert.equal(await exists(join(fx.sessionsDir, 'a', 'creds.json')), true)
})
