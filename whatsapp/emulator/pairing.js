import { createHmac } from 'node:crypto'
import { Curve, getBinaryNodeChild, proto, WA_ADV_ACCOUNT_SIG_PREFIX, WA_ADV_DEVICE_SIG_PREFIX } from 'baileys'
import { serverId, unixTime } from './nodes.js'
import { verifySignature } from './verify.js'

/*
 * The phone's side of QR pairing (what the WhatsApp app does when it scans a linking QR) and
 * the server's check of the companion's answer. Formats follow Baileys' validate-connection.js
 * (configureSuccessfulPairing) and whatsmeow's pair.go (handlePair).
 */

/**
 * Reads the QR text Baileys shows: `https://wa.me/settings/linked_devices#ref,noise,identity,adv,platform`
 * (older clients: the same list without the URL).
 * @param {string} qr
 * @returns {{ref: string, noiseKey: Buffer, identityKey: Buffer, advSecret: Buffer}}
 */
export function parseQr (qr) {
  if (typeof qr !== 'string') throw new Error('qr must be a string')
  const list = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr
  const [ref, noise, identity, adv] = list.split(',')
  const noiseKey = Buffer.from(noise ?? '', 'base64')
  const identityKey = Buffer.from(identity ?? '', 'base64')
  const advSecret = Buffer.from(adv ?? '', 'base64')
  if (!ref || noiseKey.length !== 32 || identityKey.length !== 32 || advSecret.length !== 32) {
    throw new Error('not a WhatsApp linking QR (ref, noise key, identity key, adv secret)')
  }
  return { ref, noiseKey, identityKey, advSecret }
}

/**
 * Builds the `pair-success` IQ the server forwards after the phone scanned: an
 * ADVSignedDeviceIdentityHMAC (HMAC-SHA256 with the QR's adv secret) around an
 * ADVSignedDeviceIdentity whose accountSignature is the phone's account key over
 * prefix(6,0) + details + the companion's identity key.
 * @param {object} a
 * @param {import('./accounts.js').Phone} a.phone
 * @param {number} a.deviceId @param {number} a.keyIndex
 * @param {Buffer} a.identityKey  the companion's Signal identity (from the QR)
 * @param {Buffer} a.advSecret
 * @param {Buffer} [a.signingKey]  private key to sign with; a wrong one simulates a forged identity
 * @param {string} [a.businessName]  a WhatsApp Business phone: `<biz name>` (Baileys' `me.name`, the push name presence needs)
 * @returns {{node: any, details: Buffer}}
 */
export function buildPairSuccess ({ phone, deviceId, keyIndex, identityKey, advSecret, signingKey, businessName }) {
  const details = Buffer.from(proto.ADVDeviceIdentity.encode({
    rawId: Math.floor(Math.random() * 0xffffffff),
    timestamp: Math.floor(Date.now() / 1000),
    keyIndex
  }).finish())
  const accountSignature = Curve.sign(signingKey ?? phone.accountKey.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, identityKey]))
  const signed = Buffer.from(proto.ADVSignedDeviceIdentity.encode({
    details,
    accountSignatureKey: phone.accountKey.public,
    accountSignature
  }).finish())
  const hmac = createHmac('sha256', advSecret).update(signed).digest()
  const container = Buffer.from(proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish())
  const node = {
    tag: 'iq',
    attrs: { from: 's.whatsapp.net', type: 'set', id: serverId(), xmlns: 'md', t: unixTime() },
    content: [{
      tag: 'pair-success',
      attrs: {},
      content: [
        { tag: 'device-identity', attrs: { 'key-index': String(keyIndex) }, content: container },
        { tag: 'platform', attrs: { name: 'android' } },
        { tag: 'device', attrs: { jid: `${phone.phone}:${deviceId}@s.whatsapp.net`, lid: `${phone.lidUser}:${deviceId}@lid` } },
        ...(businessName ? [{ tag: 'biz', attrs: { name: businessName } }] : [])
      ]
    }]
  }
  return { node, details }
}

/**
 * Checks the companion's `pair-device-sign` answer: same device details as sent, and a device
 * signature by the companion's identity key over prefix(6,1) + details + identity + account key.
 * @param {any} reply  the client's iq result
 * @param {{details: Buffer, identityKey: Buffer, accountPublic: Buffer}} expected
 * @returns {string|null} null when valid, else why not
 */
export function checkPairDeviceSign (reply, { details, identityKey, accountPublic }) {
  if (reply?.attrs?.type !== 'result') return `client answered ${reply?.attrs?.type ?? 'nothing'}`
  const sign = getBinaryNodeChild(reply, 'pair-device-sign')
  const idNode = getBinaryNodeChild(sign, 'device-identity')
  if (!(idNode?.content instanceof Uint8Array)) return 'pair-device-sign without device-identity'
  const signed = proto.ADVSignedDeviceIdentity.decode(idNode.content)
  if (!signed.details || !Buffer.from(signed.details).equals(details)) return 'device identity details changed'
  if (!signed.deviceSignature) return 'no device signature'
  const msg = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, details, identityKey, accountPublic])
  return verifySignature(identityKey, msg, signed.deviceSignature) ? null : 'device signature invalid'
}
