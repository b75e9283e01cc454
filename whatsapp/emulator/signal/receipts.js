// Receipts a simulated contact sends back for messages the linked device sent it: delivery, read, played,
// and the retry receipt (with the contact's fresh keys) a phone sends when it cannot decrypt.
// Shapes follow Baileys 7.0.0-rc14 (Socket/messages-recv.js handleReceipt, Utils/signal.js
// extractE2ESessionFromRetryReceipt).
import { encodeBigEndian } from 'baileys'
import { senderAttrs } from './messages.js'

const RECEIPT_TYPES = { delivery: undefined, read: 'read', played: 'played' }
const nowSeconds = () => Math.floor(Date.now() / 1000)

/**
 * A `receipt` from `contact` for message ids `ids` (at least one). The first id goes in `id`, the rest in
 * `list > item`, the way WhatsApp batches receipts and Baileys reads them (content[0] is the list).
 * `type`: 'delivery' (no type attribute, Baileys maps it to DELIVERY_ACK), 'read' or 'played'.
 * `addressing` picks the contact's phone or LID jid as `from`, like the messages it answers.
 */
export function buildReceipt (contact, { ids, type = 'delivery', t = nowSeconds(), addressing = 'pn' }) {
  if (!Array.isArray(ids) || !ids.length) throw new Error('a receipt needs at least one message id')
  if (!(type in RECEIPT_TYPES)) throw new Error(`unknown receipt type ${type}`)
  const { from } = senderAttrs(contact, { addressing, announceLid: false })
  const attrs = { from, id: ids[0], t: String(t) }
  if (RECEIPT_TYPES[type]) attrs.type = RECEIPT_TYPES[type]
  const node = { tag: 'receipt', attrs }
  if (ids.length > 1) {
    node.content = [{ tag: 'list', attrs: {}, content: ids.slice(1).map(id => ({ tag: 'item', attrs: { id } })) }]
  }
  return node
}

/**
 * A retry receipt from `contact` for message `id` it could not decrypt: `retry` (count, id, t, v=1),
 * `registration`, and `keys` with a fresh bundle of the contact (identity, one-time prekey, signed prekey) so
 * the device can start a new session and resend (Baileys: extractE2ESessionFromRetryReceipt, then
 * relayMessage through getMessage). Consumes one of the contact's published prekeys.
 */
export function buildRetryReceipt (contact, { id, count = 1, t = nowSeconds(), originalT = t, addressing = 'pn' }) {
  if (!id) throw new Error('a retry receipt needs the message id')
  const bundle = contact.takeBundle()
  const { from } = senderAttrs(contact, { addressing, announceLid: false })
  const bytes = (n, len) => Buffer.from(encodeBigEndian(n, len))
  return {
    tag: 'receipt',
    attrs: { from, id, type: 'retry', t: String(t) },
    content: [
      { tag: 'retry', attrs: { count: String(count), id, t: String(originalT), v: '1' } },
      { tag: 'registration', attrs: {}, content: bytes(bundle.registrationId, 4) },
      {
        tag: 'keys',
        attrs: {},
        content: [
          { tag: 'type', attrs: {}, content: Buffer.from([5]) },
          { tag: 'identity', attrs: {}, content: bundle.identityKey },
          { tag: 'key', attrs: {}, content: [
            { tag: 'id', attrs: {}, content: bytes(bundle.preKey.keyId, 3) },
            { tag: 'value', attrs: {}, content: bundle.preKey.publicKey }
          ] },
          { tag: 'skey', attrs: {}, content: [
            { tag: 'id', attrs: {}, content: bytes(bundle.signedPreKey.keyId, 3) },
            { tag: 'value', attrs: {}, content: bundle.signedPreKey.publicKey },
            { tag: 'signature', attrs: {}, content: bundle.signedPreKey.signature }
          ] }
        ]
      }
    ]
  }
}
