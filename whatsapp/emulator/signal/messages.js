// Signal-encrypted 1:1 messages between a simulated contact and the linked device (a real Baileys client):
// the contact decrypts what the device sends (the ledger behind sandbox.sent), and builds the encrypted
// `message` stanzas the device receives. Shapes follow Baileys 7.0.0-rc14 (Socket/messages-send.js,
// Utils/decode-wa-message.js).
import { randomBytes } from 'node:crypto'
import libsignal from 'libsignal'
import protobufs from 'libsignal/src/protobufs.js'
import { encodeWAMessage, getBinaryNodeChild, getBinaryNodeChildren, proto, unpadRandomMax16 } from 'baileys'
import { signalAddressOf, wireKey } from './contact.js'
import { verifySignature } from '../verify.js'
import { mediaTypeOf, messageText, stanzaAttrsFor } from './protos.js'

const { SessionBuilder, SessionCipher, curve } = libsignal
const { WhisperMessage } = protobufs
const ADV_ACCOUNT_SIG_PREFIX = Buffer.from([6, 0])
const ADV_DEVICE_SIG_PREFIX = Buffer.from([6, 1])

/** A message id in the form phones use (32 upper-case hex digits). */
export function newMessageId () {
  return randomBytes(16).toString('hex').toUpperCase()
}

/** Unix seconds, as WhatsApp's `t` attributes carry them. */
const nowSeconds = () => Math.floor(Date.now() / 1000)

/**
 * Starts an outgoing Signal session from `contact` to the device `peerJid`, from a served bundle (32-byte wire
 * keys, as takeDeviceBundle returns). Any older session to that device is closed in favour of the new one
 * (libsignal's rule), so the next message the contact encrypts is a pkmsg.
 */
export async function startSession (contact, peerJid, bundle) {
  const addr = signalAddressOf(peerJid)
  const identityKey = Buffer.concat([Buffer.from([5]), bundle.identityKey])
  const device = {
    registrationId: bundle.registrationId,
    identityKey,
    signedPreKey: {
      keyId: bundle.signedPreKey.keyId,
      publicKey: Buffer.concat([Buffer.from([5]), bundle.signedPreKey.publicKey]),
      signature: Buffer.from(bundle.signedPreKey.signature)
    }
  }
  if (bundle.preKey) {
    device.preKey = { keyId: bundle.preKey.keyId, publicKey: Buffer.concat([Buffer.from([5]), bundle.preKey.publicKey]) }
  }
  await new SessionBuilder(contact.store, addr).initOutgoing(device)
  contact.identities.set(addr.toString(), identityKey)
}

/** The `enc` nodes in `stanza` meant for `contact`: direct `enc` children, or `participants > to[jid=contact] > enc`. */
function encNodesFor (contact, stanza) {
  const direct = getBinaryNodeChildren(stanza, 'enc')
  if (direct.length) return direct
  const targets = getBinaryNodeChildren(getBinaryNodeChild(stanza, 'participants'), 'to')
  return targets.filter(to => contact.owns(to.attrs.jid)).flatMap(to => getBinaryNodeChildren(to, 'enc'))
}

/**
 * Reads and checks the `device-identity` child a companion adds to its pkmsg sends: the ADV identity signed by
 * the account key (prefix 6,0 over details + device identity key) and by the device itself (prefix 6,1 over
 * details + device identity key + account key), as a recipient verifies it. `deviceIdentityKey` is the 32-byte
 * identity the pkmsg carried. Undefined when the stanza has no device-identity child.
 */
export function readDeviceIdentity (stanza, deviceIdentityKey) {
  const child = getBinaryNodeChild(stanza, 'device-identity')
  if (!(child?.content instanceof Uint8Array)) return undefined
  const signed = proto.ADVSignedDeviceIdentity.decode(child.content)
  const details = proto.ADVDeviceIdentity.decode(signed.details)
  const verify = (key, msg, sig) => !!key && !!sig && verifySignature(key, msg, Buffer.from(sig))
  const accountKey = signed.accountSignatureKey ? Buffer.from(signed.accountSignatureKey) : undefined
  const deviceKey = deviceIdentityKey ? wireKey(deviceIdentityKey) : undefined
  const detailsBuf = Buffer.from(signed.details)
  return {
    rawId: details.rawId,
    keyIndex: details.keyIndex,
    timestamp: Number(details.timestamp),
    accountSignatureValid: !!deviceKey && verify(accountKey, Buffer.concat([ADV_ACCOUNT_SIG_PREFIX, detailsBuf, deviceKey]), signed.accountSignature),
    deviceSignatureValid: !!deviceKey && !!accountKey &&
      verify(deviceKey, Buffer.concat([ADV_DEVICE_SIG_PREFIX, detailsBuf, deviceKey, accountKey]), signed.deviceSignature)
  }
}

/**
 * The contact decrypts a `message` stanza the linked device sent (addressed to it through `participants > to`,
 * or with a direct `enc` as in retry resends). `senderJid` is the sending device's jid, always the same
 * spelling for one device (the contact's session with it is kept under that name).
 * Guarantees: the ledger record of what the contact got, or a thrown Error (nothing recorded) when no `enc` is
 * for this contact, the enc type is not pkmsg/msg, or Signal decryption fails (the error is libsignal's).
 * @returns {{id, from, to, type, stanzaType, text, message, destinationJid?, deviceIdentity?}}
 */
export async function decryptFromDevice (contact, stanza, { senderJid }) {
  if (stanza?.tag !== 'message') throw new Error('not a message stanza')
  const encs = encNodesFor(contact, stanza)
  if (!encs.length) throw new Error(`message ${stanza.attrs.id} has no enc for ${contact.pnJid}`)
  const addr = signalAddressOf(senderJid)
  const cipher = new SessionCipher(contact.store, addr)
  let message
  let type
  for (const enc of encs) {
    if (enc.attrs.type !== 'pkmsg' && enc.attrs.type !== 'msg') throw new Error(`unsupported enc type ${enc.attrs.type}`)
    const ciphertext = Buffer.from(enc.content)
    const plain = enc.attrs.type === 'pkmsg'
      ? await cipher.decryptPreKeyWhisperMessage(ciphertext)
      : await cipher.decryptWhisperMessage(ciphertext)
    const decoded = proto.Message.decode(unpadRandomMax16(plain))
    message = message ? Object.assign(message, decoded) : decoded
    type = enc.attrs.type
  }
  const record = { id: stanza.attrs.id, from: senderJid, to: stanza.attrs.to, type, stanzaType: stanza.attrs.type, message }
  if (message.deviceSentMessage) {
    record.destinationJid = message.deviceSentMessage.destinationJid
    record.message = proto.Message.fromObject(message.deviceSentMessage.message || {})
  }
  record.text = messageText(record.message)
  if (type === 'pkmsg') record.deviceIdentity = readDeviceIdentity(stanza, contact.peerIdentity(senderJid))
  return record
}

/**
 * The `from` attributes of a stanza from `contact`, per addressing mode. 'lid': from the LID jid with the phone
 * in `sender_pn` (what Baileys rc14 reads as the alternate jid). 'pn': from the phone jid, with `sender_lid`
 * when the contact has a LID and `announceLid` is set, as WhatsApp announces the mapping.
 */
export function senderAttrs (contact, { addressing = 'pn', announceLid = true } = {}) {
  if (addressing === 'lid') {
    if (!contact.lidJid) throw new Error(`contact ${contact.phone} has no LID`)
    return { from: contact.lidJid, sender_pn: contact.pnJid }
  }
  return contact.lidJid && announceLid ? { from: contact.pnJid, sender_lid: contact.lidJid } : { from: contact.pnJid }
}

/**
 * The contact sends `message` (a proto.Message object, see protos.js) to the linked device `deviceJid`.
 * When the contact has no open session with that device it starts one from `bundle` (the bundle itself or a
 * function returning it, called only then, so a served prekey is consumed only when needed); the enc is then
 * a pkmsg, and stays pkmsg until the device has answered (Signal's rule), msg afterwards.
 * @returns {Promise<{stanza, id, type}>} the `message` stanza to deliver to the device (one `enc v=2` child)
 */
export async function encryptToDevice (contact, { deviceJid, bundle, message, id = newMessageId(), t = nowSeconds(), addressing, announceLid }) {
  if (!contact.hasSession(deviceJid)) {
    const served = typeof bundle === 'function' ? bundle() : bundle
    if (!served) throw new Error(`no session with ${deviceJid} and no bundle to start one`)
    await startSession(contact, deviceJid, served)
  }
  const { type: sigType, body } = await new SessionCipher(contact.store, signalAddressOf(deviceJid)).encrypt(encodeWAMessage(message))
  const type = sigType === 3 ? 'pkmsg' : 'msg'
  const mediatype = mediaTypeOf(message)
  const stanza = {
    tag: 'message',
    attrs: { ...senderAttrs(contact, { addressing, announceLid }), id, t: String(t), notify: contact.pushName, ...stanzaAttrsFor(message) },
    content: [{ tag: 'enc', attrs: mediatype ? { v: '2', type, mediatype } : { v: '2', type }, content: Buffer.from(body) }]
  }
  return { stanza, id, type }
}

/**
 * A stanza from `contact` the device cannot decrypt: a well-formed `msg` (version byte, WhisperMessage with a
 * random ratchet key, counter and ciphertext, 8-byte MAC) that belongs to no session. Baileys reports it as a
 * CIPHERTEXT stub with libsignal's reason: "No session record" when the device has no session with the
 * contact, "No matching sessions found for message" when it has one (the MAC check fails in every session).
 */
export function undecryptableStanza (contact, { id = newMessageId(), t = nowSeconds(), addressing, announceLid } = {}) {
  const whisper = WhisperMessage.encode(WhisperMessage.create({
    ephemeralKey: curve.generateKeyPair().pubKey,
    counter: 0,
    previousCounter: 0,
    ciphertext: randomBytes(32)
  })).finish()
  const body = Buffer.concat([Buffer.from([0x33]), Buffer.from(whisper), randomBytes(8)])
  return {
    tag: 'message',
    attrs: { ...senderAttrs(contact, { addressing, announceLid }), id, t: String(t), notify: contact.pushName, type: 'text' },
    content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: body }]
  }
}
