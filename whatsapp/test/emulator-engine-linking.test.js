import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'
import { linkedOpen, PHONE } from './support/sandbox-messaging.js'

/*
 * The engine's pairing-code and contact commands, driven over stdin/stdout like Java drives
 * them, with the real Baileys socket against the engine's own emulator.
 */

const JID = `${PHONE}:1@s.whatsapp.net`

test('pairing.request after the first QR, sandbox.pair with a wrong code (refused, nothing linked), then the right one: authenticated, 515, login without QR', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx
  await engine.hello({ mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: FAST_SANDBOX })
  await engine.ok('start', { connectionId: 'ali' })
  const before = Date.now()
  const { code, expiresAt } = await engine.ok('pairing.request', { connectionId: 'ali', phone: PHONE })
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
  // FAST_SANDBOX: 3 refs of 5 s each, counted from the first QR
  assert.ok(expiresAt > before + 10000 && expiresAt <= Date.now() + 15000, `expiresAt ${expiresAt - before} ms ahead`)
  assert.equal(engine.events('connection.authenticated').length, 0, 'asking for a code is not a login')

  const wrong = (code[0] === 'A' ? 'B' : 'A') + code.slice(1)
  assert.deepEqual(await engine.ok('sandbox.pair', { connectionId: 'ali', phone: PHONE, code: wrong }), { linked: false, jid: null, reason: 'wrong_code' })
  assert.deepEqual(await engine.ok('sandbox.pair', { connectionId: 'ali', phone: PHONE, code }), { linked: true, jid: JID, reason: null })
  const auth = await engine.next('connection.authenticated', { connectionId: 'ali' })
  assert.equal(auth.data.jid, JID)
  assert.equal(auth.data.isNewLogin, true)
  assert.equal((await engine.next('connection.close', { connectionId: 'ali' })).data.code, 515)
  const qrs = engine.events('connection.qr').length
  assert.deepEqual(await engine.ok('start', { connectionId: 'ali' }), { hasSession: true })
  assert.equal((await engine.next('connection.open', { connectionId: 'ali' })).data.jid, JID)
  assert.equal(engine.events('connection.qr').length, qrs)
  const err = await engine.send('pairing.request', { connectionId: 'ali', phone: PHONE })
  assert.equal(err.error.code, 'invalid_state', 'a linked connection gets no code')
})

test('a code whose registration ended has expired, and the next start registers afresh (no login as the half-linked phone)', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx
  await engine.hello({ mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: { ...FAST_SANDBOX, qrFirstMs: 1000, qrNextMs: 1000, qrRefs: 1 } })
  await engine.ok('start', { connectionId: 'bo' })
  const { code } = await engine.ok('pairing.request', { connectionId: 'bo', phone: PHONE })
  const closed = await engine.next('connection.close', { connectionId: 'bo' })
  assert.equal(closed.data.code, 408, 'the QR refs ran out')
  const creds = JSON.parse(await readFile(join(fx.sessionsDir, 'bo', 'creds.json'), 'utf8'))
  assert.equal(creds.me.id, `${PHONE}@s.whatsapp.net`, 'Baileys left the phone asked for in creds')
  assert.deepEqual(await engine.ok('start', { connectionId: 'bo' }), { hasSession: false })
  await engine.next('connection.qr', { connectionId: 'bo' })
  const err = await engine.send('sandbox.pair', { connectionId: 'bo', phone: PHONE, code })
  assert.equal(err.ok, true)
  assert.equal(err.result.reason, 'expired')
})

test('contacts.check: one answer per number in order (existing with jid and lid, not on WhatsApp); contacts.picture set, hidden, none; names reach contacts.upsert', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 15000 })
  const { engine } = fx
  await linkedOpen(fx, 'cy')
  await engine.ok('sandbox.contact', { connectionId: 'cy', phone: '923009990000', onWhatsApp: false })
  await engine.ok('sandbox.contact', { connectionId: 'cy', phone: '923001110000', picture: 'set' })
  await engine.ok('sandbox.contact', { connectionId: 'cy', phone: '923001110001', picture: 'hidden' })
  const { results } = await engine.ok('contacts.check', { connectionId: 'cy', phones: ['923001110000', '923009990000', '923001110001'] })
  assert.deepEqual(results.map((r) => [r.phone, r.exists, r.jid]), [
    ['923001110000', true, '923001110000@s.whatsapp.net'],
    ['923009990000', false, null],
    ['923001110001', true, '923001110001@s.whatsapp.net']
  ])
  assert.match(results[0].lid, /^[0-9]+@lid$/)
  assert.equal(results[1].lid, null)
  const set = await engine.ok('contacts.picture', { connectionId: 'cy', jid: '923001110000@s.whatsapp.net' })
  assert.match(set.url, /^http:\/\/127\.0\.0\.1:\d+\/pp\/923001110000\/1\.png$/)
  assert.equal((await fetch(set.url)).headers.get('content-type'), 'image/png')
  assert.deepEqual(await engine.ok('contacts.picture', { connectionId: 'cy', jid: '923001110001@s.whatsapp.net' }), { url: null })
  assert.deepEqual(await engine.ok('contacts.picture', { connectionId: 'cy', jid: '923001119999@s.whatsapp.net' }), { url: null })
  assert.equal((await engine.send('contacts.check', { connectionId: 'cy', phones: Array.from({ length: 51 }, (_, i) => `9230011${String(i).padStart(5, '0')}`) })).error.code, 'bad_request')

  await engine.ok('sandbox.inbound', { connectionId: 'cy', from: '923001110000', message: 'hi', pushName: 'Sara' })
  const names = await engine.seen('contacts.upsert', { connectionId: 'cy', where: (d) => d.contacts.some((c) => c.notify === 'Sara') })
  const sara = names.data.contacts.find((c) => c.notify === 'Sara')
  assert.equal(sara.phone, '923001110000')
})
