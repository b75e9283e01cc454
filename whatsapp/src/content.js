import { realpathSync } from 'node:fs'
import { isAbsolute, sep } from 'node:path'
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
 * @typedef {{type: 'text', text: string, mentions?: string[]} |
 *   {type: 'image', base64: string, mimeType: string, caption: string|null} |
 *   {type: MediaType, path: string, mimeType: string, caption: string|null, fileName: string|null, mentions?: string[]} |
 *   {type: 'location', latitude: number, longitude: number, name: string|null, address: string|null} |
 *   {type: 'contacts', displayName: string, vcards: string[]} |
 *   {type: 'reaction', key: MessageKey, emoji: string} |
 *   {type: 'poll', name: string, options: string[], selectableCount: number} |
 *   {type: 'edit', key: MessageKey, text: string} |
 *   {type: 'revoke', key: MessageKey}} SendContent
 * @typedef {'image'|'video'|'audio'|'voice'|'document'|'sticker'} MediaType
 * @typedef {{id: string, remoteJid: string, fromMe: boolean, participant?: string}} MessageKey
 *
 * @typedef {object} SendRequest
 * @property {string} messageId
 * @property {string} jid
 * @property {SendContent} content
 * @property {any} quoted  WAMessage for Baileys' `quoted` option, or undefined
 */

/** Media types a `send` reads from a file in the media folder. */
export const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker'])
const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9_.-]+=[a-z0-9_."-]+)*$/
const USER_JID_RE = /^\d{5,20}@(s\.whatsapp\.net|lid)$/

/**
 * Validates `send` args. Throws EngineError('bad_request') naming the first bad field.
 * @param {Record<string, any>} args
 * @param {string|null} [mediaDir]  the media folder from hello: a media file must be inside it
 * @returns {SendRequest}
 */
export function parseSendArgs (args, mediaDir = null) {
  if (typeof args.messageId !== 'string' || !MESSAGE_ID_RE.test(args.messageId)) throw bad('messageId must be 8-64 letters/digits (e.g. 3EB0 + 18 hex)')
  if (!isSendableJid(args.jid)) throw bad('jid must be a user (@s.whatsapp.net, @lid) or group (@g.us) JID')
  return { messageId: args.messageId, jid: args.jid, content: parseContent(args.content, mediaDir), quoted: parseQuoted(args.quoted) }
}

/** @param {unknown} jid */
export function isSendableJid (jid) {
  if (typeof jid !== 'string' || jid.length > 128) return false
  const decoded = jidDecode(jid)
  if (!decoded || !SEND_SERVERS.has(decoded.server) || decoded.device) return false
  return isJidGroup(jid) ? /^[0-9-]{5,64}$/.test(decoded.user) : /^\d{5,20}$/.test(decoded.user)
}

/** @param {unknown} c @param {string|null} mediaDir @returns {SendContent} */
function parseContent (c, mediaDir) {
  if (!isObject(c)) throw bad('content must be an object')
  if (c.type === 'text') {
    if (typeof c.text !== 'string' || c.text === '') throw bad('content.text must be a non-empty string')
    return { type: 'text', text: c.text, ...mentionsOf(c) }
  }
  if (c.type === 'image' && c.base64 !== undefined) {
    // (messages queued before media were stored by hash carried the bytes inline)
    if (typeof c.base64 !== 'string' || c.base64 === '' || !BASE64_RE.test(c.base64)) throw bad('content.base64 must be non-empty base64')
    if (typeof c.mimeType !== 'string' || !/^image\/[a-z0-9.+-]+$/.test(c.mimeType)) throw bad('content.mimeType must be an image/* type')
    return { type: 'image', base64: c.base64, mimeType: c.mimeType, caption: optionalString(c.caption, 'content.caption') }
  }
  if (MEDIA_TYPES.has(c.type)) {
    if (typeof c.mimeType !== 'string' || !MIME_RE.test(c.mimeType)) throw bad('content.mimeType must be a MIME type')
    return {
      type: c.type,
      path: mediaPath(c.path, mediaDir),
      mimeType: c.mimeType,
      caption: optionalString(c.caption, 'content.caption'),
      fileName: optionalString(c.fileName, 'content.fileName'),
      ...mentionsOf(c)
    }
  }
  switch (c.type) {
    case 'location': {
      const { latitude, longitude } = c
      if (typeof latitude !== 'number' || !(latitude >= -90 && latitude <= 90)) throw bad('content.latitude must be -90..90')
      if (typeof longitude !== 'number' || !(longitude >= -180 && longitude <= 180)) throw bad('content.longitude must be -180..180')
      return { type: 'location', latitude, longitude, name: optionalString(c.name, 'content.name'), address: optionalString(c.address, 'content.address') }
    }
    case 'contacts':
      if (typeof c.displayName !== 'string' || c.displayName === '') throw bad('content.displayName must be a non-empty string')
      if (!Array.isArray(c.vcards) || c.vcards.length === 0 || !c.vcards.every((v) => typeof v === 'string' && v.startsWith('BEGIN:VCARD'))) throw bad('content.vcards must be a non-empty list of vCards')
      return { type: 'contacts', displayName: c.displayName, vcards: c.vcards }
    case 'reaction':
      if (typeof c.emoji !== 'string') throw bad('content.emoji must be a string ("" removes the reaction)')
      return { type: 'reaction', key: parseKey(c.key), emoji: c.emoji }
    case 'poll':
      if (typeof c.name !== 'string' || c.name === '') throw bad('content.name must be a non-empty string')
      if (!Array.isArray(c.options) || c.options.length < 2 || c.options.length > 12 || !c.options.every((o) => typeof o === 'string' && o !== '')) throw bad('content.options must be 2-12 non-empty strings')
      if (!Number.isInteger(c.selectableCount) || c.selectableCount < 0 || c.selectableCount > c.options.length) throw bad('content.selectableCount must be 0..options')
      return { type: 'poll', name: c.name, options: c.options, selectableCount: c.selectableCount }
    case 'edit':
      if (typeof c.text !== 'string' || c.text === '') throw bad('content.text must be a non-empty string')
      return { type: 'edit', key: parseKey(c.key), text: c.text }
    case 'revoke':
      return { type: 'revoke', key: parseKey(c.key) }
  }
  throw bad('content.type must be text, image, video, audio, voice, document, sticker, location, contacts, reaction, poll, edit or revoke')
}

/**
 * A media file's path: absolute, and inside the media folder Java named in hello after symlinks
 * are resolved, so a `send` can never make the engine read (and upload to WhatsApp) another file
 * of the machine. A missing file is a bad_request too (Java checks it exists just before).
 * @param {unknown} p @param {string|null} mediaDir
 */
function mediaPath (p, mediaDir) {
  if (typeof p !== 'string' || !isAbsolute(p)) throw bad('content.path must be an absolute path')
  if (!mediaDir) throw bad('media sends need mediaDir in hello')
  let real, root
  try {
    real = realpathSync(p)
    root = realpathSync(mediaDir)
  } catch {
    throw bad('content.path does not exist')
  }
  if (!real.startsWith(root + sep)) throw bad('content.path must be inside the media folder')
  return real
}

/** @param {unknown} k @returns {MessageKey} */
function parseKey (k) {
  if (!isObject(k) || typeof k.id !== 'string' || k.id === '' || typeof k.remoteJid !== 'string' || k.remoteJid === '' || typeof k.fromMe !== 'boolean') {
    throw bad('content.key must be {id, remoteJid, fromMe, participant?}')
  }
  if (k.participant !== undefined && k.participant !== null && typeof k.participant !== 'string') throw bad('content.key.participant must be a string')
  return { id: k.id, remoteJid: k.remoteJid, fromMe: k.fromMe, ...(k.participant ? { participant: k.participant } : {}) }
}

/** @param {any} c */
function mentionsOf (c) {
  if (c.mentions === undefined || c.mentions === null) return {}
  if (!Array.isArray(c.mentions) || !c.mentions.every((j) => typeof j === 'string' && USER_JID_RE.test(j))) throw bad('content.mentions must be user JIDs')
  return c.mentions.length ? { mentions: c.mentions } : {}
}

/** @param {unknown} v @param {string} name @returns {string|null} */
function optionalString (v, name) {
  if (v === undefined || v === null) return null
  if (typeof v !== 'string') throw bad(`${name} must be a string`)
  return v === '' ? null : v
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
 * never waits on a third-party web site. Media are `{url: <local path>}`, which Baileys streams
 * from disk while encrypting (the file is never held in memory whole); a voice note is an
 * OGG/Opus audio with `ptt`.
 * @param {SendContent} content
 */
export function toBaileysContent (content) {
  switch (content.type) {
    case 'text': return { text: content.text, linkPreview: null, ...(content.mentions ? { mentions: content.mentions } : {}) }
    case 'location':
      return { location: { degreesLatitude: content.latitude, degreesLongitude: content.longitude, ...(content.name ? { name: content.name } : {}), ...(content.address ? { address: content.address } : {}) } }
    case 'contacts':
      // each card carries its own name (a single card becomes a contactMessage with that name)
      return { contacts: { displayName: content.displayName, contacts: content.vcards.map((vcard) => ({ displayName: vcardName(vcard), vcard })) } }
    case 'reaction': return { react: { text: content.emoji, key: content.key } }
    case 'poll': return { poll: { name: content.name, values: content.options, selectableCount: content.selectableCount } }
    case 'edit': return { text: content.text, edit: content.key }
    case 'revoke': return { delete: content.key }
  }
  if ('base64' in content) {
    return { image: Buffer.from(content.base64, 'base64'), mimetype: content.mimeType, ...(content.caption ? { caption: content.caption } : {}) }
  }
  const file = { url: content.path }
  const caption = content.caption ? { caption: content.caption } : {}
  const mentions = content.mentions ? { mentions: content.mentions } : {}
  switch (content.type) {
    case 'image': return { image: file, mimetype: content.mimeType, ...caption, ...mentions }
    case 'video': return { video: file, mimetype: content.mimeType, ...caption, ...mentions }
    case 'audio': return { audio: file, mimetype: content.mimeType }
    case 'voice': return { audio: file, mimetype: 'audio/ogg; codecs=opus', ptt: true }
    case 'sticker': return { sticker: file, mimetype: 'image/webp' }
    default: return { document: file, mimetype: content.mimeType, fileName: content.fileName ?? 'document', ...caption, ...mentions }
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

/** A vCard's FN (formatted name), unescaped; '' when it has none. @param {string} vcard */
function vcardName (vcard) {
  const fn = /^FN:(.*)$/m.exec(vcard)?.[1] ?? ''
  return fn.replace(/\\n/gi, ' ').replace(/\\([,;\\])/g, '$1').trim()
}

/** @param {string} msg */
function bad (msg) {
  return new EngineError('bad_request', msg)
}
