import { proto } from 'baileys'
import { mapKey } from './mapper.js'
import { isObject } from './config.js'

/*
 * Engine → Java requests (docs/engine-protocol.md, "Requests"): the few things Baileys asks
 * for that only Java knows. Today that is `getMessage` — the content of a message we sent,
 * which Baileys needs to re-encrypt it when a recipient sends a retry receipt. Java serves it
 * from its database, so retries work after an engine or service restart, and the engine keeps
 * no message store of its own.
 */

/** How long a request waits for Java's `respond` before Baileys gets `undefined`. */
export const REQUEST_TIMEOUT_MS = 5000

/**
 * @typedef {object} Requests
 * @property {(connectionId: string, request: string, data: object, waitMs?: number) => Promise<any>} ask
 *   Sends a request frame; resolves with Java's `result`, or undefined after the timeout.
 * @property {(connectionId: string, request: string, data: object, waitMs: number) => Promise<any>} call
 *   Like ask, but for requests that must not silently fail (auth state): rejects on timeout,
 *   on a null result (Java had no handler or it threw) and on a result carrying `error`.
 * @property {(requestId: string, result: unknown) => boolean} answer
 *   Settles a pending request; false when it is unknown (already timed out, or never sent).
 * @property {() => void} cancelAll  settles every pending request with undefined (shutdown)
 * @property {(connectionId: string) => (key: any) => Promise<any>} getMessageFor
 *   Baileys' `getMessage` config function for one connection.
 */

/**
 * Creates the request broker.
 * @param {object} deps
 * @param {(id: string, request: string, connectionId: string, data: object) => void} deps.sendRequest
 * @param {import('pino').Logger} deps.logger
 * @param {number} [deps.timeoutMs]
 * @returns {Requests}
 */
export function createRequests ({ sendRequest, logger, timeoutMs = REQUEST_TIMEOUT_MS }) {
  /** @type {Map<string, {resolve: (v: any) => void, timer: NodeJS.Timeout}>} */
  const pending = new Map()
  let seq = 0

  /**
   * Guarantees: resolves exactly once — with Java's result, or with undefined after
   * `timeoutMs` — and never rejects, because Baileys treats a missing message as "cannot resend".
   * @param {string} connectionId @param {string} request @param {object} data
   */
  function ask (connectionId, request, data, waitMs = timeoutMs) {
    const id = `r${++seq}`
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        logger.warn({ connectionId, request, requestId: id }, 'request timed out, answering undefined')
        resolve(undefined)
      }, waitMs)
      pending.set(id, { resolve, timer })
      sendRequest(id, request, connectionId, data)
    })
  }

  /**
   * Guarantees: resolves only with a result Java produced without error; anything else rejects,
   * so a caller that must be sure (a key write) never mistakes "no answer" for success.
   * @param {string} connectionId @param {string} request @param {object} data @param {number} waitMs
   */
  async function call (connectionId, request, data, waitMs) {
    const result = await ask(connectionId, request, data, waitMs)
    if (result === undefined) throw new Error(`${request}: no answer from Java within ${waitMs} ms`)
    if (!isObject(result)) throw new Error(`${request}: Java could not answer`)
    if (isObject(result.error)) throw new Error(`${request}: ${result.error.code}: ${result.error.message}`)
    return result
  }

  /** @param {string} requestId @param {unknown} result */
  function answer (requestId, result) {
    const p = pending.get(requestId)
    if (!p) return false
    pending.delete(requestId)
    clearTimeout(p.timer)
    p.resolve(result)
    return true
  }

  function cancelAll () {
    for (const [id, p] of pending) {
      clearTimeout(p.timer)
      p.resolve(undefined)
      pending.delete(id)
    }
  }

  /**
   * Baileys' `getMessage(key)` for one connection: asks Java, turns its JSON content back into
   * a proto.Message (base64 bytes, numeric Longs — the shape the engine emitted it in).
   * Undefined when Java has nothing, times out, or sends content protobuf cannot take.
   * @param {string} connectionId
   */
  function getMessageFor (connectionId) {
    return async (/** @type {any} */ key) => {
      const result = await ask(connectionId, 'getMessage', { key: mapKey(key) })
      const content = isObject(result) ? result.message : undefined
      if (!isObject(content)) return undefined
      try {
        return proto.Message.fromObject(content)
      } catch (err) {
        logger.warn({ err, connectionId, id: key?.id }, 'getMessage: stored content is not a valid message')
        return undefined
      }
    }
  }

  return { ask, call, answer, cancelAll, getMessageFor }
}
