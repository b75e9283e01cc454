import { once } from 'node:events'
import { linkedClient, PHONE, startEmulator } from './emulator.js'

/*
 * Messaging test rig: an emulator, one account paired and logged in with the REAL Baileys
 * socket, and recorders for the events the gateway consumes (messages.upsert,
 * messages.update). Every wait is bounded and reports what it saw when it times out.
 */

/**
 * @param {import('node:test').TestContext} t
 * @param {{emulator?: any, getMessage?: (key: any) => Promise<any>, emulatorOptions?: any, config?: object}} [opts]
 */
export async function openAccount (t, opts = {}) {
  const emulator = opts.emulator ?? await startEmulator(opts.emulatorOptions)
  if (!opts.emulator) t.after(() => emulator.close())
  /** @type {Map<string, any>} messages the "gateway" sent, served to getMessage */
  const store = new Map()
  const getMessageCalls = []
  const config = {
    // The phone's initial history sync is not under test here; without waiting for it Baileys
    // releases the first connection's events at once instead of buffering them.
    shouldSyncHistoryMessage: () => false,
    getMessage: opts.getMessage ?? (async (key) => { getMessageCalls.push(key); return store.get(key.id) }),
    ...opts.config
  }
  const prekeys = once(emulator.events, 'prekeys')
  const linked = await linkedClient(t, { emulator, config })
  await prekeys
  const { client, paired, dir } = linked
  const account = wrap(client, store)
  return { emulator, dir, paired, client, ...account, getMessageCalls, config, reconnect: () => reconnect(linked, store) }
}

/** A second socket on the account's folder (ended by linkedClient's cleanup), with its own recorders. */
async function reconnect (linked, store) {
  const client = await linked.connect()
  const w = wrap(client, store)
  return { client, ...w }
}

/**
 * Resolves with the first ledger entry of `phone` (what a contact decrypted from the device,
 * `emulator.messaging.sent`) matching `pred`, already there or still to come; rejects after
 * `timeoutMs` with what the ledger holds.
 * @param {any} emulator @param {string} phone @param {(e: any) => boolean} pred @param {string} what
 */
export function ledgerEntry (emulator, phone, pred, what, timeoutMs = 15000) {
  const m = emulator.messaging
  return new Promise((resolve, reject) => {
    const done = (fn, v) => { off(); clearTimeout(timer); fn(v) }
    // subscribed before the first look, so an arrival in between is not missed
    const off = m.subscribe((e) => { if (e.kind === 'sent' && e.phone === phone && pred(e.entry)) done(resolve, e.entry) })
    const timer = setTimeout(() => done(reject, new Error(`no ledger entry with ${what}; ledger: ${JSON.stringify(m.sent(phone).map((e) => ({ id: e.id, contact: e.contact, stanzaType: e.stanzaType })))}`)), timeoutMs)
    const hit = m.sent(phone).find(pred)
    if (hit) done(resolve, hit)
  })
}

/** Records upserts/updates of one socket and offers bounded waits on them. */
function wrap (client, store) {
  const upserts = []; const updates = []
  /** @type {Set<() => void>} */ const waiters = new Set()
  const poke = () => { for (const w of [...waiters]) w() }
  client.sock.ev.on('messages.upsert', (u) => { for (const m of u.messages) upserts.push({ type: u.type, msg: m }); poke() })
  client.sock.ev.on('messages.update', (list) => { updates.push(...list); poke() })

  /** Resolves with the first item of `list()` matching pred; rejects after timeoutMs. */
  function until (list, pred, what, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = list().find(pred)
        if (!hit) return false
        waiters.delete(check); clearTimeout(timer); resolve(hit)
        return true
      }
      const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(list().slice(-5), (k, v) => (v?.type === 'Buffer' ? '<bytes>' : v)).slice(0, 1500)}`)) }, timeoutMs)
      if (!check()) waiters.add(check)
    })
  }
  return {
    upserts,
    updates,
    /** Sends a text the way the gateway does and keeps it for getMessage. */
    async send (jid, content) {
      const m = await client.sock.sendMessage(jid, content)
      store.set(m.key.id, m.message)
      return m
    },
    /**
     * Resolves once message `id` reached `status` (3 delivered, 4 read, 0 error): Baileys reports
     * it in messages.update, or folds it into the buffered messages.upsert of the sent message
     * when the receipt arrives while its event buffer is on.
     */
    status: (id, status, what, ms) => until(() => [
      ...updates.filter((u) => u.key.id === id && u.update.status === status),
      ...upserts.filter((u) => u.msg.key.id === id && u.msg.status === status)
    ], () => true, what ?? `status ${status} of ${id}`, ms),
    upserted: (pred, what, ms) => until(() => upserts, (u) => pred(u.msg, u.type), what, ms).then((u) => u.msg),
    updated: (pred, what, ms) => until(() => updates, pred, what, ms),
    /** Resolves when `n` upserts match pred. */
    count: (pred, n, what, ms) => until(() => [upserts.filter((u) => pred(u.msg)).length >= n ? true : undefined].filter(Boolean), () => true, what, ms)
  }
}

export { PHONE }
