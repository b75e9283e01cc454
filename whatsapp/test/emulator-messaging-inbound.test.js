import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { test } from 'node:test'
import { proto } from 'baileys'
import { openAccount, PHONE } from './support/messaging.js'

/*
 * Contacts → linked device through the emulator and the REAL Baileys socket: text, reply,
 * LID-addressed sender, edit, revoke, reaction; offline delivery at the next login.
 */

const CONTACT = '15550003333'

test('inbound text, reply, edit, revoke and reaction arrive as messages.upsert with the right proto; the device acks and receipts are recorded', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  const first = await m.inbound(PHONE, { from: CONTACT, text: 'hi there', pushName: 'Carol' })
  const got = await a.upserted((x) => x.key.id === first.id, 'the text')
  assert.equal(got.message.conversation, 'hi there')
  assert.equal(got.key.fromMe, false)
  assert.equal(got.pushName, 'Carol')
  assert.equal(got.key.remoteJid, `${CONTACT}@s.whatsapp.net`)

  // a reply to the device's own message quotes it with the account as participant
  const mine = await a.send(`${CONTACT}@s.whatsapp.net`, { text: 'question?' })
  await a.status(mine.key.id, 3, 'delivery')
  const reply = await m.inbound(PHONE, { from: CONTACT, type: 'reply', text: 'answer!', replyTo: mine.key.id })
  const r = await a.upserted((x) => x.key.id === reply.id, 'the reply')
  assert.equal(r.message.extendedTextMessage.text, 'answer!')
  assert.equal(r.message.extendedTextMessage.contextInfo.stanzaId, mine.key.id)
  assert.equal(r.message.extendedTextMessage.contextInfo.participant, `${PHONE}@s.whatsapp.net`)
  assert.equal(r.message.extendedTextMessage.contextInfo.quotedMessage.extendedTextMessage?.text ?? r.message.extendedTextMessage.contextInfo.quotedMessage.conversation, 'question?')

  const edit = await m.inbound(PHONE, { from: CONTACT, type: 'edit', text: 'hi there (edited)', replyTo: first.id })
  const e = await a.upserted((x) => x.key.id === edit.id || x.message?.protocolMessage?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, 'the edit')
  const pm = e.message.protocolMessage ?? e.message.editedMessage?.message?.protocolMessage
  assert.equal(pm.type, proto.Message.ProtocolMessage.Type.MESSAGE_EDIT)
  assert.equal(pm.key.id, first.id)
  assert.equal(pm.editedMessage.conversation, 'hi there (edited)')

  const reaction = await m.inbound(PHONE, { from: CONTACT, type: 'reaction', text: '❤', replyTo: mine.key.id })
  const rx = await a.upserted((x) => x.key.id === reaction.id, 'the reaction')
  assert.equal(rx.message.reactionMessage.text, '❤')
  assert.equal(rx.message.reactionMessage.key.id, mine.key.id)

  const revoke = await m.inbound(PHONE, { from: CONTACT, type: 'revoke', replyTo: first.id })
  const rv = await a.upserted((x) => x.key.id === revoke.id, 'the revoke')
  assert.equal(rv.message.protocolMessage.type, proto.Message.ProtocolMessage.Type.REVOKE)
  assert.equal(rv.message.protocolMessage.key.id, first.id)

  // Baileys acked every stanza and sent a delivery receipt for each message
  await a.client.sock.readMessages([got.key])
  await m.waitFor(() => m.received(PHONE).find((x) => x.id === first.id)?.receipts.some((r) => r.type === 'read'), 5000)
  const seen = m.received(PHONE)
  assert.deepEqual(seen.map((x) => x.type), ['text', 'reply', 'edit', 'reaction', 'revoke'])
  // a decrypted message is answered by one delivery receipt (type inactive while the socket is not
  // marked online), which is its ack
  for (const x of seen) assert.equal(x.receipts.filter((r) => r.type === 'inactive' || r.type === 'delivery').length, 1, `${x.type} receipted once`)
  assert.ok(seen.find((x) => x.id === first.id).receipts.some((r) => r.type === 'read'), 'read receipt recorded')
  const files = await readdir(a.dir)
  assert.ok(files.some((f) => f.startsWith('session-')), 'a Signal session with the contact is on disk')
})

test('a LID-addressed sender: the key has the LID remoteJid and the phone in remoteJidAlt', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  const sent = await m.inbound(PHONE, { from: CONTACT, text: 'from my lid', asLid: true })
  const contact = m.contacts.contactFor(CONTACT)
  assert.equal(sent.remoteJid, `${contact.lid}@lid`)
  const got = await a.upserted((x) => x.key.id === sent.id, 'the LID message')
  assert.equal(got.key.remoteJid, `${contact.lid}@lid`)
  assert.equal(got.key.remoteJidAlt, `${CONTACT}@s.whatsapp.net`)
  assert.equal(got.message.conversation, 'from my lid')
  // the device can answer on the LID chat and the contact decrypts it
  const back = await a.send(got.key.remoteJid, { text: 'back to the lid' })
  await a.status(back.key.id, 3, 'delivery of the answer')
  const entry = m.sent(PHONE).find((e) => e.id === back.key.id)
  assert.equal(entry.contact, CONTACT)
  assert.equal(entry.text, 'back to the lid')
})

test('inbound while the device is offline is queued and delivered at the next login, counted in <ib><offline>', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  a.client.end()
  await a.client.closed()
  await waitUntil(() => !a.emulator.deviceFor(PHONE).online)
  const one = await m.inbound(PHONE, { from: CONTACT, text: 'while you were away 1' })
  const two = await m.inbound(PHONE, { from: CONTACT, text: 'while you were away 2' })
  assert.deepEqual([one.live, one.queued], [0, 1])
  const flushed = []
  m.subscribe((e) => { if (e.kind === 'offline') flushed.push(e.count) })
  const b = await a.reconnect()
  await b.client.opened()
  const got1 = await b.upserted((x) => x.key.id === one.id, 'offline message 1')
  const got2 = await b.upserted((x) => x.key.id === two.id, 'offline message 2')
  assert.equal(got1.message.conversation, 'while you were away 1')
  assert.equal(got2.message.conversation, 'while you were away 2')
  assert.equal(b.upserts.find((u) => u.msg.key.id === one.id).type, 'append', 'Baileys treats offline stanzas as append')
  assert.equal(m.stateOf(PHONE).offline.size, 0)
  assert.deepEqual(flushed, [2], 'both went out at login, before <ib><offline count=2>')
})

/** @param {() => boolean} pred */
async function waitUntil (pred, ms = 5000) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('a message the device never acked (its session ended first) is delivered again at the next login, as WhatsApp does', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  // the server writes the message to the live session, but it never reaches the device (its
  // process was killed with the message in the socket's buffer): no ack comes back
  const [live] = a.emulator.liveSessions(PHONE)
  const send = live.send
  live.send = (node) => node.tag === 'message' ? true : send(node)
  const lost = await m.inbound(PHONE, { from: CONTACT, text: 'never reached the device' })
  assert.deepEqual([lost.live, lost.queued], [1, 0])
  live.send = send
  a.client.end()
  await a.client.closed()
  await waitUntil(() => !a.emulator.deviceFor(PHONE).online)
  const flushed = []
  m.subscribe((e) => { if (e.kind === 'offline') flushed.push(e.count) })
  const b = await a.reconnect()
  await b.client.opened()
  const again = await b.upserted((x) => x.key.id === lost.id, 'the redelivery at the next login')
  assert.equal(again.message.conversation, 'never reached the device')
  assert.deepEqual(flushed, [1], 'sent again at login, before <ib><offline count=1>')
  // the device says it has it (offline messages get a receipt)
  await waitUntil(() => m.received(PHONE).find((e) => e.id === lost.id).receipts.length > 0)

  // acked this time: a further login owes nothing
  const flushedLater = []
  m.subscribe((e) => { if (e.kind === 'offline') flushedLater.push(e.count) })
  b.client.end()
  await b.client.closed()
  await waitUntil(() => !a.emulator.deviceFor(PHONE).online)
  const c = await a.reconnect()
  await c.client.opened()
  await waitUntil(() => flushedLater.length === 1)
  assert.deepEqual(flushedLater, [0])
})
