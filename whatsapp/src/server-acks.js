import { Boom } from '@hapi/boom'
import { WAMessageStatus } from 'baileys'
import { statusName } from './messages.js'

/*
 * WhatsApp's server acks for the messages this engine sends (docs/engine-protocol.md, `send`).
 * The server answers every `<message>` stanza with `<ack class="message" id=…>`; a refused
 * message gets the same ack with an `error` code. Baileys 7.0.0-rc14's sendMessage resolves when
 * the stanza is written, before that ack, and reports an error ack only afterwards as a
 * `messages.update` with status ERROR. `send` waits here for the ack instead, so its reply means
 * "accepted by WhatsApp" and a refusal is the send's own failure (docs/decisions.md, "send
 * replies at the server ack").
 *
 * One tracker per socket, one listener on the socket's frames (Baileys emits every ack node as
 * `CB:ack,class:message` on `sock.ws`), so thousands of concurrent sends add no listeners.
 */

/** How long `send` waits for the server ack after Baileys wrote the message. */
export const ACK_TIMEOUT_MS = 15000

/** How many sent ids a tracker remembers, to drop Baileys' late ERROR update of a failed send. */
const REMEMBERED = 5000

/** @type {WeakMap<object, AckTracker>} */
const trackers = new WeakMap()

/**
 * @typedef {object} AckWait
 * @property {(timeoutMs?: number) => Promise<void>} done  resolves at the ack; rejects with a
 *   Boom: the error ack's code (e.g. 479, 500), 408 "Timed Out" without an ack in time, 428
 *   "Connection Closed" when the socket closes first
 * @property {() => void} cancel  stop waiting (sendMessage itself failed)
 *
 * @typedef {object} AckTracker
 * @property {(id: string) => AckWait} expect   call before sending the message with this id
 * @property {(id: string) => boolean} sentHere  true for ids sent through `send` on this socket:
 *   their error acks are reported as that send's failure, so Baileys' ERROR update is not reported again,
 *   and their echoes are not reported (withoutOwnEchoes)
 */

/**
 * The ack tracker of a Baileys socket, or null for an object without Baileys' two emitters
 * (`ws` frames and `ev` events), e.g. a handler test's stand-in, which then sends unchecked.
 * @param {any} sock
 * @returns {AckTracker|null}
 */
export function serverAcks (sock) {
  if (!sock || typeof sock.ws?.on !== 'function' || typeof sock.ev?.on !== 'function') return null
  let tracker = trackers.get(sock)
  if (!tracker) {
    tracker = createTracker(sock)
    trackers.set(sock, tracker)
  }
  return tracker
}

/** @param {any} sock @returns {AckTracker} */
function createTracker (sock) {
  /** @type {Map<string, Set<(err: Error|null) => void>>} id → the sends waiting for it (the same id may be in flight twice) */
  const waiting = new Map()
  /** @type {Map<string, Error|null>} acks that came before their wait started (the emulator acks at once) */
  const early = new Map()
  /** @type {Set<string>} ids sent through `send`, oldest first (bounded) */
  const sent = new Set()
  let closed = false

  sock.ws.on('CB:ack,class:message', (/** @type {any} */ node) => {
    const id = node?.attrs?.id
    if (typeof id !== 'string') return
    const code = node.attrs.error
    const err = code === undefined ? null : refusal(code)
    const w = waiting.get(id)
    if (w) for (const settle of [...w]) settle(err)
    else if (sent.has(id)) early.set(id, err)
  })
  sock.ev.on('connection.update', (/** @type {any} */ u) => {
    if (u?.connection !== 'close') return
    closed = true
    for (const w of [...waiting.values()]) for (const settle of [...w]) settle(new Boom('Connection Closed', { statusCode: 428 }))
  })

  return {
    expect (id) {
      sent.delete(id)
      sent.add(id)
      early.delete(id)
      if (sent.size > REMEMBERED) sent.delete(/** @type {string} */ (sent.values().next().value))
      let cancelled = false
      return {
        cancel () { cancelled = true; early.delete(id) },
        done (timeoutMs = ACK_TIMEOUT_MS) {
          if (cancelled) return Promise.resolve()
          if (early.has(id)) {
            const err = /** @type {Error|null} */ (early.get(id))
            early.delete(id)
            return err ? Promise.reject(err) : Promise.resolve()
          }
          if (closed) return Promise.reject(new Boom('Connection Closed', { statusCode: 428 }))
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => settle(new Boom('Timed Out waiting for the server ack', { statusCode: 408 })), timeoutMs)
            /** @param {Error|null} err */
            function settle (err) {
              const w = waiting.get(id)
              if (!w?.delete(settle)) return
              if (!w.size) waiting.delete(id)
              clearTimeout(timer)
              if (err) reject(err)
              else resolve(undefined)
            }
            const w = waiting.get(id) ?? new Set()
            w.add(settle)
            waiting.set(id, w)
          })
        }
      }
    },
    sentHere: (id) => sent.has(id)
  }
}

/**
 * Baileys' `messages.update` without the ERROR updates of messages sent through `send` on this
 * socket: their error ack is that send's failure (Java retries or fails the message), and the
 * same refusal reported again as a status would end a message Java is still retrying.
 * @param {any} sock @param {any[]} updates
 */
export function withoutSendErrors (sock, updates) {
  const tracker = Array.isArray(updates) ? serverAcks(sock) : null
  if (!tracker) return updates
  return updates.filter((u) => !(u?.update?.status === WAMessageStatus.ERROR && u?.key?.fromMe !== false &&
    typeof u?.key?.id === 'string' && tracker.sentHere(u.key.id)))
}

/** The statuses a receipt gives one of our messages: news an echo can carry (event buffer merge). */
const RECEIPT_STATUSES = new Set(['delivered', 'read', 'played'])

/**
 * Baileys' `messages.upsert` without the plain echoes of messages sent through `send` on this
 * socket. Baileys echoes each own send as an `append` upsert; Java stored the message before it
 * was sent and has its content from the send's reply, so a plain echo is a duplicate Java's insert
 * skips, at the cost of a transaction that waits on the send's own status update (issue 18). Kept:
 * an echo a receipt was merged into (while Baileys buffers events, a receipt arriving before the
 * buffered echo left is folded into it, and no `messages.update` follows), reduced to that news.
 * Dropped with its echo: a send's error ack merged the same way (the ERROR status), which is that
 * send's own failure, already answered through its reply (Java retries or fails the message), and
 * which, reported as a status, would end a message Java is still retrying. Messages sent from the
 * phone, and ids this socket did not send, pass untouched. Messages are not changed.
 * @param {any} sock @param {any} upsert
 */
export function withoutOwnEchoes (sock, upsert) {
  const tracker = Array.isArray(upsert?.messages) ? serverAcks(sock) : null
  if (!tracker) return upsert
  const messages = upsert.messages.filter((/** @type {any} */ m) =>
    !(m?.key?.fromMe && typeof m.key.id === 'string' && tracker.sentHere(m.key.id) && !RECEIPT_STATUSES.has(statusName(m.status) ?? '')))
  return messages.length === upsert.messages.length ? upsert : { ...upsert, messages }
}

/**
 * An error ack as the Boom Baileys would throw for it: status = the ack's numeric code, so
 * Java's mapping applies unchanged (4xx other than 408/428/429 refused, anything else retried).
 * @param {unknown} code
 */
function refusal (code) {
  const n = Number.parseInt(String(code), 10)
  // (a Boom needs a status of 400 or more; an unreadable code counts as a server error)
  const statusCode = Number.isInteger(n) && n >= 400 && n <= 999 ? n : 500
  return new Boom(`WhatsApp refused the message (error ack ${String(code)})`, { statusCode })
}
