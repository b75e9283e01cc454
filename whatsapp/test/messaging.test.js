import { createHash } from 'node:crypto'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'
import { JPEG_B64, PEER, PEER_JID, PHONE, linkedOpen, marker, newId, refusedSend, statusAtLeast, statusSeen, textSend, waitFor } from './support/sandbox-messaging.js'

/*
 * Messaging through a real `node src/main.js` in sandbox mode (the real Baileys socket against
 * the engine's own emulator), driven like Java drives it: the history sync after linking, send
 * with Java-chosen ids (text, quoted, image, concurrent), receipts, not_ready, server error acks.
 * Contacts' messages, receipts on command, getMessage and on-demand history: messaging-sandbox.test.js.
 */

test('link → history.set with 3 chats (60, 12, 5 messages), once per pairing', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'h1')
  const { data } = await engine.seen('history.set', { connectionId: 'h1', where: (d) => d.syncType === 0 })
  assert.equal(data.isLatest, true)
  assert.equal(data.chats.length, 3)
  /** @type {Record<string, any[]>} */
  const byChat = {}
  for (const m of data.messages) (byChat[m.key.remoteJid] ??= []).push(m)
  assert.deepEqual(Object.values(byChat).map((ms) => ms.length).sort((a, b) => b - a), [60, 12, 5])
  const big = /** @type {any[]} */ (Object.values(byChat).find((ms) => ms.length === 60))
  const ts = big.map((m) => m.timestamp).sort((a, b) => a - b)
  assert.equal(new Set(ts).size, 60, 'a minute apart, no two alike')
  assert.ok(big.some((m) => m.key.fromMe) && big.some((m) => !m.key.fromMe), 'ours and theirs mixed')
  assert.ok(big.filter((m) => m.key.fromMe).every((m) => ['read', 'delivered'].includes(m.status)))
  for (const m of big) {
    assert.equal(m.parsed.type, 'text')
    assert.match(m.parsed.text, /^History message \d+ of 60/)
    assert.equal(m.parsed.chatPhone, m.key.remoteJid.split('@')[0])
    assert.equal(m.parsed.senderPhone, m.key.fromMe ? PHONE : m.parsed.chatPhone)
  }
  assert.ok(data.chats.every((/** @type {any} */ c) => typeof c.id === 'string' && typeof c.conversationTimestamp === 'number'))

  // a reconnect of the same pairing gets no second initial sync
  await engine.ok('stop', { connectionId: 'h1' })
  await engine.ok('start', { connectionId: 'h1' })
  await engine.next('connection.open', { connectionId: 'h1' })
  await marker(engine, 'h1')
  assert.equal(engine.events('history.set').filter((e) => e.data.syncType === 0).length, 1, 'one initial sync per pairing')
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('historyChats 0: the initial sync carries no chats', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  await linkedOpen(fx, 'h0', { historyChats: 0 })
  await marker(fx.engine, 'h0')
  const initial = fx.engine.events('history.set').filter((e) => e.data.syncType !== 6)
  assert.deepEqual(initial.flatMap((e) => e.data.messages), [], 'no history messages')
})

test('send text: the reply carries the Java-chosen id, the contact gets it once, then delivered and read arrive', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 's1', { receiptDelayMs: 100, historyChats: 0 })
  const messageId = newId()
  const sent = await engine.ok('send', textSend('s1', messageId))
  assert.equal(sent.providerMessageId, messageId)
  assert.equal(sent.remoteJid, PEER_JID)
  assert.ok(Math.abs(sent.timestamp - Date.now() / 1000) < 10, 'epoch seconds')
  assert.equal(sent.message.extendedTextMessage.text, `hello ${messageId}`)

  // the contact decrypted exactly what was sent, once; its phone then confirms delivery and reads
  const entry = await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 's1' })).messages.find((e) => e.id === messageId), 'the contact decrypted it')
  assert.deepEqual(entry, { id: messageId, jid: PEER_JID, count: 1, resends: 0, content: { type: 'text', text: `hello ${messageId}` } })
  // (Baileys merges updates of one key while it buffers events: a delivered followed closely by
  // a read may arrive as read alone, which proves delivery too; Java never moves a status back)
  await waitFor(async () => statusAtLeast(engine, messageId, 'delivered'), 'delivered')
  await waitFor(async () => statusSeen(engine, messageId, 'read'), 'read')
  // Baileys echoes own sends as messages.upsert 'append' (emitOwnEvents); the engine does not
  // report that echo (Java stored the message before sending it). The read receipt comes through
  // the same ordered stream after the echo would have, so by now it would be there.
  assert.deepEqual(engine.events('messages.upsert').filter((e) => e.data.messages.some((/** @type {any} */ m) => m.key.id === messageId)), [], 'no echo of our own send')

  // retrying with the same id sends the same WhatsApp id (idempotency is Java's; the id is stable)
  assert.equal((await engine.ok('send', textSend('s1', messageId))).providerMessageId, messageId)

  // a quoted reply
  const reply = await engine.ok('send', textSend('s1', newId(), { quoted: { key: { id: messageId, remoteJid: PEER_JID, fromMe: true, participant: null }, message: sent.message } }))
  assert.equal(reply.message.extendedTextMessage.contextInfo.stanzaId, messageId)
  assert.equal(reply.message.extendedTextMessage.contextInfo.quotedMessage.extendedTextMessage.text, `hello ${messageId}`)

  // many concurrent sends: all answered, each with its own id, each decrypted by the contact once
  const ids = Array.from({ length: 50 }, newId)
  const replies = await Promise.all(ids.map((id) => engine.send('send', textSend('s1', id), 30000)))
  assert.deepEqual(replies.map((r) => r.result?.providerMessageId), ids)
  const ledger = await waitFor(async () => {
    const all = (await engine.ok('sandbox.sent', { connectionId: 's1' })).messages.filter((e) => ids.includes(e.id))
    return all.length === ids.length ? all : undefined
  }, 'the contact decrypted all 50')
  assert.ok(ledger.every((e) => e.count === 1), 'each exactly once')
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('send image: Baileys-built imageMessage keeps mimetype, caption, size; uploaded and opened by the contact; delivered', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'img', { receiptDelayMs: 50, historyChats: 0 })
  const messageId = newId()
  const sent = await engine.ok('send', { connectionId: 'img', messageId, jid: PEER_JID, content: { type: 'image', base64: JPEG_B64, mimeType: 'image/jpeg', caption: 'red' } })
  const image = sent.message.imageMessage
  assert.equal(sent.providerMessageId, messageId)
  assert.equal(image.mimetype, 'image/jpeg')
  assert.equal(image.caption, 'red')
  assert.equal(image.fileLength, Buffer.from(JPEG_B64, 'base64').length)
  assert.equal(Buffer.from(image.mediaKey, 'base64').length, 32)
  assert.match(image.url, /^https:\/\/mmg\.whatsapp\.net\//)
  assert.equal(typeof image.jpegThumbnail, 'string', 'Baileys made a thumbnail')
  assert.deepEqual(await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'img' })).messages.find((e) => e.id === messageId), 'the contact got it'),
    { id: messageId, jid: PEER_JID, count: 1, resends: 0, content: { type: 'image', mimetype: 'image/jpeg', caption: 'red', sha256: createHash('sha256').update(Buffer.from(JPEG_B64, 'base64')).digest('hex'), size: Buffer.from(JPEG_B64, 'base64').length } })
  const receipt = await waitFor(async () => statusAtLeast(engine, messageId, 'delivered'), 'delivered (or read, merged by Baileys)')
  if (receipt.event === 'messages.update') assert.equal(receipt.data.updates[0].userJid, null, '1:1 receipts name no participant')
})

test('send while the socket is not open → not_ready (arguments still checked first)', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await engine.hello({ mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: FAST_SANDBOX })
  assert.equal((await engine.send('send', textSend('nr', newId()))).error.code, 'not_ready', 'no socket')
  await engine.ok('start', { connectionId: 'nr' })
  await engine.next('connection.qr', { connectionId: 'nr' })
  const r = await engine.send('send', textSend('nr', newId()))
  assert.equal(r.error.code, 'not_ready', 'QR showing')
  assert.equal((await engine.send('send', textSend('nr', 'bad id!'))).error.code, 'bad_request')
  const fetch = await engine.send('history.fetch', { connectionId: 'nr', count: 5, oldestKey: { id: 'A', remoteJid: PEER_JID, fromMe: false }, oldestTimestamp: 1732170000 })
  assert.equal(fetch.error.code, 'not_ready')
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'nr', from: PEER, message: 'hi' })).error.code, 'invalid_state')
  assert.equal(engine.events('messages.upsert').length, 0)
})

test('sandbox.fail: the next sends are refused by the server (failed with the code), later ones reach the contact once', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'f1', { historyChats: 0, receiptDelayMs: 0 })
  assert.deepEqual(await engine.ok('sandbox.fail', { connectionId: 'f1', count: 2, code: 503 }), { pending: 2 })
  const id = newId()
  for (let i = 1; i <= 2; i++) await refusedSend(engine, textSend('f1', id), 503, i)
  assert.equal((await engine.ok('send', textSend('f1', id))).providerMessageId, id, 'the retry with the same id succeeds')
  const first = await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'f1' })).messages.find((e) => e.id === id), 'the retry reached the contact')
  assert.deepEqual((await engine.ok('sandbox.sent', { connectionId: 'f1' })).messages, [{ id, jid: PEER_JID, count: 1, resends: 0, content: { type: 'text', text: `hello ${id}` } }],
    'refused attempts reach nobody; the ledger counts the one real send')
  assert.equal(first.count, 1)
  await engine.ok('send', textSend('f1', id))
  // WhatsApp dedupes a message id: a second send of the same id is a resend, not a second message
  const again = await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'f1' })).messages.find((e) => e.id === id && e.resends === 1), 'a second send of the same id arrives as a resend')
  assert.equal(again.count, 1)
  await engine.ok('sandbox.fail', { connectionId: 'f1', count: 1 })
  await refusedSend(engine, textSend('f1', newId()), 500, 1)
  assert.equal((await engine.send('sandbox.fail', { connectionId: 'f1', count: 0 })).error.code, 'bad_request')
  await marker(engine, 'f1')
  assert.equal(['delivered', 'read'].filter((st) => statusSeen(engine, id, st)).length, 0, 'receiptDelayMs 0: no automatic receipts')
})

test('sandbox.holdAcks: the server acks the next send late; the message reaches the contact at once and send replies only at the ack', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'h1', { historyChats: 0, receiptDelayMs: 0 })
  assert.deepEqual(await engine.ok('sandbox.holdAcks', { connectionId: 'h1', count: 1, ms: 1500, to: PEER }), { pending: 1 })
  const id = newId()
  const started = Date.now()
  const sending = engine.ok('send', textSend('h1', id))
  await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'h1' })).messages.find((e) => e.id === id), 'the contact got it before the ack')
  const sent = await sending
  assert.equal(sent.providerMessageId, id)
  assert.ok(Date.now() - started >= 1500, 'send replied at the late ack, not before')
  const next = Date.now()
  await engine.ok('send', textSend('h1', newId()))
  assert.ok(Date.now() - next < 1500, 'only the next one was held')
  assert.equal((await engine.send('sandbox.holdAcks', { connectionId: 'h1', count: 1, ms: 0 })).error.code, 'bad_request')
  assert.equal((await engine.send('sandbox.holdAcks', { connectionId: 'h1', count: 1, ms: 10, to: 'x' })).error.code, 'bad_request')
})
