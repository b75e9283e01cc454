import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { test } from 'node:test'
import { serverAcks, withoutSendErrors } from '../src/server-acks.js'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'
import { waitFor } from './support/sandbox-messaging.js'

/*
 * `send` replies at WhatsApp's server ack (src/server-acks.js, docs/engine-protocol.md "send"):
 * through the real socket against the emulator, an error ack is the send's failure with the
 * ack's code, a success is the server's acceptance, and the same id sent again is one message
 * for the contact. The tracker's timing rules (timeout, close, early ack) are checked on the
 * socket's two emitters directly, where time can be made short.
 */

const PHONE = '923004447771'
const PEER_JID = '923001112299@s.whatsapp.net'
const newId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`

test('send through the emulator: an error ack is send_failed with its code and no failed status; a success counts once, also when the same id is sent again', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await engine.hello({ mode: 'sandbox', sessionsDir: join(fx.dir, 'sessions'), sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(fx.dir, 'emulator') } })
  await engine.ok('start', { connectionId: 'a' })
  await engine.next('connection.qr', { connectionId: 'a' })
  await engine.ok('sandbox.scan', { connectionId: 'a', phone: PHONE })
  await engine.next('connection.close', { connectionId: 'a', where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: 'a' })
  await engine.next('connection.open', { connectionId: 'a' })

  // a transient refusal (500) and a refused message (400): the send itself fails with the code
  assert.deepEqual(await engine.ok('sandbox.fail', { connectionId: 'a', count: 2, code: 500 }), { pending: 2 })
  const id = newId()
  const text = { type: 'text', text: 'accepted at last' }
  const first = await engine.send('send', { connectionId: 'a', messageId: id, jid: PEER_JID, content: text })
  assert.equal(first.ok, false)
  assert.equal(first.error.code, 'send_failed')
  assert.equal(first.error.statusCode, 500)
  assert.match(first.error.message, /error ack 500/)
  const second = await engine.send('send', { connectionId: 'a', messageId: id, jid: PEER_JID, content: text })
  assert.equal(second.error.statusCode, 500)
  await engine.ok('sandbox.fail', { connectionId: 'a', count: 1, code: 400 })
  const refusedId = newId()
  const refused = await engine.send('send', { connectionId: 'a', messageId: refusedId, jid: PEER_JID, content: { type: 'text', text: 'no' } })
  assert.equal(refused.error.statusCode, 400)

  // the third attempt of the same id is accepted; the contact decrypts it once, and once more
  // after the same id is sent again (a retry after a lost ack): still one message
  const ok = await engine.ok('send', { connectionId: 'a', messageId: id, jid: PEER_JID, content: text })
  assert.equal(ok.providerMessageId, id)
  const ledger = async () => (await engine.ok('sandbox.sent', { connectionId: 'a' })).messages
  await waitFor(async () => (await ledger()).find((e) => e.id === id), 'the contact decrypted the accepted message')
  assert.deepEqual((await ledger()).filter((e) => e.id === id), [{ id, jid: PEER_JID, count: 1, resends: 0, content: { type: 'text', text: text.text } }])
  assert.equal((await ledger()).some((e) => e.id === refusedId), false, 'a refused message reaches nobody')
  await engine.ok('send', { connectionId: 'a', messageId: id, jid: PEER_JID, content: text })
  await waitFor(async () => (await ledger()).find((e) => e.id === id && e.resends === 1), 'the same id again arrives as a resend')
  assert.deepEqual((await ledger()).filter((e) => e.id === id), [{ id, jid: PEER_JID, count: 1, resends: 1, content: { type: 'text', text: text.text } }])

  // marker: the contact's delivery receipt for the accepted message comes after every error ack's
  // update would have; none of them was reported as a failed status. The receipt is a
  // messages.update, or, while Baileys buffers events, folded into the echo of our own message
  // (a messages.upsert carrying the status: event-buffer.test.js); the error acks can be folded
  // into that echo the same way, so both event kinds are checked
  const statusEvents = () => engine.events().filter((/** @type {any} */ e) => e.connectionId === 'a' &&
    (e.event === 'messages.update' || e.event === 'messages.upsert'))
  const carries = (/** @type {any} */ e, /** @type {string} */ status) => JSON.stringify(e.data).includes(id) && JSON.stringify(e.data).includes(`"status":"${status}"`)
  await waitFor(() => statusEvents().find((e) => carries(e, 'delivered')), 'the contact\'s delivery receipt of the accepted message arrived', 60000)
  assert.deepEqual(statusEvents().filter((e) => carries(e, 'failed')), [])
})

/** A socket's two emitters, as Baileys has them: `ws` (frames) and `ev` (events). */
function fakeSocketEmitters () {
  return { ws: new EventEmitter(), ev: new EventEmitter() }
}
const ack = (id, error) => ({ tag: 'ack', attrs: { class: 'message', id, ...(error ? { error } : {}) } })

test('server acks: success, error code, an ack before the wait, timeout (408), close (428), one listener for many sends', async () => {
  const sock = fakeSocketEmitters()
  const acks = /** @type {NonNullable<ReturnType<typeof serverAcks>>} */ (serverAcks(sock))
  assert.equal(serverAcks(sock), acks, 'one tracker per socket')
  assert.equal(serverAcks({ ev: new EventEmitter() }), null, 'no frames (a stand-in): no tracker')

  const waits = Array.from({ length: 30 }, (_, i) => acks.expect(`M${i}`))
  assert.equal(sock.ws.listenerCount('CB:ack,class:message'), 1)
  const done = waits.map((w) => w.done(5000))
  for (let i = 0; i < 30; i++) sock.ws.emit('CB:ack,class:message', ack(`M${i}`, i === 7 ? '479' : undefined))
  const results = await Promise.allSettled(done)
  assert.deepEqual(results.map((r) => r.status).filter((s) => s === 'rejected').length, 1)
  assert.equal(/** @type {any} */ (results[7]).reason.output.statusCode, 479)

  const early = acks.expect('EARLY')
  sock.ws.emit('CB:ack,class:message', ack('EARLY', '500'))
  await assert.rejects(early.done(5000), (err) => /** @type {any} */ (err).output.statusCode === 500)
  sock.ws.emit('CB:ack,class:message', ack('NOT-OURS')) // an ack for a message `send` did not send: ignored

  // the same id in flight twice: one ack answers both
  const twice = [acks.expect('TWICE').done(5000), acks.expect('TWICE').done(5000)]
  sock.ws.emit('CB:ack,class:message', ack('TWICE'))
  await Promise.all(twice)

  await assert.rejects(acks.expect('SLOW').done(20), (err) => /** @type {any} */ (err).output.statusCode === 408)
  const pending = acks.expect('CLOSING').done(5000)
  sock.ev.emit('connection.update', { connection: 'close' })
  await assert.rejects(pending, (err) => /** @type {any} */ (err).output.statusCode === 428)
  await assert.rejects(acks.expect('AFTER').done(5000), (err) => /** @type {any} */ (err).output.statusCode === 428)
})

test('withoutSendErrors drops only ERROR updates of ids sent through send', () => {
  const sock = fakeSocketEmitters()
  const acks = /** @type {NonNullable<ReturnType<typeof serverAcks>>} */ (serverAcks(sock))
  acks.expect('OURS').cancel()
  const updates = [
    { key: { id: 'OURS', fromMe: true }, update: { status: 0 } },
    { key: { id: 'OURS', fromMe: true }, update: { status: 3 } },
    { key: { id: 'OTHER', fromMe: true }, update: { status: 0 } }
  ]
  assert.deepEqual(withoutSendErrors(sock, updates), updates.slice(1))
  assert.equal(withoutSendErrors({ ev: new EventEmitter() }, updates), updates, 'a stand-in without frames: unchanged')
})
