import {
  WAMessageStatus, WAMessageStubType, extractMessageContent, getContentType, isJidGroup, isJidStatusBroadcast,
  isJidBroadcast, isLidUser, jidNormalizedUser, proto
} from 'baileys'
import { KNOWN_CONTENT, contentDetails, groupNotification, undecryptableDetails } from './details.js'
import { jidToPhone, str, text, toNumberOrNull } from './values.js'

/*
 * The `parsed` part of a mapped message (docs/engine-protocol.md, "Parsed message"): what a
 * WhatsApp message says, read from every place Baileys 7 puts it, so Java never needs to know
 * a Baileys field name. Pure functions: LID → phone lookups that need the key store are done by
 * handlers.js beforehand and passed in as `lidToPn`.
 */

/**
 * @typedef {object} ParseContext
 * @property {{id?: string|null, lid?: string|null}|null|undefined} [me]  creds.me of this socket
 * @property {Map<string, string>} [lidToPn]  normalized LID jid → PN jid, from the LID mapping store
 *
 * @typedef {object} Parsed
 * @property {string} type
 * @property {string|null} text            body, caption, or a readable placeholder ("[sticker]")
 * @property {string|null} caption
 * @property {string|null} mimeType
 * @property {number|null} fileLength
 * @property {string|null} fileName
 * @property {{id: string, participant: string|null}|null} quoted
 * @property {{kind: 'revoke'|'edit'|'other', targetId: string|null, text: string|null, name: string|null}|null} protocol
 * @property {boolean} undecryptable
 * @property {string|null} senderJid
 * @property {string|null} senderPhone
 * @property {string|null} chatJid
 * @property {string|null} chatPhone
 * @property {boolean} isGroup
 * @property {boolean} fromMe
 * @property {Record<string, any>|null} details  structured extras (details.js), passed to the API unchanged
 */

/** Protocol status names by Baileys WAMessageStatus number (0 ERROR … 5 PLAYED). */
const STATUS_NAMES = /** @type {Record<number, string>} */ ({
  [WAMessageStatus.ERROR]: 'failed',
  [WAMessageStatus.PENDING]: 'pending',
  [WAMessageStatus.SERVER_ACK]: 'sent',
  [WAMessageStatus.DELIVERY_ACK]: 'delivered',
  [WAMessageStatus.READ]: 'read',
  [WAMessageStatus.PLAYED]: 'played'
})

/**
 * Protocol name of a WAMessageStatus (number, Long or numeric string); null when absent or
 * unknown, so Java never has to interpret Baileys' numbers.
 * @param {unknown} status
 * @returns {string|null}
 */
export function statusName (status) {
  const n = toNumberOrNull(status)
  return n !== null && Object.hasOwn(STATUS_NAMES, n) ? STATUS_NAMES[n] : null
}

/** Content keys whose protocol type is not simply the key without `Message`. */
const TYPE_OF_CONTENT = /** @type {Record<string, string>} */ ({
  conversation: 'text',
  extendedTextMessage: 'text'
})

/** Media content keys: they carry mimetype / fileLength (and documents a fileName). */
const MEDIA = new Set(['imageMessage', 'videoMessage', 'ptvMessage', 'audioMessage', 'stickerMessage', 'documentMessage'])

/**
 * The protocol type of a content key: `imageMessage` → `image`, `pollCreationMessageV3` →
 * `pollCreation`, `conversation`/`extendedTextMessage` → `text`; a voice note (audio with
 * `ptt`) → `ptt`. Unknown future keys still get a sensible name by the same rule.
 * @param {string} contentKey
 * @param {any} inner  content[contentKey]
 */
function typeOf (contentKey, inner) {
  if (contentKey === 'audioMessage' && inner?.ptt) return 'ptt'
  return TYPE_OF_CONTENT[contentKey] ?? contentKey.replace(/Message(V\d+)?$/, '')
}

/**
 * The content that matters, with every wrapper removed: Baileys' extractMessageContent
 * (normalizeMessageContent for ephemeral / view-once v1, v2, v2-extension /
 * documentWithCaption / edited wrappers, plus button and template messages turned into their
 * visible content). Null fields are ignored so plain-object fixtures behave like decoded protobufs.
 * @param {any} message  WAMessage.message
 * @returns {{content: any, key: string|undefined}}
 */
export function unwrap (message) {
  if (!message || typeof message !== 'object') return { content: undefined, key: undefined }
  const content = extractMessageContent(message)
  if (!content) return { content: undefined, key: undefined }
  const present = Object.fromEntries(Object.entries(content).filter(([, v]) => v !== null && v !== undefined))
  return { content, key: getContentType(present) }
}

/** Coordinate with two decimals, as in "[location 24.86,67.00]". @param {unknown} v */
function fixed2 (v) {
  const n = Number(toNumberOrNull(v) ?? v)
  return (Number.isFinite(n) ? n : 0).toFixed(2)
}

/**
 * Text of one content item: the body for text-like messages and replies (button, list,
 * template, interactive), the caption for media when there is one, otherwise a readable
 * placeholder such as "[location 24.86,67.00]" or "[reaction 👍 to 3EB0…]".
 * @param {string} key   content key
 * @param {any} c        content[key]
 * @param {string} type  protocol type
 * @returns {string|null}
 */
function textOf (key, c, type) {
  switch (key) {
    case 'conversation': return str(c)
    case 'extendedTextMessage': return str(c?.text)
    case 'imageMessage': return text(c?.caption) ?? '[image]'
    case 'videoMessage': return text(c?.caption) ?? (c?.gifPlayback ? '[gif]' : '[video]')
    case 'ptvMessage': return '[video note]'
    case 'audioMessage': return c?.ptt ? '[voice message]' : '[audio]'
    case 'stickerMessage': return '[sticker]'
    case 'documentMessage': return text(c?.caption) ?? (text(c?.fileName) ? `[document ${c.fileName}]` : '[document]')
    case 'locationMessage': return `[location ${fixed2(c?.degreesLatitude)},${fixed2(c?.degreesLongitude)}]`
    case 'liveLocationMessage': return text(c?.caption) ?? `[live location ${fixed2(c?.degreesLatitude)},${fixed2(c?.degreesLongitude)}]`
    case 'contactMessage': return text(c?.displayName) ? `[contact ${c.displayName}]` : '[contact]'
    case 'contactsArrayMessage': return `[contacts ${Array.isArray(c?.contacts) ? c.contacts.length : 0}]`
    case 'reactionMessage': {
      const target = str(c?.key?.id) ?? '?'
      return text(c?.text) ? `[reaction ${c.text} to ${target}]` : `[reaction removed from ${target}]`
    }
    case 'pollUpdateMessage': return '[poll vote]'
    case 'listMessage': return text(c?.title) ?? text(c?.description) ?? '[list]'
    case 'groupInviteMessage': return text(c?.caption) ?? (text(c?.groupName) ? `[group invite ${c.groupName}]` : '[group invite]')
    case 'buttonsResponseMessage': return text(c?.selectedDisplayText) ?? str(c?.selectedButtonId)
    case 'listResponseMessage': return text(c?.title) ?? str(c?.singleSelectReply?.selectedRowId)
    case 'templateButtonReplyMessage': return text(c?.selectedDisplayText) ?? str(c?.selectedId)
    case 'interactiveResponseMessage': return text(c?.body?.text) ?? '[interactive response]'
    case 'protocolMessage': return null
  }
  if (type === 'pollCreation') return text(c?.name) ? `[poll ${c.name}]` : '[poll]'
  return `[${type}]`
}

/**
 * revoke / edit / other housekeeping (history sync notices, key shares, ephemeral settings …).
 * `text` is the new text of an edit (from any shape the edited content takes), else null.
 * @param {any} pm  protocolMessage
 */
function protocolOf (pm) {
  const type = toNumberOrNull(pm?.type) // unset stays null: Baileys acts on no such message either
  const name = type === null ? null : proto.Message.ProtocolMessage.Type[type] ?? null
  const targetId = str(pm?.key?.id)
  if (type === proto.Message.ProtocolMessage.Type.REVOKE) return { kind: /** @type {const} */ ('revoke'), targetId, text: null, name }
  if (type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
    return { kind: /** @type {const} */ ('edit'), targetId, text: contentText(pm?.editedMessage), name }
  }
  return { kind: /** @type {const} */ ('other'), targetId, text: null, name }
}

/**
 * Text of a whole message content (wrappers removed); used for edits.
 * @param {any} message
 * @returns {string|null}
 */
export function contentText (message) {
  const { content, key } = unwrap(message)
  return key ? textOf(key, content[key], typeOf(key, content[key])) : null
}

/**
 * Phone digits for a user JID: the JID itself when it is a PN, else its PN alternative
 * (Baileys 7 `remoteJidAlt`/`participantAlt`), else the LID mapping store's answer, else null.
 * @param {string|null} jid
 * @param {string|null} alt
 * @param {Map<string, string>|undefined} lidToPn
 */
function phoneOf (jid, alt, lidToPn) {
  return jidToPhone(jid) ?? jidToPhone(alt) ?? (jid && isLidUser(jid) ? jidToPhone(lidToPn?.get(jidNormalizedUser(jid))) : null)
}

/**
 * The `parsed` object of a WAMessage. Never throws on odd input (missing fields give nulls),
 * because one strange message must not stop a whole upsert.
 * @param {any} msg  a Baileys WAMessage (decoded protobuf or plain object)
 * @param {ParseContext} [ctx]
 * @returns {Parsed}
 */
export function parseMessage (msg, ctx = {}) {
  const key = msg?.key ?? {}
  const fromMe = Boolean(key.fromMe)
  const chatJid = str(key.remoteJid)
  const isGroup = Boolean(chatJid && isJidGroup(chatJid))
  const meJid = str(ctx.me?.id) ? jidNormalizedUser(/** @type {string} */ (ctx.me?.id)) : null
  // Baileys 7's cleanMessage turns an absent participant into '' (jidNormalizedUser(undefined)),
  // so every received 1:1 message has participant '': empty means none.
  const participant = text(key.participant) ?? text(msg?.participant)

  // status@broadcast and broadcast lists: many senders share the chat, so it has no phone, and
  // Baileys 7 puts the sender's PN alternative in remoteJidAlt (it only fills participantAlt in groups)
  const isBroadcast = Boolean(chatJid && isJidBroadcast(chatJid))

  let senderJid, senderPhone
  if (fromMe) {
    senderJid = meJid ?? participant // creds.me.id is our PN jid in Baileys 7
    senderPhone = jidToPhone(meJid)
  } else {
    senderJid = participant ?? chatJid
    senderPhone = phoneOf(senderJid, senderAlt(key, participant, isBroadcast), ctx.lidToPn)
  }
  // For fromMe messages Baileys' remoteJidAlt is the *sender's* alternative (ours), not the chat's.
  const chatAlt = str(key.remoteJidAlt)
  const chatAltUsable = !(fromMe && chatAlt && jidToPhone(chatAlt) === jidToPhone(meJid))
  const chatPhone = isGroup || isBroadcast ? null : phoneOf(chatJid, chatAltUsable ? chatAlt : null, ctx.lidToPn)

  /** @type {Parsed} */
  const parsed = {
    type: 'empty',
    text: null,
    caption: null,
    mimeType: null,
    fileLength: null,
    fileName: null,
    quoted: null,
    protocol: null,
    undecryptable: false,
    senderJid,
    senderPhone,
    chatJid,
    chatPhone,
    isGroup,
    fromMe,
    details: null
  }

  if (toNumberOrNull(msg?.messageStubType) === WAMessageStubType.CIPHERTEXT) {
    parsed.type = 'undecryptable'
    parsed.undecryptable = true
    parsed.text = '[message could not be decrypted]'
    parsed.details = undecryptableDetails(msg)
    return parsed
  }
  const { content, key: contentKey } = unwrap(msg?.message)
  if (!contentKey) return withoutContent(msg, parsed)
  const c = content[contentKey]
  if (!KNOWN_CONTENT.has(contentKey)) {
    // something new WhatsApp sends: said plainly, with its key, rather than dropped or guessed at
    parsed.type = 'unsupported'
    parsed.text = `[unsupported ${contentKey}]`
    parsed.details = { key: contentKey, ...contentDetails(contentKey, c, msg?.message) }
    return parsed
  }
  parsed.type = typeOf(contentKey, c)
  parsed.text = textOf(contentKey, c, parsed.type)
  if (contentKey === 'protocolMessage') parsed.protocol = protocolOf(c)
  if (['imageMessage', 'videoMessage', 'documentMessage'].includes(contentKey)) parsed.caption = text(c?.caption)
  if (MEDIA.has(contentKey)) {
    parsed.mimeType = str(c?.mimetype)
    parsed.fileLength = toNumberOrNull(c?.fileLength)
    if (contentKey === 'documentMessage') parsed.fileName = str(c?.fileName)
  }
  const stanzaId = str(c?.contextInfo?.stanzaId)
  if (stanzaId) parsed.quoted = { id: stanzaId, participant: str(c.contextInfo.participant) }
  parsed.details = contentDetails(contentKey, c, msg?.message)
  return parsed
}

/**
 * A message without content: a view-once message WhatsApp did not deliver to this linked device
 * (Baileys marks its key `isViewOnce`; only the phone may open it), a group notification with
 * its participants, any other stub (`stub`, not stored) or nothing at all (`empty`).
 * @param {any} msg @param {Parsed} parsed
 */
function withoutContent (msg, parsed) {
  if (msg?.key?.isViewOnce === true) {
    parsed.type = 'viewOnce'
    parsed.text = '[view once message]'
    parsed.details = { view_once: true }
    return parsed
  }
  if (toNumberOrNull(msg?.messageStubType) === null) return parsed
  const group = groupNotification(msg)
  if (!group) {
    parsed.type = 'stub'
    return parsed
  }
  parsed.type = group.type
  parsed.text = group.text
  parsed.details = group.details
  return parsed
}

/**
 * The sender's PN/LID alternative on the key: participantAlt in groups, remoteJidAlt in 1:1
 * chats, and remoteJidAlt for a participant of a status/broadcast message (Baileys 7 fills
 * participantAlt only when the chat is a group).
 * @param {any} key @param {string|null} participant @param {boolean} isBroadcast
 */
function senderAlt (key, participant, isBroadcast) {
  if (!participant) return text(key.remoteJidAlt)
  return text(key.participantAlt) ?? (isBroadcast ? text(key.remoteJidAlt) : null)
}

/**
 * LIDs among these messages whose phone is not given by the message itself (no PN
 * alternative on the key): the handler looks them up in Baileys' LID mapping store.
 * @param {any[]} messages
 * @returns {string[]} normalized LID jids, unique
 */
export function lidsToResolve (messages) {
  const out = new Set()
  const add = (/** @type {unknown} */ jid, /** @type {unknown} */ alt) => {
    if (typeof jid === 'string' && isLidUser(jid) && !jidToPhone(alt)) out.add(jidNormalizedUser(jid))
  }
  for (const msg of messages) {
    const key = msg?.key ?? {}
    const participant = text(key.participant) ?? text(msg?.participant) // '' (Baileys 7, 1:1) means none
    const broadcast = typeof key.remoteJid === 'string' && isJidBroadcast(key.remoteJid)
    if (!key.fromMe) add(participant ?? key.remoteJid, senderAlt(key, participant, broadcast))
    if (!isJidGroup(key.remoteJid) && !broadcast) add(key.remoteJid, key.fromMe ? null : key.remoteJidAlt)
  }
  return [...out]
}

/**
 * True for messages of the `status@broadcast` pseudo chat (WhatsApp Status posts).
 * @param {any} msgOrKey  a WAMessage or a key
 */
export function isStatusBroadcast (msgOrKey) {
  const jid = msgOrKey?.key?.remoteJid ?? msgOrKey?.remoteJid
  return typeof jid === 'string' && isJidStatusBroadcast(jid)
}
