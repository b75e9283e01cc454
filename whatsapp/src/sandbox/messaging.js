import { randomBytes, randomInt } from 'node:crypto'
import { Boom } from '@hapi/boom'
import { DisconnectReason, WAMessageStatus, addTransactionCapability, generateMessageIDV2, generateWAMessage, isJidGroup, jidNormalizedUser } from 'baileys'
import { LIDMappingStore } from 'baileys/lib/Signal/lid-mapping.js'
import { EngineError } from '../errors.js'
import { jsonSafe } from '../values.js'
import { initialHistory, onDemandHistory } from './history.js'
import { inboundContent, inboundMessage, phoneMessageId, randomLidUser } from './inbound.js'

/*
 * The messaging half of the sandbox socket: Baileys' sendMessage / fetchMessageHistory /
 * signalRepository.lidMapping, plus the simulated contacts' side (inbound messages, receipts,
 * history). Messages are built with Baileys' own generateWAMessage and a fake media upload,
 * so what the engine maps is exactly what real Baileys would hand it.
 */

/** How many sent / received ids the simulated server remembers (for receipts and replies). */
const REMEMBERED = 5000

/** Messages Baileys uses for the failures sandbox.fail can simulate. */
const FAIL_MESSAGES = /** @type {Record<number, string>} */ ({ 408: 'Timed Out', 428: 'Connection Closed' })

/** @type {Record<string, number>} */
const RECEIPT_STATUS = { delivered: WAMessageStatus.DELIVERY_ACK, read: WAMessageStatus.READ, played: WAMessageStatus.PLAYED }

/**
 * @typedef {object} SandboxMessagingControls
 * @property {(a: {type: string, from: string, message: string|null, replyTo: string|null, asLid: boolean, pushName: string|null, messageId: string|null}) => Promise<{providerMessageId: string, remoteJid: string}>} inbound
 * @property {(a: {id: string, status: string, remoteJid: string|null}) => void} receipt
 * @property {(count: number, code: number) => number} fail  returns the failures now pending
 * @property {(a: {id: string, remoteJid: string|null}) => Promise<{found: boolean, message: any}>} retryRequest
 * @property {() => {messages: {id: string, jid: string, count: number}[]}} sentLog  relayed ids with counts
 * @property {(a: {count: number, batch: number, senders: number}) => Promise<{emitted: number, ms: number}>} burst  benchmark inbound flood
 */

/**
 * @param {object} o
 * @param {any} o.ev               Baileys event emitter of the socket
 * @param {{creds: any, keys: any}} o.auth
 * @param {import('pino').Logger} o.logger
 * @param {import('../config.js').SandboxSettings} o.sandbox
 * @param {(key: any) => Promise<any>} o.getMessage   the engine's getMessage (asks Java)
 * @param {(ms: number, fn: () => void) => void} o.later  timer that does not fire after close
 * @param {() => boolean} o.isOpen
 */
export function createSandboxMessaging ({ ev, auth, logger, sandbox, getMessage, later, isOpen }) {
  const { creds } = auth
  const ledger = ledgerOf(creds)
  /** @type {Map<string, {jid: string, message: any}>} */
  const sent = new Map()
  /** @type {Map<string, {jid: string, message: any}>} */
  const received = new Map()
  /** LID ↔ PN pairs the simulated server just made up for a USync lookup. */
  const newPairs = new Map()
  const failures = { left: 0, code: 500 }
  const groupMember = `92311${randomInt(1000000, 10000000)}@s.whatsapp.net`

  // Baileys' own LID store over the session's key files, so mappings persist like in real
  // Baileys; the "server" answers USync LID lookups by assigning a LID to a new contact.
  const lidMapping = new LIDMappingStore(
    addTransactionCapability(auth.keys, /** @type {any} */ (logger), { maxCommitRetries: 3, delayBetweenTriesMs: 50 }),
    /** @type {any} */ (logger),
    async (/** @type {string[]} */ pns) => pns.map((pn) => {
      const pair = { pn, lid: `${randomLidUser()}@lid` }
      newPairs.set(pn, pair)
      return pair
    })
  )

  const meId = () => /** @type {string} */ (creds.me?.id)
  const meJid = () => jidNormalizedUser(meId())
  const closed = () => new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed })
  const requireOpen = () => { if (!isOpen()) throw new EngineError('invalid_state', 'connection is not open') }
  const nowS = () => Math.floor(Date.now() / 1000)

  /**
   * Baileys' sendMessage: builds the WAMessage with generateWAMessage (Java's messageId,
   * quoted, fake upload), "relays" it, returns it (status PENDING, as Baileys does), then
   * echoes it as messages.upsert 'append' on the next tick like Baileys' emitOwnEvents.
   * Receipts follow after receiptDelayMs (delivered) and twice that (read).
   * @param {string} jid @param {any} content @param {any} [options]
   */
  async function sendMessage (jid, content, options = {}) {
    if (!isOpen()) throw closed()
    if (failures.left > 0) {
      failures.left -= 1
      throw new Boom(FAIL_MESSAGES[failures.code] ?? `Simulated send failure (${failures.code})`, { statusCode: failures.code })
    }
    const msg = await generateWAMessage(jid, content, {
      logger: /** @type {any} */ (logger),
      userJid: meId(),
      upload: fakeUpload,
      messageId: generateMessageIDV2(meId()),
      ...options
    })
    if (!isOpen()) throw closed()
    remember(sent, msg.key.id, { jid, message: msg.message })
    const seen = ledger.get(/** @type {string} */ (msg.key.id))
    ledger.set(/** @type {string} */ (msg.key.id), { jid, count: (seen?.count ?? 0) + 1 })
    if (ledger.size > REMEMBERED) ledger.delete(/** @type {string} */ (ledger.keys().next().value))
    process.nextTick(() => { if (isOpen()) ev.emit('messages.upsert', { messages: [msg], type: 'append' }) })
    if (sandbox.receiptDelayMs > 0) {
      const id = /** @type {string} */ (msg.key.id)
      later(sandbox.receiptDelayMs, () => emitReceipt(jid, id, WAMessageStatus.DELIVERY_ACK))
      later(2 * sandbox.receiptDelayMs, () => emitReceipt(jid, id, WAMessageStatus.READ))
    }
    return msg
  }

  /**
   * A receipt the way Baileys reports it: messages.update in 1:1 chats,
   * message-receipt.update (per participant) in groups.
   * @param {string} jid @param {string} id @param {number} status
   */
  function emitReceipt (jid, id, status) {
    const t = nowS()
    if (isJidGroup(jid)) {
      const field = status === WAMessageStatus.DELIVERY_ACK ? 'receiptTimestamp' : status === WAMessageStatus.READ ? 'readTimestamp' : 'playedTimestamp'
      ev.emit('message-receipt.update', [{ key: { remoteJid: jid, id, fromMe: true, participant: groupMember }, receipt: { userJid: groupMember, [field]: t } }])
    } else {
      ev.emit('messages.update', [{ key: { remoteJid: jid, id, fromMe: true }, update: { status, messageTimestamp: t } }])
    }
  }

  /**
   * Baileys' fetchMessageHistory: returns the request message id; the phone answers after
   * connectDelayMs with an ON_DEMAND messaging-history.set of `count` older messages.
   * @param {number} count @param {any} oldestKey @param {number} oldestTimestampMs
   */
  async function fetchMessageHistory (count, oldestKey, oldestTimestampMs) {
    if (!isOpen()) throw closed()
    const requestId = generateMessageIDV2(meId())
    later(sandbox.connectDelayMs, () => {
      ev.emit('messaging-history.set', onDemandHistory({
        meJid: meJid(), chatJid: oldestKey.remoteJid, count, beforeS: Math.floor(oldestTimestampMs / 1000), requestId
      }))
    })
    return requestId
  }

  /**
   * Right after `open`: the first open after a pairing (creds.processedHistoryMessages still
   * empty, as Baileys tracks it) gets the initial history sync.
   */
  function onOpen () {
    if (sandbox.historyChats === 0 || creds.processedHistoryMessages?.length) return
    later(sandbox.connectDelayMs, () => {
      const history = initialHistory({ meJid: meJid(), chats: sandbox.historyChats })
      ev.emit('creds.update', {
        processedHistoryMessages: [{ key: { remoteJid: meJid(), fromMe: true, id: generateMessageIDV2(meId()) }, messageTimestamp: nowS() }]
      })
      ev.emit('messaging-history.set', history)
    })
  }

  /** @type {SandboxMessagingControls} */
  const controls = {
    async inbound ({ type, from, message, replyTo, asLid, pushName, messageId }) {
      requireOpen()
      const pn = `${from}@s.whatsapp.net`
      let remoteJid = pn
      let remoteJidAlt = null
      if (asLid) {
        // what Baileys does for a LID-addressed message: the PN comes as remoteJidAlt, the pair goes to the store
        newPairs.delete(pn)
        const lid = await lidMapping.getLIDForPN(pn)
        if (!lid) throw new EngineError('internal', 'sandbox could not assign a LID')
        remoteJid = jidNormalizedUser(lid)
        remoteJidAlt = pn
        if (newPairs.delete(pn)) ev.emit('lid-mapping.update', { lid: remoteJid, pn })
        requireOpen()
      }
      const theirs = replyTo ? received.get(replyTo) : undefined
      const ours = replyTo ? sent.get(replyTo) : undefined
      const quoted = replyTo
        ? { id: replyTo, participant: theirs ? remoteJid : meJid(), message: (theirs ?? ours)?.message ?? null, ours: !theirs }
        : null
      const content = inboundContent({ type, text: message, senderJid: remoteJid, meJid: meJid(), quoted })
      const id = messageId ?? phoneMessageId()
      const msg = inboundMessage({ id, remoteJid, remoteJidAlt, pushName, content })
      remember(received, id, { jid: remoteJid, message: msg.message })
      ev.emit('messages.upsert', { messages: [msg], type: 'notify' })
      return { providerMessageId: id, remoteJid }
    },

    receipt ({ id, status, remoteJid }) {
      requireOpen()
      const jid = remoteJid ?? sent.get(id)?.jid
      if (!jid) throw new EngineError('not_found', `no sent message ${id} known; pass remoteJid`)
      emitReceipt(jid, id, RECEIPT_STATUS[status])
    },

    fail (count, code) {
      failures.left += count
      failures.code = code
      return failures.left
    },

    /**
     * Benchmarks: `count` inbound text messages from `senders` contacts, emitted as fast as the
     * event loop allows, `batch` per messages.upsert (yielding between batches). Each text
     * carries its emission time (`bench <epoch ms> <seq>`) so the receiver can measure latency.
     */
    async burst ({ count, batch, senders }) {
      requireOpen()
      const started = Date.now()
      let emitted = 0
      while (emitted < count && isOpen()) {
        const n = Math.min(batch, count - emitted)
        const messages = []
        for (let i = 0; i < n; i++) {
          const seq = emitted + i
          const remoteJid = `92340${String(seq % senders).padStart(7, '0')}@s.whatsapp.net`
          messages.push(inboundMessage({ id: phoneMessageId(), remoteJid, remoteJidAlt: null, pushName: null, content: { conversation: `bench ${Date.now()} ${seq}` } }))
        }
        ev.emit('messages.upsert', { messages, type: 'notify' })
        emitted += n
        await new Promise((resolve) => setImmediate(resolve))
      }
      return { emitted, ms: Date.now() - started }
    },

    sentLog () {
      return { messages: [...ledger].map(([id, v]) => ({ id, jid: v.jid, count: v.count })) }
    },

    async retryRequest ({ id, remoteJid }) {
      requireOpen()
      const jid = remoteJid ?? sent.get(id)?.jid
      if (!jid) throw new EngineError('not_found', `no sent message ${id} known; pass remoteJid`)
      // Baileys' retry path: getMessage({...key, id}) for a message of ours
      const message = await getMessage({ remoteJid: jid, id, fromMe: true })
      return { found: Boolean(message), message: message ? jsonSafe(message) : null }
    }
  }

  return {
    sendMessage,
    fetchMessageHistory,
    onOpen,
    lidMapping,
    controls,
    close: () => lidMapping.close()
  }
}

/**
 * What the simulated WhatsApp server relayed, per session (keyed by the session's noise key),
 * for the whole engine process: sockets of one session come and go (515, reconnects), the
 * ledger stays, so tests can count how often one message id was really sent.
 * @type {Map<string, Map<string, {jid: string, count: number}>>}
 */
const LEDGERS = new Map()

/** @param {any} creds @returns {Map<string, {jid: string, count: number}>} */
function ledgerOf (creds) {
  const key = Buffer.from(creds.noiseKey.public).toString('base64')
  let ledger = LEDGERS.get(key)
  if (!ledger) {
    ledger = new Map()
    LEDGERS.set(key, ledger)
  }
  return ledger
}

/**
 * Stands in for WhatsApp's media upload (Baileys' waUploadToServer): the encrypted file is
 * not sent anywhere; a URL and direct path of the real shape come back.
 * @returns {Promise<{mediaUrl: string, directPath: string}>}
 */
async function fakeUpload () {
  const directPath = `/v/t62.7118-24/${randomInt(10000000, 99999999)}_${randomBytes(8).toString('hex')}.enc?ccb=11-4&oh=${randomBytes(16).toString('hex')}`
  return { mediaUrl: `https://mmg.whatsapp.net${directPath}&mms3=true`, directPath }
}

/**
 * Remembers an id, forgetting the oldest beyond REMEMBERED (a Map iterates in insertion order).
 * @template V @param {Map<string, V>} map @param {string} id @param {V} value
 */
function remember (map, id, value) {
  map.set(id, value)
  if (map.size > REMEMBERED) map.delete(/** @type {string} */ (map.keys().next().value))
}
