import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'

/*
 * Messaging through a real `node src/main.js` in sandbox mode, driven like Java drives it:
 * send with Java-chosen ids, receipts, simulated failures, inbound messages (plain, reply,
 * LID-addressed), the history sync after linking, on-demand history, and the getMessage
 * request/respond round trip.
 */

const PHONE = '923001234567'
const PEER = '923001112233'
const PEER_JID = `${PEER}@s.whatsapp.net`
/** A 32×24 JPEG (275 bytes). */
const JPEG_B64 = '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAYACADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAQG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AjgIWoAAAAAAf/9k='

/** A Baileys-style id as Java makes them: 3EB0 + 18 uppercase hex. */
const newId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`

/**
 * hello + link a connection (QR, scan, 515, start) and wait for it to open.
 * @param {Awaited<ReturnType<typeof engineFixture>>} fx @param {string} id @param {object} [sandbox]
 */
async function linkedOpen (fx, id, sandbox = {}) {
  const { engine } = fx
  await engine.hello({ mode: 'sandbox', sessionsDir: fx.sessionsDir, sandbox: { ...FAST_SANDBOX, ...sandbox } })
  await engine.ok('start', { connectionId: id })
  await engine.next('connection.qr', { connectionId: id })
  await engine.ok('sandbox.scan', { connectionId: id, phone: PHONE, name: 'Ali' })
  await engine.next('connection.close', { connectionId: id, where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: id })
  await engine.next('connection.open', { connectionId: id })
}

/**
 * A marker in the event stream: asks for on-demand history and waits for its answer. The
 * simulated phone answers after connectDelayMs on a timer, so every event the sandbox had
 * already scheduled for that moment or earlier (an initial history sync, a receipt, a burst)
 * is in the stream when this returns: "nothing happened" is then proven, not hoped for.
 * @param {Awaited<ReturnType<typeof engineFixture>>['engine']} engine @param {string} id
 */
async function marker (engine, id) {
  const { requestId } = await engine.ok('history.fetch', { connectionId: id, count: 1, oldestKey: { id: '3A00000000000000MARK', remoteJid: PEER_JID, fromMe: false }, oldestTimestamp: 1732170000 })
  await engine.next('history.set', { connectionId: id, where: (d) => d.peerDataRequestSessionId === requestId })
}

/** @param {string} connectionId @param {string} messageId @param {object} [extra] */
const textSend = (connectionId, messageId, extra = {}) => ({ connectionId, messageId, jid: PEER_JID, content: { type: 'text', text: `hello ${messageId}` }, ...extra })

test('link → history.set with 3 chats (60, 12, 5 messages), once per pairing', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'h1')
  const { data } = await engine.next('history.set', { connectionId: 'h1' })
  assert.equal(data.syncType, 0, 'INITIAL_BOOTSTRAP')
  assert.equal(data.isLatest, true)
  assert.equal(data.chats.length, 3)
  /** @type {Record<string, any[]>} */
  const byChat = {}
  for (const m of data.messages) (byChat[m.key.remoteJid] ??= []).push(m)
  assert.deepEqual(Object.values(byChat).map((ms) => ms.length).sort((a, b) => b - a), [60, 12, 5])
  const big = /** @type {any[]} */ (Object.values(byChat).find((ms) => ms.length === 60))
  const ts = big.map((m) => m.timestamp)
  assert.deepEqual(ts, [...ts].sort((a, b) => a - b), 'timestamps increase')
  assert.equal(new Set(ts).size, 60)
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
  assert.equal(engine.events('history.set').filter((e) => e.data.syncType !== 6).length, 1, 'one initial sync per pairing')
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('historyChats 0: no history sync', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  await linkedOpen(fx, 'h0', { historyChats: 0 })
  await marker(fx.engine, 'h0')
  assert.equal(fx.engine.events('history.set').filter((e) => e.data.syncType !== 6).length, 0)
})

test('send text: the reply carries the Java-chosen id, then delivered and read arrive', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 's1', { receiptDelayMs: 100, historyChats: 0 })
  const messageId = newId()
  const sent = await engine.ok('send', textSend('s1', messageId))
  assert.equal(sent.providerMessageId, messageId)
  assert.equal(sent.remoteJid, PEER_JID)
  assert.ok(Math.abs(sent.timestamp - Date.now() / 1000) < 10, 'epoch seconds')
  assert.equal(sent.message.extendedTextMessage.text, `hello ${messageId}`)

  // Baileys echoes own sends as messages.upsert 'append' (emitOwnEvents)
  const echo = await engine.next('messages.upsert', { connectionId: 's1', where: (d) => d.messages[0].key.id === messageId })
  assert.equal(echo.data.type, 'append')
  assert.equal(echo.data.messages[0].key.fromMe, true)
  assert.equal(echo.data.messages[0].status, 'pending', 'what Baileys sendMessage returns')
  assert.deepEqual(echo.data.messages[0].message, sent.message)
  assert.equal(echo.data.messages[0].parsed.senderPhone, PHONE)

  const delivered = await engine.next('messages.update', { connectionId: 's1', where: (d) => d.updates[0].key.id === messageId })
  assert.equal(delivered.data.updates[0].status, 'delivered')
  const read = await engine.next('messages.update', { connectionId: 's1', where: (d) => d.updates[0].key.id === messageId })
  assert.equal(read.data.updates[0].status, 'read')

  // retrying with the same id sends the same WhatsApp id (idempotency is Java's; the id is stable)
  assert.equal((await engine.ok('send', textSend('s1', messageId))).providerMessageId, messageId)

  // a quoted reply
  const reply = await engine.ok('send', textSend('s1', newId(), { quoted: { key: { id: messageId, remoteJid: PEER_JID, fromMe: true, participant: null }, message: sent.message } }))
  assert.equal(reply.message.extendedTextMessage.contextInfo.stanzaId, messageId)
  assert.equal(reply.message.extendedTextMessage.contextInfo.quotedMessage.extendedTextMessage.text, `hello ${messageId}`)

  // many concurrent sends: all answered, each with its own id
  const ids = Array.from({ length: 100 }, newId)
  const replies = await Promise.all(ids.map((id) => engine.send('send', textSend('s1', id), 10000)))
  assert.deepEqual(replies.map((r) => r.result?.providerMessageId), ids)
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('send image: Baileys-built imageMessage keeps mimetype, caption, size; group receipts come per participant', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'img', { receiptDelayMs: 50, historyChats: 0 })
  const messageId = newId()
  const group = '120363025555555555@g.us'
  const sent = await engine.ok('send', { connectionId: 'img', messageId, jid: group, content: { type: 'image', base64: JPEG_B64, mimeType: 'image/jpeg', caption: 'red' } })
  const image = sent.message.imageMessage
  assert.equal(sent.providerMessageId, messageId)
  assert.equal(image.mimetype, 'image/jpeg')
  assert.equal(image.caption, 'red')
  assert.equal(image.fileLength, Buffer.from(JPEG_B64, 'base64').length)
  assert.equal(Buffer.from(image.mediaKey, 'base64').length, 32)
  assert.match(image.url, /^https:\/\/mmg\.whatsapp\.net\//)
  assert.equal(typeof image.jpegThumbnail, 'string', 'Baileys made a thumbnail')
  const receipt = await engine.next('messages.update', { connectionId: 'img', where: (d) => d.updates[0].key.id === messageId })
  assert.equal(receipt.data.updates[0].status, 'delivered')
  assert.match(receipt.data.updates[0].userJid, /@s\.whatsapp\.net$/)
})

test('send while the socket is not open → not_ready (arguments still checked first)', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
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

test('sandbox.fail: the next sends fail with send_failed + statusCode, later ones succeed', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'f1', { historyChats: 0, receiptDelayMs: 0 })
  assert.deepEqual(await engine.ok('sandbox.fail', { connectionId: 'f1', count: 2, code: 503 }), { pending: 2 })
  const id = newId()
  for (let i = 0; i < 2; i++) {
    const r = await engine.send('send', textSend('f1', id))
    assert.equal(r.ok, false)
    assert.equal(r.error.code, 'send_failed')
    assert.equal(r.error.statusCode, 503)
    assert.match(r.error.message, /503/)
  }
  assert.equal((await engine.ok('send', textSend('f1', id))).providerMessageId, id, 'the retry with the same id succeeds')
  assert.deepEqual((await engine.ok('sandbox.sent', { connectionId: 'f1' })).messages, [{ id, jid: PEER_JID, count: 1 }],
    'failed attempts are not relayed; the ledger counts the one real send')
  await engine.ok('send', textSend('f1', id))
  assert.equal((await engine.ok('sandbox.sent', { connectionId: 'f1' })).messages[0].count, 2, 'a second send of the same id is counted')
  await engine.ok('sandbox.fail', { connectionId: 'f1', count: 1 })
  const dflt = await engine.send('send', textSend('f1', newId()))
  assert.equal(dflt.error.statusCode, 500)
  assert.equal((await engine.send('sandbox.fail', { connectionId: 'f1', count: 0 })).error.code, 'bad_request')
  await marker(engine, 'f1')
  assert.equal(engine.events('messages.update').length, 0, 'receiptDelayMs 0: no automatic receipts')
})

test('sandbox.burst: count messages in upserts of batch, from rotating senders, stamped with their emission time', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'bu', { historyChats: 0, receiptDelayMs: 0 })
  const before = Date.now()
  const r = await engine.ok('sandbox.burst', { connectionId: 'bu', count: 25, batch: 10, senders: 3 })
  assert.equal(r.emitted, 25)
  await marker(engine, 'bu')
  const upserts = engine.events('messages.upsert').filter((e) => e.connectionId === 'bu')
  assert.deepEqual(upserts.map((e) => e.data.messages.length), [10, 10, 5])
  const all = upserts.flatMap((e) => e.data.messages)
  assert.equal(new Set(all.map((m) => m.key.id)).size, 25)
  assert.equal(new Set(all.map((m) => m.parsed.senderPhone)).size, 3)
  for (const m of all) {
    const [, at] = m.parsed.text.split(' ')
    assert.ok(Number(at) >= before && Number(at) <= Date.now(), 'text carries the emission time')
    assert.equal(m.parsed.type, 'text')
  }
  assert.equal((await engine.send('sandbox.burst', { connectionId: 'bu', count: 0 })).error.code, 'bad_request')
})

test('sandbox.inbound: plain, reply to our message, LID-addressed, other types', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'in', { historyChats: 0, receiptDelayMs: 0 })

  const plain = await engine.ok('sandbox.inbound', { connectionId: 'in', from: `+${PEER}`, message: 'hi there', pushName: 'Bilal' })
  const up = await engine.next('messages.upsert', { connectionId: 'in', where: (d) => d.type === 'notify' })
  const m = up.data.messages[0]
  assert.equal(m.key.id, plain.providerMessageId)
  assert.equal(m.key.remoteJid, PEER_JID)
  assert.equal(m.pushName, 'Bilal')
  assert.deepEqual([m.parsed.type, m.parsed.text, m.parsed.senderPhone, m.parsed.fromMe, m.parsed.quoted], ['text', 'hi there', PEER, false, null])

  const ours = newId()
  await engine.ok('send', textSend('in', ours))
  const reply = await engine.ok('sandbox.inbound', { connectionId: 'in', from: PEER, message: 'answering', replyToProviderMessageId: ours })
  const r = (await engine.next('messages.upsert', { connectionId: 'in', where: (d) => d.messages[0].key.id === reply.providerMessageId })).data.messages[0]
  assert.equal(r.parsed.quoted.id, ours)
  assert.equal(r.parsed.quoted.participant, `${PHONE}@s.whatsapp.net`)
  assert.equal(r.message.extendedTextMessage.contextInfo.quotedMessage.extendedTextMessage.text, `hello ${ours}`)

  const lid = await engine.ok('sandbox.inbound', { connectionId: 'in', from: '923005556666', message: 'via lid', asLid: true, messageId: '3A00000000000000LID1' })
  assert.equal(lid.providerMessageId, '3A00000000000000LID1')
  assert.match(lid.remoteJid, /^\d{15}@lid$/)
  const mapping = await engine.next('contacts.lid', { connectionId: 'in' })
  assert.deepEqual(mapping.data, { mappings: [{ lid: lid.remoteJid, pn: '923005556666@s.whatsapp.net' }] })
  const l = (await engine.next('messages.upsert', { connectionId: 'in', where: (d) => d.messages[0].key.id === lid.providerMessageId })).data.messages[0]
  assert.equal(l.key.remoteJid, lid.remoteJid)
  assert.equal(l.key.remoteJidAlt, '923005556666@s.whatsapp.net')
  assert.equal(l.parsed.senderJid, lid.remoteJid)
  assert.equal(l.parsed.senderPhone, '923005556666', 'LID sender resolved to the phone')
  const again = await engine.ok('sandbox.inbound', { connectionId: 'in', from: '923005556666', message: 'same contact', asLid: true })
  assert.equal(again.remoteJid, lid.remoteJid, 'a contact keeps its LID')
  assert.equal(engine.events('contacts.lid').length, 1, 'a known mapping is not announced again')

  /** [type, args, expected parsed.type, text matcher] */
  const cases = /** @type {Array<[string, object, string, RegExp]>} */ ([
    ['image', { message: 'pic' }, 'image', /^pic$/],
    ['ptt', {}, 'ptt', /voice/],
    ['document', { message: 'the contract' }, 'document', /^the contract$/],
    ['location', { message: '24.8607,67.0011' }, 'location', /^\[location 24\.86,67\.00\]$/],
    ['contact', { message: 'Sara' }, 'contact', /Sara/],
    ['poll', { message: 'Lunch?' }, 'pollCreation', /Lunch/],
    ['reaction', { message: '❤️', replyToProviderMessageId: ours }, 'reaction', new RegExp(`❤️ to ${ours}`)],
    ['undecryptable', {}, 'undecryptable', /decrypted/]
  ])
  for (const [type, extra, parsedType, text] of cases) {
    const res = await engine.ok('sandbox.inbound', { connectionId: 'in', from: PEER, type, ...extra })
    const msg = (await engine.next('messages.upsert', { connectionId: 'in', where: (d) => d.messages[0].key.id === res.providerMessageId })).data.messages[0]
    assert.equal(msg.parsed.type, parsedType, type)
    assert.match(msg.parsed.text, text, type)
  }
  for (const [type, kind] of [['edit', 'edit'], ['revoke', 'revoke']]) {
    const res = await engine.ok('sandbox.inbound', { connectionId: 'in', from: PEER, type, message: 'hi there (edited)', replyToProviderMessageId: plain.providerMessageId })
    const msg = (await engine.next('messages.upsert', { connectionId: 'in', where: (d) => d.messages[0].key.id === res.providerMessageId })).data.messages[0]
    assert.equal(msg.parsed.protocol.kind, kind)
    assert.equal(msg.parsed.protocol.targetId, plain.providerMessageId)
    if (kind === 'edit') assert.equal(msg.parsed.protocol.text, 'hi there (edited)')
  }
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: PEER, type: 'reaction' })).error.code, 'bad_request', 'a reaction needs a target')
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: PEER, type: 'text' })).error.code, 'bad_request', 'text needs a message')
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: 'abc', message: 'x' })).error.code, 'bad_request')
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('sandbox.receipt: a manual receipt for one of our messages', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'rc', { historyChats: 0, receiptDelayMs: 0 })
  const id = newId()
  await engine.ok('send', textSend('rc', id))
  assert.deepEqual(await engine.ok('sandbox.receipt', { connectionId: 'rc', providerMessageId: id, status: 'played' }), { sent: true })
  const u = await engine.next('messages.update', { connectionId: 'rc' })
  assert.equal(u.data.updates[0].key.id, id)
  assert.equal(u.data.updates[0].key.fromMe, true)
  assert.equal(u.data.updates[0].status, 'played')
  assert.equal((await engine.send('sandbox.receipt', { connectionId: 'rc', providerMessageId: 'UNKNOWN000', status: 'read' })).error.code, 'not_found')
  await engine.ok('sandbox.receipt', { connectionId: 'rc', providerMessageId: 'UNKNOWN000', status: 'read', remoteJid: PEER_JID })
  assert.equal((await engine.next('messages.update', { connectionId: 'rc' })).data.updates[0].status, 'read')
  assert.equal((await engine.send('sandbox.receipt', { connectionId: 'rc', providerMessageId: id, status: 'sent' })).error.code, 'bad_request')
})

test('getMessage: the engine asks Java (request frame), Java answers with respond', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'gm', { historyChats: 0, receiptDelayMs: 0 })
  const id = newId()
  const sent = await engine.ok('send', { connectionId: 'gm', messageId: id, jid: PEER_JID, content: { type: 'image', base64: JPEG_B64, mimeType: 'image/jpeg', caption: 'again' } })

  const retry = engine.send('sandbox.retryRequest', { connectionId: 'gm', providerMessageId: id }, 10000)
  const req = await engine.nextRequest({ request: 'getMessage' })
  assert.match(req.id, /^r\d+$/)
  assert.equal(req.connectionId, 'gm')
  assert.deepEqual(req.data.key, { id, remoteJid: PEER_JID, fromMe: true, participant: null, remoteJidAlt: null, participantAlt: null })
  assert.deepEqual(await engine.ok('respond', { requestId: req.id, result: { message: sent.message } }), {})
  const got = (await retry).result
  assert.equal(got.found, true)
  assert.deepEqual(got.message, sent.message, 'stored JSON → proto.Message → the same content, bytes included')

  // Java has nothing stored → Baileys gets undefined
  const none = engine.send('sandbox.retryRequest', { connectionId: 'gm', providerMessageId: id }, 10000)
  const req2 = await engine.nextRequest({ request: 'getMessage' })
  await engine.ok('respond', { requestId: req2.id, result: { message: null } })
  assert.deepEqual((await none).result, { found: false, message: null })
  assert.deepEqual(await engine.ok('respond', { requestId: req2.id, result: null }), {}, 'a late answer is accepted and ignored')
  assert.equal((await engine.send('respond', { requestId: 5 })).error.code, 'bad_request')
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('history.fetch: requested, then an ON_DEMAND history.set with older messages', { timeout: 30000 }, async (t) => {
  const fx = await engineFixture(t)
  const { engine } = fx
  await linkedOpen(fx, 'hf', { historyChats: 0 })
  const oldestTimestamp = 1732170000
  const res = await engine.ok('history.fetch', { connectionId: 'hf', count: 7, oldestKey: { id: '3A0000000000000000AA', remoteJid: PEER_JID, fromMe: false }, oldestTimestamp })
  assert.equal(res.requested, true)
  assert.match(res.requestId, /^3EB0[0-9A-F]{18}$/)
  const { data } = await engine.next('history.set', { connectionId: 'hf' })
  assert.equal(data.syncType, 6, 'ON_DEMAND')
  assert.equal(data.peerDataRequestSessionId, res.requestId)
  assert.equal(data.messages.length, 7)
  assert.ok(data.messages.every((/** @type {any} */ m) => m.key.remoteJid === PEER_JID && m.timestamp < oldestTimestamp))
  const bad = await engine.send('history.fetch', { connectionId: 'hf', count: 7, oldestKey: { id: 'A', remoteJid: PEER_JID, fromMe: false }, oldestTimestamp: oldestTimestamp * 1000 })
  assert.equal(bad.error.code, 'bad_request', 'milliseconds are refused')
  assert.equal((await engine.send('history.fetch', { connectionId: 'hf', count: 0, oldestKey: {}, oldestTimestamp })).error.code, 'bad_request')
})
