// proto.Message builders for what a simulated contact sends (text, reply, edit, revoke, reaction), the stanza
// attributes WhatsApp puts on each kind, and the text a ledger records for a received message.
import { proto } from 'baileys'

const ProtocolType = proto.Message.ProtocolMessage.Type

/** A plain text message (`conversation`), as phones send text without context. */
export function textMessage (text) {
  return { conversation: String(text) }
}

/**
 * A reply: extendedTextMessage with contextInfo { stanzaId, participant, quotedMessage }, the fields Baileys
 * and the gateway read to link a reply to its original. `quoted.participant` is the original's author jid
 * (the linked account's jid when the contact replies to a message the gateway sent).
 */
export function replyMessage (text, quoted) {
  if (!quoted?.id || !quoted.participant) throw new Error('a reply needs quoted.id and quoted.participant')
  return {
    extendedTextMessage: {
      text: String(text),
      contextInfo: {
        stanzaId: quoted.id,
        participant: quoted.participant,
        quotedMessage: quoted.message || { conversation: quoted.text || '' }
      }
    }
  }
}

/** An edit of the contact's own message `key` ({remoteJid, fromMe, id}) to `text`: protocolMessage MESSAGE_EDIT. */
export function editMessage (key, text) {
  if (!key?.id) throw new Error('an edit needs the edited message key')
  return {
    protocolMessage: {
      key,
      type: ProtocolType.MESSAGE_EDIT,
      editedMessage: { conversation: String(text) },
      timestampMs: Date.now()
    }
  }
}

/** A "delete for everyone" of message `key`: protocolMessage REVOKE. */
export function revokeMessage (key) {
  if (!key?.id) throw new Error('a revoke needs the revoked message key')
  return { protocolMessage: { key, type: ProtocolType.REVOKE } }
}

/** A reaction `emoji` to message `key`; an empty emoji removes a reaction, as in WhatsApp. */
export function reactionMessage (key, emoji) {
  if (!key?.id) throw new Error('a reaction needs the message key')
  return { reactionMessage: { key, text: String(emoji ?? ''), senderTimestampMs: Date.now() } }
}

/**
 * The `mediatype` WhatsApp puts on the `enc` of a media message (Baileys' getMediaType names), or undefined
 * for non-media content.
 */
export function mediaTypeOf (message) {
  if (message.imageMessage) return 'image'
  if (message.videoMessage) return message.videoMessage.gifPlayback ? 'gif' : 'video'
  if (message.audioMessage) return message.audioMessage.ptt ? 'ptt' : 'audio'
  if (message.contactMessage) return 'vcard'
  if (message.documentMessage) return 'document'
  if (message.locationMessage) return 'location'
  if (message.stickerMessage) return 'sticker'
  return undefined
}

/**
 * The stanza `type` and `edit` attributes WhatsApp puts on a message of this content (Baileys' own
 * getMessageType / edit attribute rules): reaction → type reaction; media → type media; else text;
 * edit="1" on edits, edit="7" on revokes.
 */
export function stanzaAttrsFor (message) {
  const attrs = { type: 'text' }
  if (message.reactionMessage) attrs.type = 'reaction'
  else if (mediaTypeOf(message)) attrs.type = 'media'
  const protocolType = message.protocolMessage?.type
  if (protocolType === ProtocolType.MESSAGE_EDIT) attrs.edit = '1'
  if (protocolType === ProtocolType.REVOKE) attrs.edit = '7'
  return attrs
}

/**
 * The human text of a received message for the ledger: the body of text, extended text, media captions,
 * edits (the new text) and reactions (the emoji). Undefined for content without text (e.g. a revoke).
 */
export function messageText (message) {
  if (!message) return undefined
  const edited = message.protocolMessage?.editedMessage
  return message.conversation ||
    message.extendedTextMessage?.text ||
    message.imageMessage?.caption ||
    message.videoMessage?.caption ||
    message.documentMessage?.caption ||
    (edited ? messageText(edited) : undefined) ||
    message.reactionMessage?.text ||
    undefined
}
