import { isJidGroup, jidDecode, proto } from 'baileys'
import { isObject } from './config.js'
import { EngineError } from './errors.js'
import { jsonSafe, toNumberOrNull } from './values.js'

/*
 * The `send` command's arguments ↔ Baileys: protocol content → AnyMessageContent, a stored
 * quoted message → the WAMessage Baileys' `quoted` option wants, and the WAMessage Baileys
 * returns → the reply. Validation lives here too, so `send` can refuse a bad argument with
 * bad_request before anything is looked up.
 */

/** Message ids Java may choose: Baileys-style (`3EB0` + 18 hex) or any WhatsApp-like id. */
export const MESSAGE_ID_RE = /^[A-Za-z0-9]{8,64}$/

/** Servers a message can be sent to: people (PN or LID) and groups. */
const SEND_SERVERS = new Set(['s.whatsapp.net', 'lid', 'g.us'])

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * @typedef {{type: 'text', text: string} |
 *   {type: 'image', base64: string, mimeType: string, caption: string|null}} SendContent
 *
 * @typedef {object} SendRequest
 * @property {string} messageId
 * @property {string} jid
 * @property {SendContent} content
 * @property {any} quoted  WAMessage for Baileys' `quoted` option, or undefined
 */

/**
 * Validates `send` args. Throws EngineError('bad_request') naming the first bad field.
 * @param {Record<string, any>} args
 * @returns {SendRequest}
 */
export function parseSendArgs (args) {
  if (typeof args.messageId !== 'string' || !MESSAGE_ID_RE.test(args.messageId)) throw bad('messageId must be 8-64 letters/digits (e.g. 3EB0 + 18 hex)')
  if (!isSendableJid(args.jid)) throw bad('jid must be a user (@s.whatsapp.net, @lid) or group (@g.us) JID')
  return { messageId: args.messageId, jid: args.jid, content: parseContent(args.content), quoted: parseQuoted(args.quoted) }
}

/** @param {unknown} jid */
export function isSendableJid (jid) {
  if (typeof jid !== 'string' || jid.length > 128) return false
  const decoded = jidDecode(jid)
  if (!decoded || !SEND_SERVERS.has(decoded.server) || decoded.device) return false
  return isJidGroup(jid) ? /^[0-9-]{5,64}$/.test(decoded.user) : /^\d{5,20}$/.test(decoded.user)
}

/** @param {unknown} c @returns {SendContent} */
function parseContent (c) {
  if (!isObject(c)) throw bad('content must be an object')
  if (c.type === 'text') {
    if (typeof c.text !== 'string' || c.text === '') throw bad('content.text must be a non-empty string')
    return { type: 'text', text: c.text }
  }
  if (c.type === 'image') {
    if (typeof c.base64 !== 'string' || c.base64 === '' || !BASE64_RE.test(c.base64)) throw bad('content.base64 must be non-empty base64')
    if (typeof c.mimeType !== 'string' || !/^image\/[a-z0-9.+-]+$/.test(c.mimeType)) throw bad('content.mimeType must be an image/* type')
    const caption = c.caption ?? null
    if (caption !== null && typeof caption !== 'string') throw bad('content.caption must be a string')
    return { type: 'image', base64: c.base64, mimeType: c.mimeType, caption: caption || null }
  }
  throw bad('content.type must be "text" or "image"')
}

/**
 * `quoted` = `{key:{id, remoteJid, fromMe, participant}, message: <stored JSON content>|null}`
 * → a WAMessage. A null message quotes with empty content (WhatsApp then shows the reply
 * without a preview). Content protobuf cannot take is a bad_request.
 * @param {unknown} q
 */
function parseQuoted (q) {
  if (q === undefined || q === null) return undefined
  if (!isObject(q) || !isObject(q.key)) throw bad('quoted must be {key, message}')
  const { id, remoteJid, fromMe, participant } = q.key
  if (typeof id !== 'string' || id === '' || typeof remoteJid !== 'string' || remoteJid === '') throw bad('quoted.key needs id and remoteJid')
  if (fromMe !== undefined && typeof fromMe !== 'boolean') throw bad('quoted.key.fromMe must be a boolean')
  if (participant !== undefined && participant !== null && typeof participant !== 'string') throw bad('quoted.key.participant must be a string')
  if (q.message !== undefined && q.message !== null && !isObject(q.message)) throw bad('quoted.message must be an object or null')
  let message
  try {
    message = proto.Message.fromObject(q.message ?? {})
  } catch (err) {
    throw bad(`quoted.message is not a valid message: ${/** @type {Error} */ (err).message}`)
  }
  return { key: { id, remoteJid, fromMe: Boolean(fromMe), ...(participant ? { participant } : {}) }, message }
}

/**
 * Protocol content → Baileys AnyMessageContent. `linkPreview: null` tells Baileys not to
 * fetch a preview for URLs in the text: the engine reaches no host but WhatsApp's, and a send
 * never waits on a third-party web site.
 * @param {SendContent} content
 */
export function toBaileysContent (content) {
  if (content.type === 'text') return { text: content.text, linkPreview: null }
  return {
    image: Buffer.from(content.base64, 'base64'),
    mimetype: content.mimeType,
    ...(content.caption ? { caption: content.caption } : {})
  }
}

/**
 * The reply to `send`, from the WAMessage Baileys' sendMessage returned: the id WhatsApp knows
 * the message by (Java's messageId), the chat, Baileys' timestamp (epoch s) and the content
 * exactly as sent, in the JSON shape messages.upsert uses (what Java stores for getMessage).
 * @param {any} sent  WAMessage
 */
export function mapSendResult (sent) {
  return {
    providerMessageId: sent?.key?.id ?? null,
    remoteJid: sent?.key?.remoteJid ?? null,
    timestamp: toNumberOrNull(sent?.messageTimestamp),
    message: sent?.message ? jsonSafe(sent.message) : null
  }
}

/** @param {string} msg */
function bad (msg) {
  return new EngineError('bad_request', msg)
}
