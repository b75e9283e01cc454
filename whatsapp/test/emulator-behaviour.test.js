import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mapMessagesUpsert, mapHistorySet } from '../src/mapper.js'
import { SettingsStore, behaviourCommands, isIgnoredChat, mapPresence, parseSettings } from '../src/behaviour.js'
import { engineFixture } from './support/engine.js'
import { PEER, PEER_JID, linkedOpen, waitFor } from './support/sandbox-messaging.js'

/*
 * Per-connection settings, presence, read receipts and calls (issue 16 parts 4-5) through the
 * real Baileys socket against the emulator (emulator/presence.js), plus the pure parts.
 */

const CALLER = '923005550001'

test('settings: every field a boolean, unknown fields refused; ignored chats by kind', () => {
  assert.deepEqual(parseSettings({ rejectCalls: true }), { rejectCalls: true, ignoreGroups: false, ignoreBroadcasts: false, alwaysOnline: false, syncHistory: true })
  assert.throws(() => parseSettings({ rejectCalls: 'yes' }), /must be a boolean/)
  assert.throws(() => parseSettings({ rejectCall: true }), /unknown setting rejectCall/)
  assert.throws(() => parseSettings([]), /must be an object/)
  const s = parseSettings({ ignoreGroups: true })
  assert.equal(isIgnoredChat(s, '120363000000000001@g.us'), true)
  assert.equal(isIgnoredChat(s, '923001112233@s.whatsapp.net'), false)
  assert.equal(isIgnoredChat(s, '1234@broadcast'), false)
  assert.equal(isIgnoredChat(parseSettings({ ignoreBroadcasts: true }), '1234@broadcast'), true)
})

test('the mapper drops messages and history chats of ignored chats, keeps the rest', () => {
  const group = { key: { id: 'G1', remoteJid: '120363000000000001@g.us', participant: '923001112233@s.whatsapp.net', fromMe: false }, message: { conversation: 'in a group' }, messageTimestamp: 1732170000 }
  const direct = { key: { id: 'D1', remoteJid: PEER_JID, fromMe: false }, message: { conversation: 'direct' }, messageTimestamp: 1732170001 }
  const ignoreChat = (/** @type {string} */ jid) => isIgnoredChat(parseSettings({ ignoreGroups: true }), jid)
  const up = mapMessagesUpsert({ type: 'notify', messages: [group, direct] }, { ignoreChat })
  assert.deepEqual(up?.messages.map((m) => m.key.id), ['D1'])
  assert.equal(mapMessagesUpsert({ type: 'notify', messages: [group] }, { ignoreChat }), null, 'nothing left: no event')
  // without the setting the group message is reported (as a group message)
  const all = mapMessagesUpsert({ type: 'notify', messages: [group, direct] }, {})
  assert.deepEqual(all?.messages.map((m) => [m.key.id, m.parsed.isGroup]), [['G1', true], ['D1', false]])
  const h = mapHistorySet({ chats: [{ id: '120363000000000001@g.us' }, { id: PEER_JID }], messages: [group, direct] }, { ignoreChat })
  assert.deepEqual(h.chats.map((c) => c.id), [PEER_JID])
  assert.deepEqual(h.messages.map((m) => m.key.id), ['D1'])
})

test('available/unavailable need a push name: presence.send is invalid_state, settings says no_name; typing needs none', async () => {
  /** @type {any[]} */ const sent = []
  const sock = {
    authState: { creds: { me: { id: '923001110000:1@s.whatsapp.net' } } },
    presenceSubscribe: async (/** @type {string} */ jid) => { sent.push(['subscribe', jid]) },
    sendPresenceUpdate: async (/** @type {string} */ state, /** @type {string} */ jid) => { sent.push([state, jid]) }
  }
  const registry = /** @type {any} */ ({ get: () => ({ state: 'open', sock }) })
  const cmds = behaviourCommands({ registry, settings: new SettingsStore(), logger: /** @type {any} */ ({ warn () {} }) })
  const ctx = /** @type {any} */ ({})
  await assert.rejects(cmds['presence.send'].run({ connectionId: 'x', jid: PEER_JID, state: 'available' }, ctx), (/** @type {any} */ e) => e.code === 'invalid_state')
  assert.deepEqual(await cmds.settings.run({ connectionId: 'x', settings: { alwaysOnline: true } }, ctx), { applied: true, presence: 'no_name' })
  await cmds['presence.send'].run({ connectionId: 'x', jid: PEER_JID, state: 'composing' }, ctx)
  assert.deepEqual(sent.filter((x) => x[0] !== 'subscribe'), [['composing', PEER_JID]], 'only the chat state went out')
  sock.authState.creds.me.name = 'Shop'
  assert.deepEqual(await cmds.settings.run({ connectionId: 'x', settings: { alwaysOnline: false } }, ctx), { applied: true, presence: 'unavailable' })
})

test('presence.update maps each participant with its phone', () => {
  assert.deepEqual(mapPresence({ id: PEER_JID, presences: { [PEER_JID]: { lastKnownPresence: 'composing' } } }),
    [{ chatJid: PEER_JID, jid: PEER_JID, phone: PEER, state: 'composing', lastSeen: null }])
  assert.deepEqual(mapPresence({ id: PEER_JID, presences: { [PEER_JID]: { lastKnownPresence: 'unavailable', lastSeen: 1732170000 } } })[0].lastSeen, 1732170000)
  assert.deepEqual(mapPresence({ id: 1 }), [])
})

test('presence reaches the contact and back; calls are rejected by setting and reported; read receipts reach the contact; always_online applies live', { timeout: 120000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 30000 })
  const { engine } = fx
  await linkedOpen(fx, 'b') // scanned with a name: the device knows its push name (available/unavailable need it)

  // typing in the contact's chat: the contact sees it, and the device subscribed to its presence
  assert.deepEqual(await engine.ok('presence.send', { connectionId: 'b', jid: PEER_JID, state: 'composing' }), { sent: true, subscribed: true })
  await engine.ok('presence.send', { connectionId: 'b', jid: PEER_JID, state: 'recording' })
  const seen = await waitFor(async () => {
    const v = await engine.ok('sandbox.contactView', { connectionId: 'b', phone: PEER })
    return v.states.length >= 2 && v.subscribed ? v : undefined
  }, 'the contact saw composing and recording')
  assert.deepEqual(seen.states.map((/** @type {any} */ s) => s.state), ['composing', 'recording'])
  // the contact types back: presence.update reaches Java's side of the protocol
  await engine.ok('sandbox.presence', { connectionId: 'b', from: PEER, state: 'composing' })
  const typing = await engine.next('presence.update', { connectionId: 'b', where: (d) => d.state === 'composing' })
  assert.deepEqual(typing.data, { chatJid: PEER_JID, jid: PEER_JID, phone: PEER, state: 'composing', lastSeen: null })
  assert.equal((await engine.send('presence.send', { connectionId: 'b', jid: PEER_JID, state: 'dancing' })).error.code, 'bad_request')

  // always_online on: the account goes online at once, without relinking
  assert.deepEqual(await engine.ok('settings', { connectionId: 'b', settings: { alwaysOnline: true } }), { applied: true, presence: 'available' })
  await waitFor(async () => (await engine.ok('sandbox.contactView', { connectionId: 'b', phone: PEER })).online === 'available' || undefined, 'online')
  assert.deepEqual(await engine.ok('settings', { connectionId: 'b', settings: { alwaysOnline: false } }), { applied: true, presence: 'unavailable' })
  await waitFor(async () => (await engine.ok('sandbox.contactView', { connectionId: 'b', phone: PEER })).online === 'unavailable' || undefined, 'offline')

  // a call while reject_calls is off: reported, not rejected
  const voice = await engine.ok('sandbox.call', { connectionId: 'b', from: CALLER })
  const first = await engine.next('call', { connectionId: 'b', where: (d) => d.callId === voice.callId })
  assert.equal(first.data.rejected, false)
  assert.equal(first.data.isVideo, false)
  assert.equal(first.data.fromPhone, CALLER)
  // reject_calls on: the next call is rejected by the device, and the caller's phone sees it
  await engine.ok('settings', { connectionId: 'b', settings: { rejectCalls: true } })
  const video = await engine.ok('sandbox.call', { connectionId: 'b', from: CALLER, video: true })
  const second = await engine.next('call', { connectionId: 'b', where: (d) => d.callId === video.callId })
  assert.deepEqual({ rejected: second.data.rejected, isVideo: second.data.isVideo, from: second.data.from }, { rejected: true, isVideo: true, from: `${CALLER}@s.whatsapp.net` })
  const calls = (await engine.ok('sandbox.contactView', { connectionId: 'b', phone: CALLER })).calls
  assert.equal(calls.find((/** @type {any} */ c) => c.callId === video.callId).rejectedAt > 0, true)
  assert.equal(calls.find((/** @type {any} */ c) => c.callId === voice.callId).rejectedAt, null)

  // read receipts: the contact's message is read only when asked
  const inbound = await engine.ok('sandbox.inbound', { connectionId: 'b', from: PEER, message: 'read me please' })
  await engine.next('messages.upsert', { connectionId: 'b', where: (d) => JSON.stringify(d).includes(inbound.providerMessageId) })
  const receiptsOf = async () => (await engine.ok('sandbox.contactView', { connectionId: 'b', phone: PEER })).messages.find((/** @type {any} */ m) => m.id === inbound.providerMessageId)?.receipts ?? []
  await waitFor(async () => (await receiptsOf()).length > 0 || undefined, 'delivery receipt')
  assert.equal((await receiptsOf()).includes('read'), false)
  assert.deepEqual(await engine.ok('messages.read', { connectionId: 'b', keys: [{ id: inbound.providerMessageId, remoteJid: PEER_JID }] }), { read: 1 })
  await waitFor(async () => (await receiptsOf()).includes('read') || undefined, 'read receipt at the contact')
  assert.equal((await engine.send('messages.read', { connectionId: 'b', keys: [] })).error.code, 'bad_request')
})
