import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture, spawnEngine } from './support/engine.js'
import { statusSeen, waitFor } from './support/sandbox-messaging.js'

/*
 * sandbox.* messaging commands with sandbox.socket "emulator": the engine contracts
 * (docs/engine-protocol.md) kept, driving the emulator's Signal messaging through the real socket.
 */

const PHONE = '923004445556'
const PEER = '923001112233'
const PEER_JID = `${PEER}@s.whatsapp.net`
const newId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`

/** @param {any} engine @param {string} dir */
function hello (engine, dir) {
  return engine.hello({ mode: 'sandbox', sessionsDir: join(dir, 'sessions'), sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(dir, 'emulator') } })
}

/** @param {any} engine @param {string} id */
async function linkedOpen (engine, id) {
  await engine.ok('start', { connectionId: id })
  await engine.next('connection.qr', { connectionId: id })
  await engine.ok('sandbox.scan', { connectionId: id, phone: PHONE })
  await engine.next('connection.close', { connectionId: id, where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: id })
  await engine.next('connection.open', { connectionId: id })
}

test('send is decrypted by the contact exactly once (sandbox.sent), receipts come back, inbound text/reply/LID arrive; all survives an engine kill -9', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await hello(engine, fx.dir)
  await linkedOpen(engine, 'm')

  const id = newId()
  const sent = await engine.ok('send', { connectionId: 'm', messageId: id, jid: PEER_JID, content: { type: 'text', text: 'hello contact' } })
  assert.equal(sent.providerMessageId, id)
  const ledger = await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'm' })).messages.find((e) => e.id === id), 'the contact decrypted it')
  assert.deepEqual(ledger, { id, jid: PEER_JID, count: 1, resends: 0, content: { type: 'text', text: 'hello contact' } })

  // the contact's phone acknowledges delivery by itself, then reads (Baileys may fold a status
  // into the buffered upsert or report it as messages.update: either is the status Java gets)
  await waitFor(async () => statusSeen(engine, id, 'delivered'), 'delivered')
  assert.deepEqual(await engine.ok('sandbox.receipt', { connectionId: 'm', providerMessageId: id, status: 'read' }), { sent: true })
  await waitFor(async () => statusSeen(engine, id, 'read'), 'read')
  // without any command the contact reads too (after 2 × receiptDelayMs)
  const unread = newId()
  await engine.ok('send', { connectionId: 'm', messageId: unread, jid: PEER_JID, content: { type: 'text', text: 'read me' } })
  await waitFor(async () => statusSeen(engine, unread, 'read'), 'read by itself')

  const inbound = await engine.ok('sandbox.inbound', { connectionId: 'm', from: PEER, message: 'hi gateway', pushName: 'Peer' })
  assert.equal(inbound.remoteJid, PEER_JID)
  const up = await engine.next('messages.upsert', { connectionId: 'm', where: (d) => JSON.stringify(d).includes(inbound.providerMessageId) })
  assert.match(JSON.stringify(up.data), /hi gateway/)
  const reply = await engine.ok('sandbox.inbound', { connectionId: 'm', from: PEER, message: 'a reply', replyToProviderMessageId: id })
  const replied = await engine.next('messages.upsert', { connectionId: 'm', where: (d) => JSON.stringify(d).includes(reply.providerMessageId) })
  assert.match(JSON.stringify(replied.data), new RegExp(id))
  const lid = await engine.ok('sandbox.inbound', { connectionId: 'm', from: PEER, message: 'from a lid', asLid: true })
  assert.match(lid.remoteJid, /@lid$/)
  await engine.next('messages.upsert', { connectionId: 'm', where: (d) => JSON.stringify(d).includes(lid.providerMessageId) })

  // a contact's image: a real encrypted blob on the emulator's media host; the sender is the
  // contact's phone (Baileys rc14 leaves key.participant '' on 1:1 messages)
  const image = await engine.ok('sandbox.inbound', { connectionId: 'm', from: PEER, type: 'image', message: 'a cat' })
  const pic = await engine.next('messages.upsert', { connectionId: 'm', where: (d) => JSON.stringify(d).includes(image.providerMessageId) })
  const parsed = pic.data.messages[0].parsed
  assert.deepEqual([parsed.type, parsed.caption, parsed.mimeType, parsed.senderPhone], ['image', 'a cat', 'image/png', PEER])
  assert.equal(pic.data.messages[0].key.participant, null)
  assert.equal((await engine.send('sandbox.receipt', { connectionId: 'm', providerMessageId: 'NOPE1234', status: 'read' })).error.code, 'not_found')

  // kill -9: the emulator's contacts keep their Signal sessions (saved state), so the next send and inbound still decrypt
  await new Promise((resolve) => setTimeout(resolve, 400)) // past the 200 ms coalescing window of routine saves
  engine.kill()
  await engine.exited
  const again = spawnEngine({ timeoutMs: 20000 })
  t.after(() => again.kill())
  await hello(again, fx.dir)
  await again.ok('start', { connectionId: 'm' })
  await again.next('connection.open', { connectionId: 'm' })
  const id2 = newId()
  await again.ok('send', { connectionId: 'm', messageId: id2, jid: PEER_JID, content: { type: 'text', text: 'after the kill' } })
  const l2 = await waitFor(async () => (await again.ok('sandbox.sent', { connectionId: 'm' })).messages.find((e) => e.id === id2), 'decrypted after the kill')
  assert.equal(l2.count, 1)
  const in2 = await again.ok('sandbox.inbound', { connectionId: 'm', from: PEER, message: 'still here' })
  await again.next('messages.upsert', { connectionId: 'm', where: (d) => JSON.stringify(d).includes(in2.providerMessageId) && JSON.stringify(d).includes('still here') })
  // Stopped before the fixture removes its folder (the emulator saves a last time as it stops).
  assert.equal(await again.end(), 0)
})
