import { once } from 'node:events'
import { connect, pairAndLogin, PHONE, sessionDir, startEmulator } from './emulator.js'

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
  const dir = await sessionDir(t)
  /** @type {Map<string, any>} messages the "gateway" sent, served to getMessage */
  const store = new Map()
  const getMessageCalls = []
  const config = {
    // The emulator sends no history sync yet (another step); without this Baileys buffers every
    // event of a first connection for 20 s waiting for it.
    shouldSyncHistoryMessage: () => false,
    getMessage: opts.getMessage ?? (async (key) => { getMessageCalls.push(key); return store.get(key.id) }),
    ...opts.config
  }
  const prekeys = once(emulator.events, 'prekeys')
  const { client, paired } = await pairAndLogin(emulator, dir, PHONE, config)
  t.after(() => client.end())
  await prekeys
  const account = wrap(client, store)
  return { emulator, dir, paired, client, ...account, getMessageCalls, config, reconnect: () => reconnect(emulator, dir, config, store, t) }
}

async function reconnect (emulator, dir, config, store, t) {
  const client = await connect(emulator, dir, config)
  t.after(() => client.end())
  const w = wrap(client, store)
  return { client, ...w }
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
