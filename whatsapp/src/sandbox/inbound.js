import { randomBytes, randomInt } from 'node:crypto'
import { WAMessageStubType, proto } from 'baileys'

/*
 * What a contact's phone sends, as Baileys hands it to the app after decrypting: a
 * proto.WebMessageInfo with Long timestamps and Buffer media fields, the key Baileys 7 builds
 * (remoteJidAlt/addressingMode for LID-addressed chats), and the content shapes WhatsApp's
 * apps produce (plain text as `conversation`, replies as `extendedTextMessage` with
 * contextInfo, edits in an `editedMessage` wrapper, captioned documents in
 * `documentWithCaptionMessage`).
 */

export const INBOUND_TYPES = ['text', 'image', 'video', 'audio', 'ptt', 'sticker', 'document', 'location', 'contact', 'poll', 'reaction', 'edit', 'revoke', 'undecryptable']
/** Types that act on another message (`replyToProviderMessageId` is their target). */
export const TARGETED_TYPES = ['reaction', 'edit', 'revoke']

/** A message id like the iPhone app's (`3A` + 18 hex). */
export function phoneMessageId () {
  return `3A${randomBytes(9).toString('hex').toUpperCase()}`
}

/** A random 15-digit LID user, the length real LIDs have. */
export function randomLidUser () {
  return `${randomInt(100000, 1000000)}${randomInt(100000000, 1000000000)}`
}

/**
 * Media fields as an uploaded WhatsApp media message has them (random keys and hashes; the
 * media cannot be downloaded — the sandbox has no media server).
 * @param {string} mimetype @param {number} fileLength
 */
function fakeMedia (mimetype, fileLength) {
  const path = `/v/t62.7118-24/${randomInt(10000000, 99999999)}_${randomBytes(8).toString('hex')}.enc?ccb=11-4`
  return {
    url: `https://mmg.whatsapp.net${path}&mms3=true`,
    directPath: path,
    mimetype,
    fileLength,
    mediaKey: randomBytes(32),
    fileSha256: randomBytes(32),
    fileEncSha256: randomBytes(32),
    mediaKeyTimestamp: Math.floor(Date.now() / 1000)
  }
}

/**
 * @typedef {object} InboundSpec
 * @property {string} type           one of INBOUND_TYPES
 * @property {string|null} text     body / caption / name, depending on the type
 * @property {string} senderJid      the contact's jid as the chat is addressed (PN or LID)
 * @property {string} meJid          our own jid (no device)
 * @property {{id: string, participant: string, message: any, ours: boolean}|null} quoted
 *   the message replied to / reacted to / edited / revoked; `ours` when we sent it
 */

/**
 * The `message` content for one inbound type (null for an undecryptable message).
 * @param {InboundSpec} spec
 * @returns {Record<string, any>|null}
 */
export function inboundContent ({ type, text, senderJid, meJid, quoted }) {
  const contextInfo = quoted && !TARGETED_TYPES.includes(type)
    ? { stanzaId: quoted.id, participant: quoted.participant, quotedMessage: quoted.message ?? { conversation: '' } }
    : undefined
  const ctx = contextInfo ? { contextInfo } : {}
  // edits and deletes name the sender's own earlier message, from the sender's side (chat = us)
  const targetKey = { remoteJid: meJid, fromMe: true, id: quoted?.id }
  // a reaction key as Baileys leaves it after cleanMessage: from our side (chat = the contact)
  const reactionKey = { remoteJid: senderJid, fromMe: Boolean(quoted?.ours), id: quoted?.id }
  switch (type) {
    case 'text':
      return contextInfo ? { extendedTextMessage: { text, ...ctx } } : { conversation: text }
    case 'image':
      return { imageMessage: { ...fakeMedia('image/jpeg', 48213), height: 1280, width: 960, ...(text ? { caption: text } : {}), ...ctx } }
    case 'video':
      return { videoMessage: { ...fakeMedia('video/mp4', 1048576), seconds: 12, ...(text ? { caption: text } : {}), ...ctx } }
    case 'audio':
      return { audioMessage: { ...fakeMedia('audio/mpeg', 245760), seconds: 15, ptt: false, ...ctx } }
    case 'ptt':
      return { audioMessage: { ...fakeMedia('audio/ogg; codecs=opus', 9216), seconds: 4, ptt: true, ...ctx } }
    case 'sticker':
      return { stickerMessage: { ...fakeMedia('image/webp', 18432), height: 512, width: 512, ...ctx } }
    case 'document': {
      const doc = { ...fakeMedia('application/pdf', 102400), fileName: 'document.pdf', title: 'document.pdf', pageCount: 2, ...ctx }
      // WhatsApp wraps a captioned document
      return text ? { documentWithCaptionMessage: { message: { documentMessage: { ...doc, caption: text } } } } : { documentMessage: doc }
    }
    case 'location': {
      const [lat, lng] = (text ?? '').split(',').map(Number)
      return {
        locationMessage: {
          degreesLatitude: Number.isFinite(lat) ? lat : 24.8607,
          degreesLongitude: Number.isFinite(lng) ? lng : 67.0011,
          ...ctx
        }
      }
    }
    case 'contact': {
      const name = text || 'Sandbox Contact'
      return { contactMessage: { displayName: name, vcard: `BEGIN:VCARD\nVERSION:3.0\nFN:${name}\nTEL;type=CELL;waid=923001234567:+92 300 1234567\nEND:VCARD`, ...ctx } }
    }
    case 'poll':
      return {
        pollCreationMessageV3: { name: text || 'Sandbox poll', options: [{ optionName: 'Yes' }, { optionName: 'No' }], selectableOptionsCount: 1 },
        messageContextInfo: { messageSecret: randomBytes(32) }
      }
    case 'reaction':
      return { reactionMessage: { key: reactionKey, text: text ?? '👍', senderTimestampMs: Date.now() } }
    case 'edit':
      return {
        editedMessage: {
          message: {
            protocolMessage: { key: targetKey, type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, editedMessage: { conversation: text ?? '' }, timestampMs: Date.now() }
          }
        }
      }
    case 'revoke':
      return { protocolMessage: { key: targetKey, type: proto.Message.ProtocolMessage.Type.REVOKE } }
    case 'undecryptable':
      return null
  }
  throw new Error(`unknown inbound type ${type}`)
}

/**
 * A complete inbound WAMessage as Baileys emits it in messages.upsert (decoded protobuf plus
 * the key fields Baileys 7 adds after decoding).
 * @param {object} m
 * @param {string} m.id
 * @param {string} m.remoteJid        the chat as addressed: `<phone>@s.whatsapp.net` or `<lid>@lid`
 * @param {string|null} m.remoteJidAlt  the phone JID when the chat is LID-addressed
 * @param {string|null} m.pushName
 * @param {Record<string, any>|null} m.content
 * @param {number} [m.timestamp]      epoch s, default now
 */
export function inboundMessage ({ id, remoteJid, remoteJidAlt, pushName, content, timestamp = Math.floor(Date.now() / 1000) }) {
  const info = proto.WebMessageInfo.fromObject({
    key: { remoteJid, fromMe: false, id },
    messageTimestamp: timestamp,
    ...(pushName ? { pushName } : {}),
    ...(content
      ? { message: content }
      : { messageStubType: WAMessageStubType.CIPHERTEXT, messageStubParameters: ['No session record'] })
  })
  const msg = /** @type {any} */ (proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(info).finish()))
  msg.key.remoteJidAlt = remoteJidAlt ?? undefined
  msg.key.addressingMode = remoteJid.endsWith('@lid') ? 'lid' : 'pn'
  msg.broadcast = false
  return msg
}
