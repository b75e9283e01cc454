import { isObject } from './config.js'
import { mapSendResult, parseSendArgs, toBaileysContent } from './content.js'
import { EngineError } from './errors.js'
import { confirmStored } from './inbound-hold.js'
import { ACK_TIMEOUT_MS, serverAcks } from './server-acks.js'
import { makeSendPrefetch } from './send-prefetch.js'

/*
 * Messaging commands (docs/engine-protocol.md, "Messaging commands"): send, history.fetch and
 * respond. They only execute: Java has already decided what to send, when, and how often to
 * retry; the engine never queues, dedupes or paces (Java owns those rules and the database).
 * None of them takes the per-connection lifecycle lock, so thousands of sends run concurrently
 * with no serialization beyond Baileys' own.
 */

/** Highest `count` a history.fetch may ask for. */
const MAX_HISTORY_COUNT = 1000
/** Epoch seconds beyond this are almost certainly milliseconds sent by mistake (year 5138). */
const MAX_EPOCH_SECONDS = 1e11

/**
 * @param {object} deps
 * @param {import('./registry.js').Registry} deps.registry
 * @param {import('./requests.js').Requests} deps.requests
 * @param {import('pino').Logger} deps.logger
 * @param {number} [deps.ackTimeoutMs]  how long `send` waits for the server ack (tests shorten it)
 * @param {() => {mediaDir?: string|null}} [deps.settings]  hello's settings (the media folder media sends read from)
 * @returns {Record<string, import('./commands.js').CommandSpec>}
 */
export function messagingCommands ({ registry, requests, logger, ackTimeoutMs = ACK_TIMEOUT_MS, settings = () => ({}) }) {
  const prepareSend = makeSendPrefetch(logger)
  /**
   * The open socket of a connection, or not_ready: nothing is attempted on a socket that is
   * not open, so Java can queue the message and retry after `connection.open`.
   * @param {string} connectionId
   */
  function openSocket (connectionId) {
    const entry = registry.get(connectionId)
    if (!entry) throw new EngineError('not_ready', `no socket for ${connectionId}`)
    if (entry.state !== 'open') throw new EngineError('not_ready', `connection ${connectionId} is ${entry.state}, not open`)
    return entry.sock
  }

  return {
    send: {
      needsHello: true,
      connection: true,
      /**
       * Sends one message with the id Java chose (Baileys `messageId` option), so a retry after
       * a crash re-sends the same WhatsApp message instead of a second one. On a real socket
       * it replies only at WhatsApp's server ack for that id (server-acks.js): ok means the
       * server accepted the message; an error ack is `send_failed` with the ack's code as
       * statusCode, no ack within ackTimeoutMs is 408 and a socket that closes first is 428
       * (both retried by Java with the same id). Any Baileys failure is `send_failed` with
       * Baileys' message and Boom status code.
       */
      async run (args) {
        const req = parseSendArgs(args, settings().mediaDir ?? null)
        // sends arriving together ask for their device lists and sessions once (send-prefetch.js)
        await prepareSend(openSocket(args.connectionId), req.jid)
        const sock = openSocket(args.connectionId)
        // registered before sending: the server may ack before sendMessage resolves
        const ack = serverAcks(sock)?.expect(req.messageId) ?? null
        let sent
        try {
          sent = await sock.sendMessage(req.jid, toBaileysContent(req.content), {
            messageId: req.messageId,
            ...(req.quoted ? { quoted: req.quoted } : {})
          })
        } catch (err) {
          ack?.cancel()
          throw sendFailed(err, logger, args.connectionId, req.messageId)
        }
        if (!sent?.key?.id) {
          ack?.cancel()
          throw new EngineError('send_failed', 'Baileys returned no message', { statusCode: null })
        }
        try {
          await ack?.done(ackTimeoutMs)
        } catch (err) {
          throw sendFailed(err, logger, args.connectionId, req.messageId)
        }
        return mapSendResult(sent)
      }
    },

    'history.fetch': {
      needsHello: true,
      connection: true,
      /**
       * Asks the phone for `count` messages older than `oldestKey` (Baileys
       * fetchMessageHistory). The reply only means the request went out; the messages come
       * later as `history.set` with syncType 6 (ON_DEMAND), or never — Java times out.
       */
      async run (args) {
        const count = args.count
        if (!Number.isInteger(count) || count < 1 || count > MAX_HISTORY_COUNT) throw new EngineError('bad_request', `count must be an integer 1-${MAX_HISTORY_COUNT}`)
        const k = args.oldestKey
        if (!isObject(k) || typeof k.id !== 'string' || k.id === '' || typeof k.remoteJid !== 'string' || k.remoteJid === '' || typeof k.fromMe !== 'boolean') {
          throw new EngineError('bad_request', 'oldestKey must be {id, remoteJid, fromMe}')
        }
        const ts = args.oldestTimestamp
        if (!Number.isInteger(ts) || ts <= 0 || ts >= MAX_EPOCH_SECONDS) throw new EngineError('bad_request', 'oldestTimestamp must be epoch seconds')
        const sock = openSocket(args.connectionId)
        let requestId
        try {
          // Baileys wants milliseconds (historySyncOnDemandRequest.oldestMsgTimestampMs)
          requestId = await sock.fetchMessageHistory(count, { id: k.id, remoteJid: k.remoteJid, fromMe: k.fromMe }, ts * 1000)
        } catch (err) {
          throw sendFailed(err, logger, args.connectionId, null)
        }
        return { requested: true, requestId: typeof requestId === 'string' ? requestId : null }
      }
    },

    respond: {
      needsHello: true,
      /**
       * Java's answer to an engine request (`{"type":"request",...}`). Always `{}`: an answer
       * that comes after the 5 s timeout (or for an unknown id) is simply dropped.
       */
      async run (args) {
        if (typeof args.requestId !== 'string' || args.requestId === '') throw new EngineError('bad_request', 'requestId must be a non-empty string')
        const result = args.result ?? null
        if (result !== null && !isObject(result)) throw new EngineError('bad_request', 'result must be an object or null')
        if (!requests.answer(args.requestId, result)) logger.debug({ requestId: args.requestId }, 'late or unknown respond ignored')
        return {}
      }
    },
    'inbound.stored': {
      needsHello: true,
      /**
       * Java committed the messages reported with these `confirm` tokens (hello `holdReceipts`,
       * inbound-hold.js): their receipts may leave now. Unknown tokens are ignored.
       */
      async run (args) {
        const tokens = args.tokens
        if (!Array.isArray(tokens) || tokens.length === 0 || tokens.length > 10000 || !tokens.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 32)) {
          throw new EngineError('bad_request', 'tokens must be 1–10000 non-empty strings')
        }
        return { confirmed: confirmStored(tokens) }
      }
    }
  }
}

/**
 * A Baileys failure → send_failed with its message and Boom status code (null if none), so
 * Java can tell a closed connection (428) or timeout (408) from a refused message (4xx).
 * @param {unknown} err @param {import('pino').Logger} logger @param {string} connectionId @param {string|null} messageId
 */
function sendFailed (err, logger, connectionId, messageId) {
  const e = /** @type {any} */ (err)
  const statusCode = Number.isInteger(e?.output?.statusCode) ? e.output.statusCode : null
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err)
  logger.warn({ connectionId, messageId, statusCode, message }, 'send failed')
  return new EngineError('send_failed', message, { statusCode })
}
