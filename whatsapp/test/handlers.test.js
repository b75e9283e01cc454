import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, test } from 'node:test'
import { Boom } from '@hapi/boom'
import { DisconnectReason, makeEventBuffer } from 'baileys'
import pino from 'pino'
import { attachHandlers } from '../src/handlers.js'
import { Registry, createEntry } from '../src/registry.js'

/*
 * The shared Baileys handlers against a Baileys-shaped fake socket: an event emitter plus
 * `user`/`authState`, fed the same connection.update / creds.update payloads Baileys emits.
 */

const logger = pino({ level: 'silent' })
const QR_TIMING = { firstMs: 60000, nextMs: 20000 }

/**
 * @param {object} [opts]
 * @param {boolean} [opts.hadSession]
 * @param {any} [opts.me]
 * @param {'plain'|'baileys'} [opts.emitter]  node EventEmitter or Baileys' own makeEventBuffer
 * @param {boolean} [opts.hold]  keep events held (as before the start reply)
 * @param {any} [opts.lidMapping]  a stand-in for Baileys' signalRepository.lidMapping
 * @param {boolean} [opts.ignoreStatusBroadcast]
 */
function setup ({ hadSession = false, me = undefined, emitter = 'plain', hold = false, lidMapping = undefined, ignoreStatusBroadcast = undefined } = {}) {
  const creds = { me }
  const ev = emitter === 'plain' ? new EventEmitter() : makeEventBuffer(/** @type {any} */ (logger))
  // Baileys' socket merges every creds.update into the live creds before anyone else sees it
  ev.on('creds.update', (/** @type {any} */ u) => Object.assign(creds, u))
  const sock = /** @type {any} */ ({
    ev, authState: { creds, keys: {} }, get user () { return creds.me }, end () {}, async logout () {}, signalRepository: lidMapping ? { lidMapping } : undefined
  })
  /** @type {Array<{connectionId: string, event: string, data: any}>} */
  const emitted = []
  let saves = 0
  const registry = new Registry()
  const { entry, release } = createEntry({
    connectionId: 'c1',
    folder: '/nonexistent/c1',
    sock,
    hadSession,
    qrTiming: QR_TIMING,
    saveCreds: async () => { saves += 1 },
    emitEvent: (connectionId, event, data) => emitted.push({ connectionId, event, data })
  })
  attachHandlers(entry, { registry, logger, ignoreStatusBroadcast })
  registry.set(entry)
  if (!hold) release()
  return { ev, creds, entry, registry, emitted, release, saves: () => saves, names: () => emitted.map((e) => e.event) }
}

describe('connection.update', () => {
  test('connecting and QR refs with expiry', () => {
    const { ev, emitted, entry } = setup()
    ev.emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined })
    const t0 = Date.now()
    ev.emit('connection.update', { qr: 'https://wa.me/settings/linked_devices#2@a,b,c,d,1' })
    ev.emit('connection.update', { qr: 'https://wa.me/settings/linked_devices#2@e,b,c,d,1' })
    assert.deepEqual(emitted[0], { connectionId: 'c1', event: 'connection.connecting', data: {} })
    assert.equal(emitted[1].event, 'connection.qr')
    assert.equal(emitted[1].data.ref, 1)
    assert.equal(emitted[1].data.qr, 'https://wa.me/settings/linked_devices#2@a,b,c,d,1')
    assert.ok(Math.abs(emitted[1].data.expiresAt - (t0 + 60000)) < 1000, 'first ref lives firstMs')
    assert.equal(emitted[2].data.ref, 2)
    assert.ok(Math.abs(emitted[2].data.expiresAt - (t0 + 20000)) < 1000, 'later refs live nextMs')
    assert.equal(entry.state, 'qr')
  })

  test('pairing: creds.update(me) then isNewLogin → one authenticated, creds saved', () => {
    const { ev, emitted, saves, entry, names } = setup()
    ev.emit('connection.update', { qr: 'q1' })
    ev.emit('creds.update', { me: { id: '923001234567:7@s.whatsapp.net', name: 'Ali', lid: '99:7@lid' }, platform: 'android' })
    ev.emit('connection.update', { isNewLogin: true, qr: undefined })
    assert.equal(saves(), 1)
    assert.deepEqual(names(), ['connection.qr', 'connection.authenticated'])
    assert.deepEqual(emitted[1].data, { jid: '923001234567:7@s.whatsapp.net', phone: '923001234567', name: 'Ali', isNewLogin: true })
    assert.equal(entry.state, 'authenticated')

    ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: new Boom('Stream Errored (restart required)', { statusCode: DisconnectReason.restartRequired }), date: new Date() } })
    assert.deepEqual(emitted[2].data, { code: 515, reason: 'restartRequired', message: 'Stream Errored (restart required)', wasOpen: false, wasAuthenticated: true })
  })

  test('isNewLogin before creds.update also gives exactly one authenticated', () => {
    const { ev, emitted, names } = setup({ me: { id: '923001234567:7@s.whatsapp.net' } })
    ev.emit('connection.update', { isNewLogin: true })
    ev.emit('creds.update', { me: { id: '923001234567:7@s.whatsapp.net' } })
    assert.deepEqual(names(), ['connection.authenticated'])
    assert.equal(emitted[0].data.isNewLogin, true)
  })

  test('login of an existing session: authenticated (not new) then open', () => {
    const me = { id: '923001234567:3@s.whatsapp.net', name: 'Ali' }
    const { ev, emitted, names, entry, saves } = setup({ hadSession: true, me, emitter: 'baileys' })
    ev.emit('connection.update', { connection: 'connecting' })
    ev.emit('creds.update', { me: { ...me, lid: '1:3@lid' } })
    ev.emit('connection.update', { connection: 'open' })
    assert.deepEqual(names(), ['connection.connecting', 'connection.authenticated', 'connection.open'])
    assert.equal(emitted[1].data.isNewLogin, false)
    assert.deepEqual(emitted[2].data, { jid: me.id, phone: '923001234567', name: 'Ali' })
    assert.equal(entry.wasOpen, true)
    assert.equal(entry.state, 'open')
    assert.equal(saves(), 1)
  })

  test('unrequested close after open: reported with Baileys code, entry dropped', () => {
    const { ev, emitted, registry, entry } = setup({ hadSession: true, me: { id: '923001234567:3@s.whatsapp.net' } })
    ev.emit('creds.update', { me: { id: '923001234567:3@s.whatsapp.net' } })
    ev.emit('connection.update', { connection: 'open' })
    ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: new Boom('Connection Closed', { statusCode: 428 }), date: new Date() } })
    assert.deepEqual(emitted.at(-1), {
      connectionId: 'c1',
      event: 'connection.close',
      data: { code: 428, reason: 'connectionClosed', message: 'Connection Closed', wasOpen: true, wasAuthenticated: true }
    })
    assert.equal(registry.get('c1'), undefined)
    assert.equal(entry.state, 'open', 'state is what was last seen; the entry is gone anyway')
  })

  test('close without an error: code null, reason unknown', () => {
    const { ev, emitted } = setup()
    ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: undefined, date: new Date() } })
    assert.deepEqual(emitted[0].data, { code: null, reason: 'unknown', message: null, wasOpen: false, wasAuthenticated: false })
  })

  test('a close Java asked for is not reported, and the socket goes quiet', () => {
    const { ev, emitted, registry, entry } = setup()
    entry.stoppedByUs = true
    registry.remove(entry)
    ev.emit('connection.update', { qr: 'late' })
    ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: new Boom('x', { statusCode: 428 }) } })
    assert.deepEqual(emitted, [])
  })

  test('a replaced socket closing late cannot evict its successor', () => {
    const first = setup()
    const { entry: successor } = createEntry({
      connectionId: 'c1', folder: '/x', sock: /** @type {any} */ ({}), hadSession: false, qrTiming: QR_TIMING, saveCreds: async () => {}, emitEvent: () => {}
    })
    first.registry.set(successor)
    first.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: new Boom('x', { statusCode: 408 }) } })
    assert.equal(first.registry.get('c1'), successor)
  })
})

describe('other events', () => {
  test('events are held until released (start reply first), then flushed in order', () => {
    const { ev, emitted, release } = setup({ hold: true })
    ev.emit('connection.update', { connection: 'connecting' })
    ev.emit('connection.update', { qr: 'q' })
    assert.equal(emitted.length, 0)
    release()
    assert.deepEqual(emitted.map((e) => e.event), ['connection.connecting', 'connection.qr'])
    ev.emit('connection.update', { qr: 'q2' })
    assert.equal(emitted.length, 3)
  })

  test('messages.upsert, messages.update, message-receipt.update, messaging-history.set, lid-mapping.update are mapped', () => {
    const { ev, emitted } = setup({ emitter: 'baileys' })
    const key = { id: 'M1', remoteJid: '123@lid', remoteJidAlt: '923001112233@s.whatsapp.net', fromMe: false }
    ev.emit('messages.upsert', { type: 'notify', messages: [{ key, messageTimestamp: 5, message: { conversation: 'hi' }, pushName: 'B' }] })
    ev.emit('messages.update', [{ key, update: { status: 4 } }])
    ev.emit('message-receipt.update', [{ key: { ...key, remoteJid: '120363000000000001@g.us' }, receipt: { userJid: '923001112233@s.whatsapp.net', receiptTimestamp: 9 } }])
    ev.emit('messaging-history.set', { chats: [], contacts: [], messages: [], isLatest: false, progress: 10, syncType: 2 })
    ev.emit('lid-mapping.update', { lid: '123@lid', pn: '923001112233@s.whatsapp.net' })
    assert.deepEqual(emitted.map((e) => e.event), ['messages.upsert', 'messages.update', 'messages.update', 'history.set', 'contacts.lid'])
    const m = emitted[0].data.messages[0]
    assert.equal(m.key.remoteJidAlt, '923001112233@s.whatsapp.net')
    assert.deepEqual(m.message, { conversation: 'hi' })
    assert.equal(m.parsed.text, 'hi')
    assert.equal(m.parsed.senderPhone, '923001112233', '@lid sender resolved through remoteJidAlt')
    assert.equal(emitted[1].data.updates[0].status, 'read')
    assert.deepEqual(emitted[2].data.updates[0], {
      key: { id: 'M1', remoteJid: '120363000000000001@g.us', fromMe: false, participant: null, remoteJidAlt: '923001112233@s.whatsapp.net', participantAlt: null },
      status: 'delivered',
      timestamp: 9,
      userJid: '923001112233@s.whatsapp.net'
    })
    assert.deepEqual(emitted[3].data, { chats: [], messages: [], isLatest: false, progress: 10, syncType: 2, chunkOrder: null, peerDataRequestSessionId: null })
    assert.deepEqual(emitted[4].data, { mappings: [{ lid: '123@lid', pn: '923001112233@s.whatsapp.net' }] })
  })

  test('a failing handler is logged, never thrown into the Baileys emitter', () => {
    const { ev, emitted } = setup()
    assert.doesNotThrow(() => ev.emit('messages.update', { not: 'an array' }))
    assert.equal(emitted.length, 0)
  })

  test('saveCreds failure does not throw and stops after discardCreds', async () => {
    let calls = 0
    const creds = {}
    const ev = new EventEmitter()
    const registry = new Registry()
    const { entry, release } = createEntry({
      connectionId: 'c2',
      folder: '/x',
      sock: /** @type {any} */ ({ ev, authState: { creds }, user: undefined }),
      hadSession: false,
      qrTiming: QR_TIMING,
      saveCreds: async () => { calls += 1; throw new Error('ENOENT') },
      emitEvent: () => {}
    })
    attachHandlers(entry, { registry, logger })
    release()
    ev.emit('creds.update', { nextPreKeyId: 5 })
    await Promise.allSettled([...entry.pendingWrites])
    assert.equal(calls, 1)
    assert.equal(entry.pendingWrites.size, 0)
    entry.discardCreds = true
    ev.emit('creds.update', { nextPreKeyId: 6 })
    assert.equal(calls, 1)
  })
})

describe('message events: LID lookups and order', () => {
  const lidKey = { id: 'L1', remoteJid: '444444444444444@lid', fromMe: false }
  /** @param {number} ms */
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  /**
   * Waits until `n` events were emitted (bounded by a 5 s deadline, not by a count of naps, so a
   * loaded machine does not fail it). @param {any[]} emitted @param {number} n
   */
  async function until (emitted, n) {
    const deadline = Date.now() + 5000
    while (emitted.length < n && Date.now() < deadline) await sleep(10)
    assert.equal(emitted.length, n)
  }

  test('@lid sender without alt: resolved through signalRepository.lidMapping; later events wait for it', async () => {
    /** @type {string[][]} */
    const asked = []
    const lidMapping = {
      async getPNsForLIDs (/** @type {string[]} */ lids) {
        asked.push(lids)
        await sleep(30)
        return [{ lid: lids[0], pn: '923007776655:0@s.whatsapp.net' }]
      }
    }
    const { ev, emitted, names } = setup({ emitter: 'baileys', lidMapping })
    ev.emit('messages.upsert', { type: 'notify', messages: [{ key: lidKey, messageTimestamp: 5, message: { conversation: 'hi' } }] })
    ev.emit('messages.update', [{ key: { ...lidKey, fromMe: true }, update: { status: 3 } }])
    assert.equal(emitted.length, 0, 'the update waits behind the upsert that is looking up a LID')
    await until(emitted, 2)
    assert.deepEqual(names(), ['messages.upsert', 'messages.update'])
    assert.deepEqual(asked, [['444444444444444@lid']])
    assert.equal(emitted[0].data.messages[0].parsed.senderPhone, '923007776655')
    assert.equal(emitted[0].data.messages[0].parsed.senderJid, '444444444444444@lid')
    // once the chain is idle, events are synchronous again
    ev.emit('messages.update', [{ key: { ...lidKey, fromMe: true }, update: { status: 4 } }])
    assert.equal(emitted.length, 3)
  })

  test('a failing LID lookup leaves the phone null and the message still arrives', async () => {
    const lidMapping = { async getPNsForLIDs () { throw new Error('store broken') } }
    const { ev, emitted } = setup({ lidMapping })
    ev.emit('messages.upsert', { type: 'notify', messages: [{ key: lidKey, message: { conversation: 'hi' } }] })
    await until(emitted, 1)
    assert.equal(emitted[0].data.messages[0].parsed.senderPhone, null)
    assert.equal(emitted[0].data.messages[0].parsed.senderJid, '444444444444444@lid')
  })

  test('history.set brings its own LID mappings: contacts.lid first, then messages resolved with them', () => {
    const lidMapping = { async getPNsForLIDs () { throw new Error('must not be asked') } }
    const { ev, emitted, names } = setup({ lidMapping })
    ev.emit('messaging-history.set', {
      chats: [{ id: '444444444444444@lid' }],
      contacts: [],
      messages: [{ key: lidKey, messageTimestamp: 5, message: { conversation: 'old' } }],
      lidPnMappings: [{ lid: '444444444444444@lid', pn: '923007776655@s.whatsapp.net' }],
      syncType: 0,
      isLatest: true
    })
    assert.deepEqual(names(), ['contacts.lid', 'history.set'])
    assert.deepEqual(emitted[0].data, { mappings: [{ lid: '444444444444444@lid', pn: '923007776655@s.whatsapp.net' }] })
    assert.equal(emitted[1].data.messages[0].parsed.senderPhone, '923007776655')
  })

  test('status@broadcast upserts produce no event by default, and do with ignoreStatusBroadcast false', () => {
    const story = { key: { id: 'S1', remoteJid: 'status@broadcast', participant: '923001112233@s.whatsapp.net', fromMe: false }, message: { conversation: 'story' } }
    const dropped = setup()
    dropped.ev.emit('messages.upsert', { type: 'notify', messages: [story] })
    assert.deepEqual(dropped.emitted, [])
    const kept = setup({ ignoreStatusBroadcast: false })
    kept.ev.emit('messages.upsert', { type: 'notify', messages: [story] })
    assert.equal(kept.emitted[0].data.messages[0].key.remoteJid, 'status@broadcast')
  })
})

describe('pairing codes and contact names', () => {
  test('the creds update of requestPairingCode (phone asked for, no account) is not a login; the pair-success one is', () => {
    const { ev, names } = setup()
    ev.emit('connection.update', { qr: 'https://wa.me/settings/linked_devices#2@a,b,c,d,1' })
    ev.emit('creds.update', { me: { id: '923001234567@s.whatsapp.net', name: '~' }, pairingCode: 'ABCD1234', registered: false })
    assert.deepEqual(names(), ['connection.qr'])
    ev.emit('creds.update', { me: { id: '923001234567:1@s.whatsapp.net' }, account: { details: 'x' }, platform: 'android' })
    assert.deepEqual(names(), ['connection.qr', 'connection.authenticated'])
  })

  test('contact names from contacts.upsert/update and history are reported once per change, with phone and LID, groups and nameless left out', () => {
    const { ev, emitted } = setup()
    const contacts = () => emitted.filter((e) => e.event === 'contacts.upsert').map((e) => e.data.contacts)
    ev.emit('contacts.update', [{ id: '923001112233@s.whatsapp.net', notify: 'Sara' }])
    ev.emit('contacts.update', [{ id: '923001112233@s.whatsapp.net', notify: 'Sara' }]) // the same push name again
    ev.emit('contacts.upsert', [
      { id: '123456789012345@lid', notify: 'Layla', phoneNumber: '923004440000@s.whatsapp.net' },
      { id: '1203630@g.us', name: 'A group' },
      { id: '923009990000@s.whatsapp.net' }
    ])
    ev.emit('messaging-history.set', { chats: [], messages: [], contacts: [{ id: '923001112233@s.whatsapp.net', name: 'Sara (work)', notify: 'Sara' }], isLatest: true })
    assert.deepEqual(contacts(), [
      [{ jid: '923001112233@s.whatsapp.net', phone: '923001112233', lid: null, name: null, notify: 'Sara', verifiedName: null }],
      [{ jid: '123456789012345@lid', phone: '923004440000', lid: '123456789012345@lid', name: null, notify: 'Layla', verifiedName: null }],
      [{ jid: '923001112233@s.whatsapp.net', phone: '923001112233', lid: null, name: 'Sara (work)', notify: 'Sara', verifiedName: null }]
    ])
  })
})
