import { createHash, randomBytes } from 'node:crypto'
import { aesEncryptGCM, hmacSign, proto } from 'baileys'
import { EngineError } from '../errors.js'
import { describeSent } from '../../emulator/messaging-ledger.js'

/*
 * The messaging half of the `sandbox.*` commands: each command
 * keeps its engine contract (docs/engine-protocol.md) and becomes the emulator's messaging
 * control (docs/emulator.md) for this connection's account. Only argument and result shapes are
 * adapted here; what happens on the wire is the real socket and the emulator.
 *
 * Limits (plainly): media types (real blobs on the emulator's media host, `view_once` a view-once
 * image), location, live location, contact, poll, list and a forwarded text are built here as
 * message content and need an in-process emulator;
 * `fail` is the emulator's error ack, which `send` reports as send_failed with the ack's code
 * (it waits for the server ack: server-acks.js).
 * A `messageId` the emulator already delivered from the same contact is delivered again under
 * that id (its first content), as WhatsApp redelivers after a reconnect.
 */

/** Types the emulator builds itself (a text with a target becomes a reply). */
const NATIVE = new Set(['text', 'reaction', 'edit', 'revoke', 'undecryptable'])
/** Types whose content the engine builds (in-process emulator only). */
const BUILT = new Set(['location', 'live_location', 'contact', 'poll', 'list', 'forwarded'])
/** Media types: sandbox type → the emulator media host's type (real encrypted blobs, in-process emulator only). */
const MEDIA = new Map([['image', 'image'], ['video', 'video'], ['audio', 'audio'], ['ptt', 'voice'], ['sticker', 'sticker'], ['document', 'document'], ['view_once', 'image']])
/** A 1×1 PNG: the bytes a sandbox media message carries when the caller gives none. */
const SAMPLE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')

/**
 * @param {object} a
 * @param {import('./emulator-link.js').EmulatorLink} a.link
 * @param {() => string} a.phone   this connection's account phone (invalid_state when not linked)
 * @param {() => boolean} a.isOpen
 */
export function emulatorMessagingControls ({ link, phone, isOpen }) {
  const raw = () => {
    if (!link.messaging) throw new EngineError('invalid_state', 'the emulator has no messaging part')
    return link.messaging
  }
  // The emulator's refusals (MessagingError codes) become the engine's error codes.
  const m = () => new Proxy(raw(), {
    get: (target, name) => async (/** @type {any[]} */ ...args) => {
      try {
        const result = await target[name](...args)
        link.emulator?.store?.changed()
        return result
      } catch (err) {
        if (err instanceof EngineError) throw err
        const code = /** @type {any} */ (err).code
        const mapped = code === 'bad_request' || code === 'not_found' ? code : code === 'conflict' ? 'invalid_state' : 'internal'
        throw new EngineError(mapped, `emulator: ${/** @type {Error} */ (err).message}`)
      }
    }
  })
  const open = () => {
    if (!isOpen()) throw new EngineError('invalid_state', 'the connection is not open')
    return phone()
  }
  return {
    /** A contact sends a message; resolves once the emulator sent it to the device. */
    async inbound ({ type, from, message, replyTo, asLid, pushName, messageId, options, media = null, fileName = null, mimeType = null, seconds = null }) {
      const account = open()
      if (type === 'poll_vote') {
        // the contact votes on a poll it got from this account, encrypted with the poll's messageSecret
        const poll = (await m().sent(account)).find((/** @type {any} */ e) => e.id === replyTo && e.contact === from)
        if (!poll) throw new EngineError('not_found', `contact ${from} got no poll ${replyTo} from this account`)
        const content = pollVoteContent({ poll: poll.message, pollId: replyTo, creatorJid: `${account}@s.whatsapp.net`, voterJid: `${from}@s.whatsapp.net`, options: options ?? [] })
        const r = await m().inbound(account, { from, asLid, pushName: pushName ?? undefined, type: 'text', content })
        return { providerMessageId: r.id, remoteJid: r.remoteJid }
      }
      // an id given by the caller may name an earlier message: then it is a redelivery of it
      const spec = { from, asLid, pushName: pushName ?? undefined, messageId: messageId ?? undefined, redeliver: messageId ? true : undefined, replyTo: replyTo ?? undefined, text: message ?? undefined }
      let r
      if (NATIVE.has(type)) {
        r = await m().inbound(account, { ...spec, type: type === 'text' && replyTo ? 'reply' : type })
      } else if (BUILT.has(type)) {
        if (!link.emulator) throw new EngineError('invalid_state', `type ${type} needs the engine's own emulator (not a standalone one)`)
        r = await m().inbound(account, { ...spec, type: 'text', content: contentFor(type, message) })
      } else if (MEDIA.has(type)) {
        // the contact's phone uploads a real encrypted blob to the emulator's media host
        if (!link.emulator) throw new EngineError('invalid_state', `type ${type} needs the engine's own emulator (not a standalone one)`)
        // (the bytes given by the caller, else a 1×1 PNG sample)
        const content = await link.emulator.media.mediaMessageFrom({
          type: MEDIA.get(type),
          bytes: media ?? SAMPLE_PNG,
          mimeType: mimeType ?? ((type === 'image' || type === 'view_once') && !media ? 'image/png' : undefined),
          caption: message ?? undefined,
          fileName: type === 'document' ? (fileName ?? 'document.pdf') : undefined,
          seconds: seconds ?? undefined
        })
        // a view-once photo comes wrapped as WhatsApp phones send it
        r = await m().inbound(account, { ...spec, type: 'text', content: type === 'view_once' ? { viewOnceMessageV2: { message: content } } : content })
      } else {
        throw new EngineError('invalid_state', `type ${type} is not available through the emulator`)
      }
      return { providerMessageId: r.id, remoteJid: r.remoteJid }
    },
    /** The recipient's phone sends a receipt for one of our messages. */
    receipt ({ id, status, remoteJid }) {
      const account = open()
      const from = typeof remoteJid === 'string' && remoteJid.endsWith('@s.whatsapp.net') ? remoteJid.split(/[:@]/)[0] : undefined
      return m().receipt(account, { id, status, from })
    },
    /** The next `count` messages of this account get the server's error ack `code`. */
    async fail (count, code) {
      const r = await m().fail(phone(), { count, code: String(code) })
      return r.left
    },
    /** The next `count` messages of this account (to the contact `to`, when given) get the server's ack `ms` late. */
    async holdAcks (count, ms, to) {
      const r = await m().holdAcks(phone(), { count, ms, ...(to === undefined ? {} : { to }) })
      return r.left
    },
    /** A recipient asks for a retry: the device answers through getMessage (→ Java). */
    async retryRequest ({ id, remoteJid }) {
      const account = open()
      const to = typeof remoteJid === 'string' && remoteJid.endsWith('@s.whatsapp.net') ? remoteJid.split(/[:@]/)[0] : undefined
      const r = await m().retryRequest(account, { id, to })
      if (r.resent !== true) return { found: false, message: null }
      const entry = (await m().sent(account)).find((/** @type {any} */ e) => e.id === id && (!to || e.contact === to))
      return { found: true, message: entry?.message ? JSON.parse(JSON.stringify(entry.message)) : null }
    },
    /**
     * A flood of inbound texts (benchmarks): replies as soon as the flood is started, with
     * `emitted` = every message of it, while the emulator encrypts and writes them in the
     * background (a failure is written to stderr). Through real Signal sessions, in the engine's
     * own event loop next to the decrypting client, writing a flood can take longer than one
     * command may; Java counts what it stores, not this reply (docs/decisions.md).
     */
    async burst ({ count, batch, senders }) {
      const account = open()
      const started = Date.now()
      m().burst(account, { count, batch, senders, timeoutMs: 0 })
        .catch((/** @type {Error} */ err) => { console.error(`sandbox.burst for ${account} stopped: ${err.message}`) })
      return { emitted: count, ms: Date.now() - started }
    },
    /** Every message of this account the emulator's contacts decrypted, with how many times. */
    async sentLog () {
      const ledger = await m().sent(phone())
      // `content`: what the contact saw (type, text, caption, file name, media SHA-256 …; emulator-ledger describeSent)
      return { messages: ledger.map((/** @type {any} */ e) => ({ id: e.id, jid: e.to, count: e.count, resends: e.resends, content: describeSent(e) })) }
    }
  }
}

/** Message content for the types the emulator does not build. @param {string} type @param {string|null} text */
function contentFor (type, text) {
  switch (type) {
    case 'location': {
      const [lat, lng] = (text ?? '').split(',').map(Number)
      return { locationMessage: { degreesLatitude: Number.isFinite(lat) ? lat : 24.8607, degreesLongitude: Number.isFinite(lng) ? lng : 67.0011 } }
    }
    case 'live_location':
      return { liveLocationMessage: { degreesLatitude: 24.8607, degreesLongitude: 67.0011, accuracyInMeters: 10, sequenceNumber: 1, ...(text ? { caption: text } : {}) } }
    case 'list':
      return {
        listMessage: {
          title: text || 'Sandbox menu',
          description: 'Pick one',
          buttonText: 'Open',
          listType: 1, // SINGLE_SELECT
          sections: [{ title: 'Choices', rows: [{ title: 'First', description: 'the first row', rowId: 'row-1' }, { title: 'Second', rowId: 'row-2' }] }]
        }
      }
    case 'forwarded':
      return { extendedTextMessage: { text: text || 'forwarded', contextInfo: { isForwarded: true, forwardingScore: 4 } } }
    case 'contact': {
      const name = text || 'Sandbox Contact'
      return { contactMessage: { displayName: name, vcard: `BEGIN:VCARD\nVERSION:3.0\nFN:${name}\nTEL;type=CELL;waid=923001234567:+92 300 1234567\nEND:VCARD` } }
    }
    default:
      return {
        pollCreationMessageV3: { name: text || 'Sandbox poll', options: [{ optionName: 'Yes' }, { optionName: 'No' }], selectableOptionsCount: 1 },
        messageContextInfo: { messageSecret: randomBytes(32) }
      }
  }
}

/**
 * A contact's vote on a poll, encrypted the way WhatsApp clients do (the inverse of Baileys'
 * decryptPollVote): the key is derived from the poll's messageSecret, the poll id and both JIDs;
 * the payload lists the SHA-256 of each chosen option name. Unknown option names are refused.
 * @param {{poll: any, pollId: string, creatorJid: string, voterJid: string, options: string[]}} a
 */
export function pollVoteContent ({ poll, pollId, creatorJid, voterJid, options }) {
  const creation = poll?.pollCreationMessage ?? poll?.pollCreationMessageV2 ?? poll?.pollCreationMessageV3
  const secret = poll?.messageContextInfo?.messageSecret
  if (!creation || !secret) throw new EngineError('bad_request', `message ${pollId} is not a poll`)
  const names = (creation.options ?? []).map((/** @type {any} */ o) => o.optionName)
  for (const o of options) if (!names.includes(o)) throw new EngineError('bad_request', `"${o}" is not an option of this poll (${names.join(', ')})`)
  const sign = Buffer.concat([Buffer.from(pollId), Buffer.from(creatorJid), Buffer.from(voterJid), Buffer.from('Poll Vote'), Buffer.from([1])])
  const key = hmacSign(sign, hmacSign(Buffer.from(secret), Buffer.alloc(32)))
  const iv = randomBytes(12)
  const plain = proto.Message.PollVoteMessage.encode({ selectedOptions: options.map((o) => createHash('sha256').update(o).digest()) }).finish()
  const encPayload = aesEncryptGCM(plain, key, iv, Buffer.from(`${pollId}\u0000${voterJid}`))
  return {
    pollUpdateMessage: {
      pollCreationMessageKey: { remoteJid: creatorJid, fromMe: false, id: pollId },
      vote: { encPayload, encIv: iv },
      senderTimestampMs: Date.now()
    }
  }
}
