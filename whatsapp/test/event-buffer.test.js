import assert from 'node:assert/strict'
import { test } from 'node:test'
import { makeEventBuffer, proto } from 'baileys'
import { mapMessagesUpsert } from '../src/mapper.js'

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
