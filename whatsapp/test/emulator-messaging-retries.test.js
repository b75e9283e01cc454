import assert from 'node:assert/strict'
import { test } from 'node:test'
import { proto } from 'baileys'
import { openAccount, PHONE } from './support/messaging.js'

/*
 * Failure paths through the emulator and the REAL Baileys socket: error acks (fail), retry
 * receipts answered through getMessage, undecryptable messages recovered by a retry, a
 * contact's identity change, and a burst of inbound messages.
 */

const CONTACT = '15550004444'
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`

test('fail: the next message gets an error ack → messages.update ERROR with the code, and it reaches nobody', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  assert.deepEqual(m.fail(PHONE, { count: 1, code: '479' }), { left: 1, code: '479' })
  const lost = await a.send(CONTACT_JID, { text: 'will fail' })
  const err = await a.status(lost.key.id, 0, 'the error update')
  assert.deepEqual(err.update?.messageStubParameters ?? err.msg.messageStubParameters, ['479'])
  const ok = await a.send(CONTACT_JID, { text: 'goes through' })
  await a.status(ok.key.id, 3, 'delivery of the next one')
  assert.deepEqual(m.sent(PHONE).map((e) => [e.text, e.count]), [['goes through', 1]], 'the failed message is not in the ledger')
  assert.equal(m.stateOf(PHONE).fail.left, 0)
})

test('retry request: the contact asks again, Baileys calls getMessage and resends; the contact decrypts it (count 1, resends 1)', async (t) => {
  // no in-memory recent-message cache: the resend must come through getMessage (the gateway's store)
  const a = await openAccount(t, { config: { enableRecentMessageCache: false } })
  const m = a.emulator.messaging
  const sent = await a.send(CONTACT_JID, { text: 'please resend me' })
  await a.status(sent.key.id, 3, 'delivery')
  const r = await m.retryRequest(PHONE, { id: sent.key.id, to: CONTACT })
  assert.deepEqual(r, { resent: true, resends: 1, count: 1 })
  assert.ok(a.getMessageCalls.some((k) => k.id === sent.key.id), 'getMessage was asked for the message')
  const entry = m.sent(PHONE).find((e) => e.id === sent.key.id)
  assert.equal(entry.text, 'please resend me')
  assert.equal(entry.lastType, 'pkmsg', 'the resend starts a new session from the keys in the retry receipt')
  await assert.rejects(m.retryRequest(PHONE, { id: 'NOPE', to: CONTACT }), /no message NOPE/)
})

test('undecryptable: Baileys emits a CIPHERTEXT stub with its reason, sends a retry receipt, and the contact\'s resend arrives decrypted', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  const sent = await m.inbound(PHONE, { from: CONTACT, type: 'undecryptable', text: 'secret after all' })
  const stub = await a.upserted((x) => x.key.id === sent.id && x.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT, 'the CIPHERTEXT stub')
  assert.equal(stub.messageStubParameters[0], 'No session record')
  const fixed = await a.upserted((x) => x.key.id === sent.id && x.message?.conversation, 'the decrypted resend')
  assert.equal(fixed.message.conversation, 'secret after all')
  const entry = m.received(PHONE).find((x) => x.id === sent.id)
  assert.equal(entry.resent, 1)
  assert.ok(entry.receipts.some((r) => r.type === 'retry'), 'the device sent a retry receipt')
})

test('identity change: the contact reinstalls, Baileys refetches its keys, and messages work both ways afterwards', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  const before = await m.inbound(PHONE, { from: CONTACT, text: 'old install' })
  await a.upserted((x) => x.key.id === before.id, 'message from the old install')
  const s1 = await a.send(CONTACT_JID, { text: 'to the old install' })
  await a.status(s1.key.id, 3, 'delivery to the old install')
  const oldIdentity = m.contacts.contactFor(CONTACT).identityKeyPair.pubKey

  const acked = m.waitFor((e) => e.kind === 'ack' && e.class === 'notification', 5000)
  const { notification, installs } = m.reinstall(PHONE, { contact: CONTACT })
  assert.equal(installs, 2)
  assert.ok(notification)
  assert.equal(await acked, true, 'Baileys handled the identity notification')
  assert.ok(!m.contacts.contactFor(CONTACT).identityKeyPair.pubKey.equals(oldIdentity))

  const s2 = await a.send(CONTACT_JID, { text: 'to the new install' })
  await a.status(s2.key.id, 3, 'delivery to the new install')
  const e2 = m.sent(PHONE).find((e) => e.id === s2.key.id)
  assert.deepEqual([e2.text, e2.count, e2.type], ['to the new install', 1, 'pkmsg'])
  const after = await m.inbound(PHONE, { from: CONTACT, text: 'new install' })
  const got = await a.upserted((x) => x.key.id === after.id, 'message from the new install')
  assert.equal(got.message.conversation, 'new install')
})

test('burst: 200 inbound messages from 20 senders all arrive decrypted exactly once', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  const r = await m.burst(PHONE, { count: 200, batch: 50, senders: 20 })
  assert.equal(r.acked, 200)
  t.diagnostic(`burst: ${r.count} messages in ${r.ms} ms = ${r.perSecond} msg/s (encrypt, deliver, Baileys decrypt + receipt; all written after ${r.sendMs} ms)`)
  const bench = a.upserts.filter((u) => u.msg.message?.conversation?.startsWith('bench '))
  const seqs = bench.map((u) => Number(u.msg.message.conversation.split(' ')[2])).sort((x, y) => x - y)
  assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i), 'every message once, none twice')
  assert.equal(new Set(bench.map((u) => u.msg.key.remoteJid)).size, 20)
  // a second burst reuses the sessions: msg, not pkmsg
  const r2 = await m.burst(PHONE, { count: 100, batch: 100, senders: 20 })
  assert.equal(r2.acked, 100)
  t.diagnostic(`burst on warm sessions: ${r2.count} messages in ${r2.ms} ms = ${r2.perSecond} msg/s (all written after ${r2.sendMs} ms)`)
})
