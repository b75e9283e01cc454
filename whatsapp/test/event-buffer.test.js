import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { test } from 'node:test'
import { makeEventBuffer, proto } from 'baileys'
import { mapMessagesUpsert } from '../src/mapper.js'
import { serverAcks, withoutOwnEchoes } from '../src/server-acks.js'

const silent = { trace () {}, debug () {}, info () {}, warn () {}, error () {}, child () { return silent } }

/**
 * What Java relies on (InboundMessages.ownStatusOf): Baileys' event buffer merges a receipt for
 * one of our messages into that message's own `append` echo when both are buffered (a first
 * connection buffers events until the initial sync is done). Only the upsert is emitted, carrying
 * the receipt's status; no `messages.update` follows. Guards a Baileys upgrade changing this.
 */
test('a receipt buffered after our message echo is merged into the echo; the mapped echo carries the status', () => {
  const ev = makeEventBuffer(silent)
  /** @type {Array<[string, any]>} */
  const seen = []
  ev.on('messages.upsert', (u) => seen.push(['messages.upsert', u]))
  ev.on('messages.update', (u) => seen.push(['messages.update', u]))
  const key = { remoteJid: '923001230007@s.whatsapp.net', id: '3EB0ECHO00000001', fromMe: true }

  ev.buffer()
  ev.emit('messages.upsert', {
    type: 'append',
    messages: [{ key, message: { conversation: 'echoed' }, messageTimestamp: 1763700000, status: proto.WebMessageInfo.Status.PENDING }]
  })
  ev.emit('messages.update', [{ key, update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK, messageTimestamp: 1763700001 } }])
  ev.flush()

  assert.deepEqual(seen.map(([name]) => name), ['messages.upsert'])
  const mapped = mapMessagesUpsert(seen[0][1], { me: { id: '923008880006:1@s.whatsapp.net' } })
  assert.equal(mapped?.messages[0].status, 'delivered')
  assert.equal(mapped?.messages[0].key.fromMe, true)
})

/**
 * The same merge carries a send's error ack (a CI failure: a message that was being retried
 * after a 500 ended `failed`). Baileys reports an error ack as a `messages.update` with status
 * ERROR; buffered, it is merged into the echo (update after the echo) or absorbed by it (update
 * before the echo). `send` already failed with that code and Java retries. The engine reports no
 * echo of a message sent through `send` (withoutOwnEchoes: Java stored it before it was sent),
 * except one a receipt was merged into; anyone else's message keeps its status, ERROR included.
 */
test('our plain echoes and those carrying a send error ack are not reported; one carrying a receipt is, and other messages keep their status', () => {
  const ev = makeEventBuffer(silent)
  const sock = { ws: new EventEmitter(), ev }
  const acks = /** @type {NonNullable<ReturnType<typeof serverAcks>>} */ (serverAcks(sock))
  /** @type {any[]} */
  const upserts = []
  ev.on('messages.upsert', (u) => upserts.push(withoutOwnEchoes(sock, u)))
  const jid = '923001230007@s.whatsapp.net'
  const key = (/** @type {string} */ id) => ({ remoteJid: jid, id, fromMe: true })
  const echo = (/** @type {string} */ id) => ({
    type: 'append',
    messages: [{ key: key(id), message: { conversation: id }, messageTimestamp: 1763700000, status: proto.WebMessageInfo.Status.PENDING }]
  })
  const error = (/** @type {string} */ id) => [{ key: key(id), update: { status: proto.WebMessageInfo.Status.ERROR, messageStubParameters: ['500'] } }]
  for (const id of ['3EB0SENT00000001', '3EB0SENT00000002', '3EB0SENT00000003', '3EB0SENT00000004']) acks.expect(id).cancel()

  ev.buffer()
  ev.emit('messages.upsert', echo('3EB0SENT00000001')) // echo, then its error ack: merged
  ev.emit('messages.update', error('3EB0SENT00000001'))
  ev.emit('messages.update', error('3EB0SENT00000002')) // error ack, then the echo: absorbed
  ev.emit('messages.upsert', echo('3EB0SENT00000002'))
  ev.emit('messages.upsert', echo('3EB0SENT00000003')) // a receipt merged: kept
  ev.emit('messages.update', [{ key: key('3EB0SENT00000003'), update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK } }])
  ev.emit('messages.upsert', echo('3EB0SENT00000004')) // a plain echo: Java has the message
  ev.emit('messages.upsert', echo('3EB0PHONE0000001')) // typed on the phone, refused: not ours to hide
  ev.emit('messages.update', error('3EB0PHONE0000001'))
  ev.flush()

  const me = { me: { id: '923008880006:1@s.whatsapp.net' } }
  const statuses = Object.fromEntries(upserts.flatMap((u) => mapMessagesUpsert(u, me)?.messages ?? []).map((m) => [m.key.id, m.status]))
  assert.deepEqual(statuses, {
    '3EB0SENT00000003': 'delivered',
    '3EB0PHONE0000001': 'failed'
  })
})
