import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'

/*
 * Messaging through a real `node src/main.js` in sandbox mode (the real Baileys socket against
 * the engine's own emulator), driven like Java drives it: send with Java-chosen ids, receipts,
 * server error acks, inbound messages (plain, reply, LID-addressed, every type), the history
 * sync after linking, on-demand history, and the getMessage request/respond round trip.
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
 * A marker in the event stream: asks the phone for on-demand history and waits for its answer.
 * The answer comes from the emulator over the same WebSocket, behind everything the emulator
 * sent this device before it (an initial history sync, a receipt), and Baileys processes history
 * notifications in arrival order: when this returns, "nothing happened" is proven, not hoped for.
 * @param {Awaited<ReturnType<typeof engineFixture>>['engine']} engine @param {string} id
 */
async function marker (engine, id) {
  const { requestId } = await engine.ok('history.fetch', { connectionId: id, count: 1, oldestKey: { id: '3A00000000000000MARK', remoteJid: PEER_JID, fromMe: false }, oldestTimestamp: 1732170000 })
  await engine.next('history.set', { connectionId: id, where: (d) => d.peerDataRequestSessionId === requestId })
}

/** @param {string} connectionId @param {string} messageId @param {object} [extra] */
const textSend = (connectionId, messageId, extra = {}) => ({ connectionId, messageId, jid: PEER_JID, content: { type: 'text', text: `hello ${messageId}` }, ...extra })

test('link → history.set with 3 chats (60, 12, 5 messages), once per pairing', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'h1')
  const { data } = await engine.next('history.set', { connectionId: 'h1', where: (d) => d.syncType === 0 })
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

  // Baileys echoes own sends as messages.upsert 'append' (emitOwnEvents)
  const echo = await engine.next('messages.upsert', { connectionId: 's1', where: (d) => d.messages[0].key.id === messageId })
  assert.equal(echo.data.type, 'append')
  assert.equal(echo.data.messages[0].key.fromMe, true)
  assert.deepEqual(echo.data.messages[0].message, sent.message)
  assert.equal(echo.data.messages[0].parsed.senderPhone, PHONE)

  // the contact decrypted exactly what was sent, once; its phone then confirms delivery and reads
  const entry = await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 's1' })).messages.find((e) => e.id === messageId), 'the contact decrypted it')
  assert.deepEqual(entry, { id: messageId, jid: PEER_JID, count: 1 })
  await waitFor(async () => statusSeen(engine, messageId, 'delivered'), 'delivered')
  await waitFor(async () => statusSeen(engine, messageId, 'read'), 'read')

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
    { id: messageId, jid: PEER_JID, count: 1 })
  const receipt = await waitFor(async () => statusSeen(engine, messageId, 'delivered'), 'delivered')
  if (receipt.event === 'messages.update') assert.equal(receipt.data.updates[0].userJid, null, '1:1 receipts name no participant')
})

test('send while the socket is not open → not_ready (arguments still checked first)', { timeout: 30000 }, async (t) => {
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
  assert.deepEqual((await engine.ok('sandbox.sent', { connectionId: 'f1' })).messages, [{ id, jid: PEER_JID, count: 1 }],
    'refused attempts reach nobody; the ledger counts the one real send')
  assert.equal(first.count, 1)
  await engine.ok('send', textSend('f1', id))
  await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'f1' })).messages.find((e) => e.id === id && e.count === 2), 'a second send of the same id is counted')
  await engine.ok('sandbox.fail', { connectionId: 'f1', count: 1 })
  await refusedSend(engine, textSend('f1', newId()), 500, 1)
  assert.equal((await engine.send('sandbox.fail', { connectionId: 'f1', count: 0 })).error.code, 'bad_request')
  await marker(engine, 'f1')
  assert.equal(['delivered', 'read'].filter((st) => statusSeen(engine, id, st)).length, 0, 'receiptDelayMs 0: no automatic receipts')
})

test('sandbox.burst: count messages from rotating senders, stamped with their emission time', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'bu', { historyChats: 0, receiptDelayMs: 0 })
  const before = Date.now()
  const r = await engine.ok('sandbox.burst', { connectionId: 'bu', count: 25, batch: 10, senders: 3 })
  assert.equal(r.emitted, 25, 'every message was acknowledged by the device')
  const all = await waitFor(async () => {
    const msgs = engine.events('messages.upsert').filter((e) => e.connectionId === 'bu' && e.data.type === 'notify').flatMap((e) => e.data.messages)
      .filter((m) => /^bench /.test(m.parsed.text ?? ''))
    return msgs.length >= 25 ? msgs : undefined
  }, '25 bench messages')
  assert.equal(all.length, 25)
  assert.equal(new Set(all.map((m) => m.key.id)).size, 25)
  assert.equal(new Set(all.map((m) => m.parsed.senderPhone)).size, 3)
  for (const m of all) {
    const [, at] = m.parsed.text.split(' ')
    assert.ok(Number(at) >= before && Number(at) <= Date.now(), 'text carries the emission time')
    assert.equal(m.parsed.type, 'text')
  }
  assert.equal((await engine.send('sandbox.burst', { connectionId: 'bu', count: 0 })).error.code, 'bad_request')
})

test('sandbox.inbound: plain, reply to our message, LID-addressed, other types', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'in', { historyChats: 0, receiptDelayMs: 0 })
  /** the first upsert carrying message `id` @param {string} id */
  const upsertOf = async (id) => (await engine.next('messages.upsert', { connectionId: 'in', where: (d) => d.messages.some((m) => m.key.id === id) })).data.messages.find((m) => m.key.id === id)

  const plain = await engine.ok('sandbox.inbound', { connectionId: 'in', from: `+${PEER}`, message: 'hi there', pushName: 'Bilal' })
  const m = await upsertOf(plain.providerMessageId)
  assert.equal(m.key.remoteJid, PEER_JID)
  assert.equal(m.pushName, 'Bilal')
  assert.deepEqual([m.parsed.type, m.parsed.text, m.parsed.senderPhone, m.parsed.fromMe, m.parsed.quoted], ['text', 'hi there', PEER, false, null])

  const ours = newId()
  await engine.ok('send', textSend('in', ours))
  await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'in' })).messages.find((e) => e.id === ours), 'the contact has our message')
  const reply = await engine.ok('sandbox.inbound', { connectionId: 'in', from: PEER, message: 'answering', replyToProviderMessageId: ours })
  const r = await upsertOf(reply.providerMessageId)
  assert.equal(r.parsed.quoted.id, ours)
  assert.equal(r.parsed.quoted.participant, `${PHONE}@s.whatsapp.net`)
  assert.equal(r.message.extendedTextMessage.contextInfo.quotedMessage.extendedTextMessage.text, `hello ${ours}`)

  const lid = await engine.ok('sandbox.inbound', { connectionId: 'in', from: '923005556666', message: 'via lid', asLid: true, messageId: '3A00000000000000LID1' })
  assert.equal(lid.providerMessageId, '3A00000000000000LID1')
  assert.match(lid.remoteJid, /^\d+@lid$/)
  const l = await upsertOf(lid.providerMessageId)
  assert.equal(l.key.remoteJid, lid.remoteJid)
  assert.equal(l.key.remoteJidAlt, '923005556666@s.whatsapp.net')
  assert.equal(l.parsed.senderJid, lid.remoteJid)
  assert.equal(l.parsed.senderPhone, '923005556666', 'LID sender resolved to the phone')
  const again = await engine.ok('sandbox.inbound', { connectionId: 'in', from: '923005556666', message: 'same contact', asLid: true })
  assert.equal(again.remoteJid, lid.remoteJid, 'a contact keeps its LID')
  assert.equal((await upsertOf(again.providerMessageId)).parsed.senderPhone, '923005556666')

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
    const msg = await upsertOf(res.providerMessageId)
    assert.equal(msg.parsed.type, parsedType, type)
    assert.match(msg.parsed.text, text, type)
  }
  for (const [type, kind] of [['edit', 'edit'], ['revoke', 'revoke']]) {
    const res = await engine.ok('sandbox.inbound', { connectionId: 'in', from: PEER, type, message: 'hi there (edited)', replyToProviderMessageId: plain.providerMessageId })
    const msg = await upsertOf(res.providerMessageId)
    assert.equal(msg.parsed.protocol.kind, kind)
    assert.equal(msg.parsed.protocol.targetId, plain.providerMessageId)
    if (kind === 'edit') assert.equal(msg.parsed.protocol.text, 'hi there (edited)')
  }
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: PEER, type: 'reaction' })).error.code, 'bad_request', 'a reaction needs a target')
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: PEER, type: 'text' })).error.code, 'bad_request', 'text needs a message')
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: 'abc', message: 'x' })).error.code, 'bad_request')
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: PEER, message: 'again', messageId: plain.providerMessageId })).error.code, 'invalid_state', 'a message id the contact already used')
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('sandbox.receipt: a manual receipt for one of our messages, also one the current socket did not send', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'rc', { historyChats: 0, receiptDelayMs: 0 })
  const id = newId()
  await engine.ok('send', textSend('rc', id))
  await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'rc' })).messages.find((e) => e.id === id), 'the contact has it')
  assert.deepEqual(await engine.ok('sandbox.receipt', { connectionId: 'rc', providerMessageId: id, status: 'played' }), { sent: true })
  const u = await waitFor(async () => statusSeen(engine, id, 'played'), 'played')
  if (u.event === 'messages.update') assert.equal(u.data.updates.find((x) => x.key.id === id).key.fromMe, true)
  assert.equal((await engine.send('sandbox.receipt', { connectionId: 'rc', providerMessageId: 'UNKNOWN000', status: 'read' })).error.code, 'not_found')

  // a new socket of the same session (as after an engine restart): the receipt names the contact
  await engine.ok('stop', { connectionId: 'rc' })
  await engine.ok('start', { connectionId: 'rc' })
  await engine.next('connection.open', { connectionId: 'rc' })
  await engine.ok('sandbox.receipt', { connectionId: 'rc', providerMessageId: id, status: 'read', remoteJid: PEER_JID })
  const read = await engine.next('messages.update', { connectionId: 'rc', where: (d) => d.updates.some((x) => x.key.id === id && x.status === 'read') })
  assert.equal(read.data.updates.find((x) => x.key.id === id).key.fromMe, true)
  assert.equal((await engine.send('sandbox.receipt', { connectionId: 'rc', providerMessageId: id, status: 'sent' })).error.code, 'bad_request')
})

test('getMessage: a resend after a restart asks Java (request frame), Java answers with respond', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'gm', { historyChats: 0, receiptDelayMs: 0 })
  const id = newId()
  const sent = await engine.ok('send', { connectionId: 'gm', messageId: id, jid: PEER_JID, content: { type: 'image', base64: JPEG_B64, mimeType: 'image/jpeg', caption: 'again' } })
  await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'gm' })).messages.find((e) => e.id === id), 'the contact has it')
  // a new socket has an empty recent-message cache, so Baileys must ask getMessage (→ Java)
  const restart = async () => {
    await engine.ok('stop', { connectionId: 'gm' })
    await engine.ok('start', { connectionId: 'gm' })
    await engine.next('connection.open', { connectionId: 'gm' })
  }
  await restart()

  const retry = engine.send('sandbox.retryRequest', { connectionId: 'gm', providerMessageId: id }, 20000)
  const req = await engine.nextRequest({ request: 'getMessage' })
  assert.match(req.id, /^r\d+$/)
  assert.equal(req.connectionId, 'gm')
  assert.equal(req.data.key.id, id)
  assert.equal(req.data.key.fromMe, true)
  assert.ok([PEER_JID].includes(req.data.key.remoteJid) || /@lid$/.test(req.data.key.remoteJid), req.data.key.remoteJid)
  assert.deepEqual(await engine.ok('respond', { requestId: req.id, result: { message: sent.message } }), {})
  const got = (await retry).result
  assert.equal(got.found, true, 'the contact decrypted the resend')
  // stored JSON → proto.Message → re-encrypted → what the contact decrypted: the same image, bytes included
  const image = got.message.imageMessage
  assert.equal(image.caption, 'again')
  assert.equal(image.mediaKey, sent.message.imageMessage.mediaKey)
  assert.equal(image.fileSha256, sent.message.imageMessage.fileSha256)
  assert.equal(image.directPath, sent.message.imageMessage.directPath)
  assert.equal((await engine.ok('sandbox.sent', { connectionId: 'gm' })).messages.find((e) => e.id === id).count, 1, 'a resend the contact asked for is no duplicate')

  // Java has nothing stored → Baileys gets undefined and resends nothing
  await restart()
  const none = engine.send('sandbox.retryRequest', { connectionId: 'gm', providerMessageId: id }, 20000)
  const req2 = await engine.nextRequest({ request: 'getMessage' })
  await engine.ok('respond', { requestId: req2.id, result: { message: null } })
  assert.deepEqual((await none).result, { found: false, message: null })
  assert.deepEqual(await engine.ok('respond', { requestId: req2.id, result: null }), {}, 'a late answer is accepted and ignored')
  assert.equal((await engine.send('respond', { requestId: 5 })).error.code, 'bad_request')
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})

test('history.fetch: requested, then an ON_DEMAND history.set with older messages of that chat', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'hf', { historyChats: 1 })
  const initial = await engine.next('history.set', { connectionId: 'hf', where: (d) => d.syncType === 0 })
  const oldest = initial.data.messages.reduce((a, b) => (a.timestamp <= b.timestamp ? a : b))
  const chat = oldest.key.remoteJid
  const res = await engine.ok('history.fetch', { connectionId: 'hf', count: 7, oldestKey: oldest.key, oldestTimestamp: oldest.timestamp })
  assert.equal(res.requested, true)
  assert.match(res.requestId, /^3EB0[0-9A-F]{18}$/)
  const { data } = await engine.next('history.set', { connectionId: 'hf', where: (d) => d.syncType === 6 })
  assert.equal(data.peerDataRequestSessionId, res.requestId)
  assert.equal(data.messages.length, 7)
  assert.ok(data.messages.every((/** @type {any} */ m) => m.key.remoteJid === chat && m.timestamp < oldest.timestamp))
  const bad = await engine.send('history.fetch', { connectionId: 'hf', count: 7, oldestKey: oldest.key, oldestTimestamp: oldest.timestamp * 1000 })
  assert.equal(bad.error.code, 'bad_request', 'milliseconds are refused')
  assert.equal((await engine.send('history.fetch', { connectionId: 'hf', count: 0, oldestKey: {}, oldestTimestamp: oldest.timestamp })).error.code, 'bad_request')
})

/**
 * A send the server refuses (sandbox.fail): either `send` fails with send_failed and the code
 * (an engine that waits for the server ack), or it succeeds and the message turns to `failed`
 * with the code (Baileys' sendMessage resolving before the ack). Both are the contract.
 * @param {any} engine @param {any} args @param {number} code @param {number} nth  this id's nth refused attempt
 */
async function refusedSend (engine, args, code, nth) {
  const r = await engine.send('send', args)
  if (!r.ok) {
    assert.equal(r.error.code, 'send_failed')
    assert.equal(r.error.statusCode, code)
    assert.match(r.error.message, new RegExp(String(code)))
    return
  }
  // Baileys reports the error ack as messages.update (failed, error = the code), or folds the
  // status into the own-send upsert while its event buffer is on (then without the code)
  await waitFor(async () => {
    const failed = engine.events().filter((e) => e.connectionId === args.connectionId).flatMap((e) =>
      e.event === 'messages.update'
        ? e.data.updates.filter((u) => u.key.id === args.messageId && u.status === 'failed' && u.error === String(code))
        : e.event === 'messages.upsert' ? e.data.messages.filter((m) => m.key.id === args.messageId && m.status === 'failed') : [])
    return failed.length >= nth ? failed : undefined
  }, `attempt ${nth} of ${args.messageId} failed with ${code}`)
}

/** An event for message `id` carrying `status`, or undefined (Baileys may fold a status into a buffered upsert). @param {any} engine @param {string} id @param {string} status */
function statusSeen (engine, id, status) {
  return engine.events().find((/** @type {any} */ e) => (e.event === 'messages.update' || e.event === 'messages.upsert') &&
    JSON.stringify(e.data).includes(id) && JSON.stringify(e.data).includes(`"status":"${status}"`))
}

/** Polls `fn` until it gives a value (a positive signal), bounded. @template T @param {() => Promise<T|undefined>} fn @param {string} what @returns {Promise<T>} */
async function waitFor (fn, what, ms = 20000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
