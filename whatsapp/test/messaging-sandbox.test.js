import assert from 'node:assert/strict'
import { test } from 'node:test'
import { engineFixture } from './support/engine.js'
import { JPEG_B64, PEER, PEER_JID, PHONE, linkedOpen, newId, statusSeen, textSend, waitFor } from './support/sandbox-messaging.js'

/*
 * The sandbox.* messaging commands through a real `node src/main.js` (the real Baileys socket
 * against the engine's own emulator): burst, inbound of every type, manual receipts, the
 * getMessage request/respond round trip on a resend, and on-demand history.
 */

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
  assert.equal((await engine.send('sandbox.inbound', { connectionId: 'in', from: '923001119999', message: 'again', messageId: plain.providerMessageId })).error.code, 'invalid_state', 'a message id another contact already used')
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
  const initial = await engine.seen('history.set', { connectionId: 'hf', where: (d) => d.syncType === 0 })
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
