import { AsyncLocalStorage } from 'node:async_hooks'

/*
 * "Stored before WhatsApp hears it arrived" (docs/decisions.md "An inbound message is stored
 * before WhatsApp hears it arrived"; hello `holdReceipts`).
 *
 * WhatsApp keeps sending a message to a device until the device's receipt (or ack) for it.
 * Baileys sends that receipt inside its handleMessage, before it emits messages.upsert, so a
 * process killed in between (kill -9 of the node) told WhatsApp "delivered" for a message Java
 * never stored, and WhatsApp will not send it again. Two hooks in Baileys' receive path
 * (scripts/patch-baileys.mjs) close that gap:
 *
 * 1. `beforeReceipt`: before the receipt leaves, the engine reports the decrypted message to
 *    Java at once (handlers.js, bypassing Baileys' event buffer) with a token, and waits until
 *    Java confirms it committed the message (`inbound.stored`). A process killed before that
 *    sent no receipt, so WhatsApp sends the message again at the next login.
 * 2. `inboundScope` + the key store wrapper below: the Signal key writes that decrypting the
 *    message makes (the session's ratchet, a consumed one-time prekey) are held in memory until
 *    the message is confirmed, then written, and the receipt waits for that write too. So a
 *    redelivered message still finds the session state it was encrypted for and decrypts again
 *    (else libsignal refuses it as "Key used already" and Baileys drops it); Java stores it once
 *    (dedupe on the key). After the receipt, the stored session is as new as WhatsApp assumes.
 *
 * Reads see held values (the socket works on its newest state); a later write of the same key
 * from outside the scope (a send to that contact) supersedes the held value and is written at
 * once. Remaining gap, accepted: such a send in the few ms between a message's decryption and its
 * commit persists the newer session before the message is stored; a kill in exactly that window
 * still loses the message.
 */

const scopes = new AsyncLocalStorage()

/** The text the patch leaves in Baileys (scripts/patch-baileys.mjs `MARKER`). */
const PATCH_MARKER = 'wa-gateway inbound hooks v1'

/** Whether Baileys' receive path carries the two hooks (the postinstall patch ran). */
export function inboundHooksInstalled () {
  return /** @type {any} */ (globalThis).__waGatewayInboundHooks === PATCH_MARKER
}

/**
 * Confirmation tokens of messages reported to Java and not yet confirmed, for the whole process
 * (`inbound.stored` names tokens, not connections). Tokens are unique per process lifetime.
 */
const awaiting = new Map()
let nextToken = 0

/**
 * A new token and the promise that resolves when Java confirms it (or rejects when `cancel`ed).
 * @returns {{token: string, confirmed: Promise<void>, cancel: (why: Error) => void}}
 */
export function awaitConfirmation () {
  const token = `i${++nextToken}`
  /** @type {(v?: any) => void} */ let resolve = () => {}
  /** @type {(e: Error) => void} */ let reject = () => {}
  const confirmed = new Promise((res, rej) => { resolve = res; reject = rej })
  awaiting.set(token, { resolve, reject })
  return {
    token,
    confirmed,
    cancel: (why) => { if (awaiting.delete(token)) reject(why) }
  }
}

/**
 * Java's `inbound.stored`: these tokens' messages are committed. Unknown tokens (a socket that
 * closed meanwhile, a repeat) are ignored. @param {string[]} tokens @returns {number} how many were waiting
 */
export function confirmStored (tokens) {
  let n = 0
  for (const t of tokens) {
    const w = awaiting.get(t)
    if (w) { awaiting.delete(t); w.resolve(); n++ }
  }
  return n
}

/**
 * The hooks and the key store wrapper of one socket.
 * @param {object} deps
 * @param {any} deps.keys  the socket's key store (already caching: Baileys' cacheable store or auth-store.js)
 * @param {import('pino').Logger} deps.logger
 */
export function createInboundHold ({ keys, logger }) {
  /** Held values visible to reads: type → (id → value|null). @type {Map<string, Map<string, any>>} */
  const overlay = new Map()
  /** "type\0id" → the scope holding that key's newest value. @type {Map<string, Scope>} */
  const holder = new Map()
  /** @type {((msg: any, node: any) => Promise<void>)|null} */
  let report = null
  let dead = false

  /** @typedef {{open: boolean, held: Map<string, {type: string, id: string, value: any}>}} Scope */

  /** @param {string} type */
  const overlayOf = (type) => {
    let m = overlay.get(type)
    if (!m) overlay.set(type, (m = new Map()))
    return m
  }

  /** Drops overlay entries once the store holds them (unless a newer value replaced them). @param {Array<{type: string, id: string, value: any}>} entries */
  function settled (entries) {
    for (const { type, id, value } of entries) {
      const m = overlay.get(type)
      if (m?.get(id) === value && !holder.has(`${type}\u0000${id}`)) m.delete(id)
    }
  }

  /** Writes through to the store now; the overlay keeps the values until the store has them. @param {Record<string, Record<string, any>>} data */
  function writeThrough (data) {
    /** @type {Array<{type: string, id: string, value: any}>} */
    const entries = []
    for (const type of Object.keys(data)) {
      for (const [id, value] of Object.entries(data[type] ?? {})) {
        const k = `${type}\u0000${id}`
        const owner = holder.get(k)
        if (owner) { owner.held.delete(k); holder.delete(k) } // this newer value supersedes the held one
        if (overlay.get(type)?.has(id)) { overlayOf(type).set(id, value ?? null); entries.push({ type, id, value: value ?? null }) }
      }
    }
    const done = keys.set(data)
    return entries.length ? done.then(() => settled(entries)) : done
  }

  /**
   * Ends a scope: writes what it held (the message is stored) or gives the socket up (not
   * stored). Resolves once the held values are durable (the store's set resolved), rejects if
   * that write failed (the postgres store keeps and retries it).
   * @param {Scope} scope @param {boolean} stored @returns {Promise<void>}
   */
  function release (scope, stored) {
    if (!scope.open) return Promise.resolve()
    scope.open = false
    if (scope.held.size === 0) return Promise.resolve()
    const entries = [...scope.held.values()]
    scope.held.clear()
    for (const e of entries) holder.delete(`${e.type}\u0000${e.id}`)
    if (!stored) {
      // the message was not stored and the socket is going away: its state must not be persisted
      dead = true
      return Promise.resolve()
    }
    /** @type {Record<string, Record<string, any>>} */
    const data = {}
    for (const e of entries) (data[e.type] ??= {})[e.id] = e.value
    return keys.set(data).then(() => settled(entries))
  }

  const wrapped = {
    cached: true,
    /** @param {string} type @param {string[]} ids */
    async get (type, ids) {
      const found = await keys.get(type, ids)
      const m = overlay.get(type)
      if (!m || m.size === 0) return found
      for (const id of ids) {
        if (!m.has(id)) continue
        const v = m.get(id)
        if (v === null || v === undefined) delete found[id]
        else found[id] = v
      }
      return found
    },
    /** @param {Record<string, Record<string, any>>} data */
    async set (data) {
      if (dead) throw new Error('socket closed before a received message was stored; key writes refused')
      const scope = /** @type {Scope|undefined} */ (scopes.getStore())
      if (!scope?.open) return writeThrough(data)
      for (const type of Object.keys(data)) {
        for (const [id, value] of Object.entries(data[type] ?? {})) {
          const k = `${type}\u0000${id}`
          const owner = holder.get(k)
          if (owner && owner !== scope) owner.held.delete(k)
          holder.set(k, scope)
          scope.held.set(k, { type, id, value: value ?? null })
          overlayOf(type).set(id, value ?? null)
        }
      }
    },
    clear: async () => keys.clear?.()
  }

  return {
    keys: wrapped,
    /** makeWASocket options read by the patched receive path. */
    socketConfig: {
      /** @param {any} node @param {() => Promise<any>} run */
      inboundScope (node, run) {
        /** @type {Scope} */
        const scope = { open: true, held: new Map() }
        return scopes.run(scope, async () => {
          try {
            return await run()
          } finally {
            // a message that never reached the receipt (failed to decrypt, a newsletter, an error):
            // its writes go out as Baileys made them
            release(scope, true).catch((/** @type {Error} */ err) => {
              logger.warn({ err: String(err?.message ?? err) }, 'writing held keys failed (the store retries)')
            })
          }
        })
      },
      /** @param {any} msg @param {any} node */
      async beforeReceipt (msg, node) {
        const scope = /** @type {Scope|undefined} */ (scopes.getStore())
        try {
          if (report) await report(msg, node)
        } catch (err) {
          if (scope) release(scope, false)
          throw err
        }
        // the keys go to the store before the receipt, as Baileys would have written them: a node
        // frozen after the receipt must not leave the next owner an older session than WhatsApp assumes
        if (scope) await release(scope, true)
      }
    },
    /** Sets how a message is reported and confirmed (handlers.js); until then receipts are not held. @param {(msg: any, node: any) => Promise<void>} fn */
    bind (fn) { report = fn }
  }
}
