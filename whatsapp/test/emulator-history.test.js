import assert from 'node:assert/strict'
import { test } from 'node:test'
import { proto } from 'baileys'
import { mediaHostsFor } from '../src/media-hosts.js'
import { linkedClient, PHONE, startEmulator } from './support/emulator.js'

/*
 * History sync through the REAL Baileys socket: the emulator's phone hosts an encrypted,
 * deflated HistorySync blob on the media host and sends a Signal-encrypted
 * HISTORY_SYNC_NOTIFICATION; Baileys downloads it (through the sandbox media-hosts redirect),
 * decrypts, inflates and emits `messaging-history.set`. The device's on-demand request goes to
 * its own phone through the emulator's messaging part, which hands it to the history sync.
 */

const ALICE = '15550002222@s.whatsapp.net'
const BOB = '15550003333@s.whatsapp.net'

/** Collects messaging-history.set events; `next(pred)` waits (bounded) for one that matches. */
function historyEvents (client) {
  const events = []
  const waiters = new Set()
  client.sock.ev.on('messaging-history.set', (e) => { events.push(e); for (const w of [...waiters]) w() })
  return {
    events,
    next (pred, what, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred)
          if (!hit) return false
          waiters.delete(check); clearTimeout(timer); resolve(hit)
          return true
        }
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no messaging-history.set with ${what}; got ${events.length}`)) }, timeoutMs)
        if (!check()) waiters.add(check)
      })
    }
  }
}

/**
 * Pairs with the sandbox media redirect in the socket config (the emulator's own messaging part
 * answers usync, key fetch and the device's peer requests to its phone); returns the logged-in
 * client and its history events, recorded from before the login.
 */
async function pairWithHistory (t, emulator) {
  const hosts = mediaHostsFor({ mode: 'sandbox', emulatorUrl: emulator.url })
  let history
  const { client } = await linkedClient(t, { emulator, config: hosts.socketConfig, beforeOpen: (c) => { history = historyEvents(c) } })
  return { client, history, hosts }
}

test('after pairing, the phone\'s initial history reaches Baileys as messaging-history.set with the seeded chats, push names in their own sync', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  emulator.history.seed(PHONE, {
    chats: [
      { jid: ALICE, name: 'Alice', unreadCount: 1, messages: [{ id: 'A1', text: 'hello from alice', timestamp: 1700000000, pushName: 'Alice' }, { id: 'A2', fromMe: true, text: 'hi alice', timestamp: 1700000060 }] },
      { jid: BOB, messages: [{ id: 'B1', text: 'bob here', timestamp: 1700000100 }] }
    ],
    pushnames: [{ jid: ALICE, pushName: 'Alice A.' }]
  })
  const { history } = await pairWithHistory(t, emulator)
  const set = await history.next((e) => e.syncType === proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP, 'INITIAL_BOOTSTRAP')
  assert.equal(set.isLatest, true)
  assert.deepEqual(set.chats.map((c) => c.id).sort(), [ALICE, BOB])
  assert.equal(set.chats.find((c) => c.id === ALICE).name, 'Alice')
  const byId = Object.fromEntries(set.messages.map((m) => [m.key.id, m]))
  assert.deepEqual(Object.keys(byId).sort(), ['A1', 'A2', 'B1'])
  assert.equal(byId.A1.message.conversation, 'hello from alice')
  assert.equal(byId.A1.key.remoteJid, ALICE)
  assert.equal(byId.A1.key.fromMe, false)
  assert.equal(Number(byId.A1.messageTimestamp), 1700000000)
  assert.equal(byId.A2.key.fromMe, true)
  assert.equal(byId.A2.message.conversation, 'hi alice')
  assert.equal(byId.B1.message.conversation, 'bob here')
  assert.ok(set.contacts.some((c) => c.id === ALICE && c.name === 'Alice'))
  const names = await history.next((e) => e.syncType === proto.HistorySync.HistorySyncType.PUSH_NAME, 'PUSH_NAME')
  assert.deepEqual(names.contacts, [{ id: ALICE, notify: 'Alice A.' }])

  // The blob Baileys downloaded is the emulator's: encrypted md-msg-hist on the media host.
  const blobs = emulator.media.list().filter((b) => b.kind === 'md-msg-hist')
  assert.equal(blobs.length, 2, 'conversations and push names, one blob each')
  assert.equal(emulator.media.stats.downloads, 2)
  assert.equal(emulator.history.stats.sent, 2)
})

test('history on demand over the control API: RECENT chats reach the logged-in device; bad input is a JSON 400', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const { history } = await pairWithHistory(t, emulator)
  await history.next((e) => e.syncType === proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP, 'the (empty) initial sync')

  const base = `http://127.0.0.1:${emulator.port}`
  const post = (body) => fetch(`${base}/control/history`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }))
  const ok = await post({ phone: PHONE, syncType: 'RECENT', chats: [{ jid: BOB, messages: [{ id: 'R1', text: 'recent one', timestamp: 1700000500 }] }] })
  assert.equal(ok.status, 200)
  assert.equal(ok.body.devices, 1)
  const set = await history.next((e) => e.syncType === proto.HistorySync.HistorySyncType.RECENT, 'RECENT')
  assert.deepEqual(set.chats.map((c) => c.id), [BOB])
  assert.equal(set.messages[0].key.id, 'R1')
  assert.equal(set.messages[0].message.conversation, 'recent one')

  for (const bad of [
    { phone: PHONE, syncType: 'SOMETIMES', chats: [] },
    { phone: PHONE, chats: [{ jid: 'not-a-jid' }] },
    { phone: PHONE, chats: [{ jid: BOB, messages: [{}] }] },
    { phone: 'abc', chats: [] }
  ]) {
    const r = await post(bad)
    assert.equal(r.status, 400, JSON.stringify(bad))
    assert.equal(r.body.error.code, 'bad_request')
  }
  assert.equal(emulator.history.stats.sent, 2, 'refused requests sent nothing')
})

test('fetchMessageHistory: the phone answers the device\'s peer-data request with an ON_DEMAND sync of older messages', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const messages = [1, 2, 3, 4, 5].map((n) => ({ id: `M${n}`, text: `message ${n}`, timestamp: 1700000000 + n * 60 }))
  emulator.history.seed(PHONE, { chats: [{ jid: ALICE, messages: messages.slice(3) }] })
  // The phone holds older messages than it sent at pairing (it sends only the recent part).
  await emulator.history.send(PHONE, { syncType: 'RECENT', chats: [{ jid: ALICE, messages: messages.slice(0, 3) }] })
  const { client, history } = await pairWithHistory(t, emulator)
  await history.next((e) => e.syncType === proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP, 'INITIAL_BOOTSTRAP')

  const requestId = await client.sock.fetchMessageHistory(2, { remoteJid: ALICE, fromMe: false, id: 'M4' }, (1700000000 + 4 * 60) * 1000)
  const set = await history.next((e) => e.syncType === proto.HistorySync.HistorySyncType.ON_DEMAND, 'ON_DEMAND')
  assert.equal(set.peerDataRequestSessionId, requestId)
  assert.deepEqual(set.messages.map((m) => m.key.id), ['M2', 'M3'])
  assert.equal(set.messages[1].message.conversation, 'message 3')
  assert.equal(emulator.history.stats.onDemand, 1)
  const peer = emulator.messaging.stateOf(PHONE).peer
  assert.deepEqual(peer.map((p) => p.id), [requestId], 'the own phone decrypted the request as a peer message (messaging part)')
  assert.ok(peer[0].message.protocolMessage?.peerDataOperationRequestMessage, 'a peer-data operation request')
  assert.equal(emulator.messaging.sent(PHONE).length, 0, 'a peer request is no message to a contact')
})
