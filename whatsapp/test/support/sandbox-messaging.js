import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { FAST_SANDBOX } from './engine.js'

/*
 * Shared by the engine messaging tests (messaging*.test.js): a linked, open sandbox connection
 * (the real Baileys socket against the engine's own emulator) and the waits that read its
 * events. Every wait is bounded and waits for a positive signal.
 */

export const PHONE = '923001234567'
export const PEER = '923001112233'
export const PEER_JID = `${PEER}@s.whatsapp.net`
/** A 32×24 JPEG (275 bytes). */
export const JPEG_B64 = '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAYACADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAQG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AjgIWoAAAAAAf/9k='

/** A Baileys-style id as Java makes them: 3EB0 + 18 uppercase hex. */
export const newId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`

/**
 * hello + link a connection (QR, scan, 515, start) and wait for it to open.
 * @param {Awaited<ReturnType<typeof import('./engine.js').engineFixture>>} fx @param {string} id @param {object} [sandbox]
 */
export async function linkedOpen (fx, id, sandbox = {}) {
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
 * @param {Awaited<ReturnType<typeof import('./engine.js').engineFixture>>['engine']} engine @param {string} id
 */
export async function marker (engine, id) {
  const { requestId } = await engine.ok('history.fetch', { connectionId: id, count: 1, oldestKey: { id: '3A00000000000000MARK', remoteJid: PEER_JID, fromMe: false }, oldestTimestamp: 1732170000 })
  await engine.next('history.set', { connectionId: id, where: (d) => d.peerDataRequestSessionId === requestId })
}

/** @param {string} connectionId @param {string} messageId @param {object} [extra] */
export const textSend = (connectionId, messageId, extra = {}) => ({ connectionId, messageId, jid: PEER_JID, content: { type: 'text', text: `hello ${messageId}` }, ...extra })

/**
 * A send the server refuses (sandbox.fail): either `send` fails with send_failed and the code
 * (an engine that waits for the server ack), or it succeeds and the message turns to `failed`
 * with the code (Baileys' sendMessage resolving before the ack). Both are the contract.
 * @param {any} engine @param {any} args @param {number} code @param {number} nth  this id's nth refused attempt
 */
export async function refusedSend (engine, args, code, nth) {
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
export function statusSeen (engine, id, status) {
  return engine.events().find((/** @type {any} */ e) => (e.event === 'messages.update' || e.event === 'messages.upsert') &&
    JSON.stringify(e.data).includes(id) && JSON.stringify(e.data).includes(`"status":"${status}"`))
}

/** Message statuses in the order WhatsApp moves them. */
const STATUS_ORDER = ['pending', 'sent', 'delivered', 'read', 'played']

/**
 * An event for message `id` carrying `status` or a later one, or undefined: a later status
 * proves the earlier step too (Baileys may merge a delivered into the read that follows it).
 * @param {any} engine @param {string} id @param {string} status
 */
export function statusAtLeast (engine, id, status) {
  for (const later of STATUS_ORDER.slice(STATUS_ORDER.indexOf(status))) {
    const seen = statusSeen(engine, id, later)
    if (seen) return seen
  }
  return undefined
}

/** Polls `fn` until it gives a value (a positive signal), bounded. @template T @param {() => Promise<T|undefined>} fn @param {string} what @returns {Promise<T>} */
export async function waitFor (fn, what, ms = 20000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
