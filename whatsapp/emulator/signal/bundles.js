// Prekey bundles, the server's side of the `encrypt` namespace: what a linked device uploads (iq set),
// what a sender fetches (iq get > key), the prekey count, the digest, signed-prekey rotation, and the
// `encrypt` notifications. Node shapes follow Baileys 7.0.0-rc14 (Utils/signal.js, Socket/socket.js)
// and whatsmeow (the reference for what WhatsApp's server really answers).
import { createHash } from 'node:crypto'
import libsignal from 'libsignal'
import { encodeBigEndian, getBinaryNodeChild, getBinaryNodeChildBuffer, getBinaryNodeChildren } from 'baileys'

const { curve } = libsignal
const KEY_TYPE = Buffer.from([5])
const SERVER = 's.whatsapp.net'

/** A Baileys-shaped node. */
const node = (tag, attrs = {}, content) => (content === undefined ? { tag, attrs } : { tag, attrs, content })

/**
 * The `iq type=result` answering `request`: same id, from the server. Guarantees the id the client waits on
 * (Baileys matches responses by id only).
 */
export function iqResult (request, content) {
  return node('iq', { id: request.attrs.id, from: SERVER, type: 'result' }, content)
}

/** The `iq type=error` answering `request` with `code`/`text`, as WhatsApp answers a refused iq. */
export function iqError (request, code, text) {
  return node('iq', { id: request.attrs.id, from: SERVER, type: 'error' }, [node('error', { code: String(code), text })])
}

/** Reads a big-endian unsigned integer of exactly `length` bytes; throws a clear error otherwise. */
function readUInt (buf, length, what) {
  if (!buf || buf.length !== length) throw new Error(`${what}: expected ${length} bytes, got ${buf ? buf.length : 'none'}`)
  let n = 0
  for (const byte of buf) n = n * 256 + byte
  return n
}

/** Reads a 32-byte Curve25519 public key; throws a clear error otherwise. */
function readKey (buf, what) {
  if (!buf || buf.length !== 32) throw new Error(`${what}: expected a 32-byte key, got ${buf ? buf.length : 'none'}`)
  return Buffer.from(buf)
}

/** True when `signature` is `identityKey`'s signature over the 0x05-prefixed `publicKey` (all 32-byte wire keys). */
export function signedPreKeyIsValid (identityKey, publicKey, signature) {
  try {
    // libsignal 6 returns the verdict instead of throwing on a bad signature, so the return value is what counts.
    return curve.verifySignature(Buffer.concat([KEY_TYPE, identityKey]), Buffer.concat([KEY_TYPE, publicKey]), Buffer.from(signature)) === true
  } catch {
    return false
  }
}

/** Parses an `skey` node (id 3 bytes, value 32, signature 64). */
function readSignedPreKey (skey, what) {
  if (!skey) throw new Error(`${what}: no skey`)
  const signature = getBinaryNodeChildBuffer(skey, 'signature')
  if (!signature || signature.length !== 64) throw new Error(`${what}: skey signature must be 64 bytes`)
  return {
    keyId: readUInt(getBinaryNodeChildBuffer(skey, 'id'), 3, `${what}: skey id`),
    publicKey: readKey(getBinaryNodeChildBuffer(skey, 'value'), `${what}: skey value`),
    signature: Buffer.from(signature)
  }
}

/**
 * Parses the prekey upload a linked device sends after login (`iq type=set xmlns=encrypt` with registration,
 * type, identity, list > key*, skey). Guarantees a complete, checked record or a thrown Error naming the
 * faulty field (the server answers that with iqError 400 and keeps what it had): the key type is 0x05, every
 * key is 32 bytes, and the signed prekey is really signed by the identity.
 * @returns {{registrationId:number, identityKey:Buffer, signedPreKey:{keyId,publicKey,signature}, preKeys:Map<number,Buffer>}}
 */
export function parsePreKeyUpload (iq) {
  if (iq?.tag !== 'iq' || iq.attrs?.xmlns !== 'encrypt' || iq.attrs?.type !== 'set') throw new Error('not an encrypt set iq')
  const type = getBinaryNodeChildBuffer(iq, 'type')
  if (!type || type.length !== 1 || type[0] !== 5) throw new Error('prekey upload: type must be 0x05')
  const identityKey = readKey(getBinaryNodeChildBuffer(iq, 'identity'), 'prekey upload: identity')
  const signedPreKey = readSignedPreKey(getBinaryNodeChild(iq, 'skey'), 'prekey upload')
  if (!signedPreKeyIsValid(identityKey, signedPreKey.publicKey, signedPreKey.signature)) {
    throw new Error('prekey upload: signed prekey signature does not verify with the identity key')
  }
  const preKeys = new Map()
  for (const key of getBinaryNodeChildren(getBinaryNodeChild(iq, 'list'), 'key')) {
    const keyId = readUInt(getBinaryNodeChildBuffer(key, 'id'), 3, 'prekey upload: key id')
    preKeys.set(keyId, readKey(getBinaryNodeChildBuffer(key, 'value'), `prekey upload: key ${keyId}`))
  }
  return {
    registrationId: readUInt(getBinaryNodeChildBuffer(iq, 'registration'), 4, 'prekey upload: registration'),
    identityKey,
    signedPreKey,
    preKeys
  }
}

/**
 * The device's stored bundle after an upload. Same identity: the new prekeys join the unserved ones (a top-up).
 * A different identity (a re-paired device): the old record is replaced whole, so no stale key is ever served.
 */
export function applyPreKeyUpload (existing, iq) {
  const upload = parsePreKeyUpload(iq)
  if (!existing || !existing.identityKey.equals(upload.identityKey)) return upload
  return { ...upload, preKeys: new Map([...existing.preKeys, ...upload.preKeys]) }
}

/**
 * Applies `iq set xmlns=encrypt > rotate > skey` (Baileys' rotateSignedPreKey) to the record. Throws (record
 * unchanged) when the new signed prekey is not signed by the device's identity.
 */
export function applySignedPreKeyRotation (record, iq) {
  const signedPreKey = readSignedPreKey(getBinaryNodeChild(getBinaryNodeChild(iq, 'rotate'), 'skey'), 'rotate')
  if (!signedPreKeyIsValid(record.identityKey, signedPreKey.publicKey, signedPreKey.signature)) {
    throw new Error('rotate: signed prekey signature does not verify with the identity key')
  }
  return { ...record, signedPreKey }
}

/**
 * The bundle to serve for a device record, consuming its lowest unserved one-time prekey (each is served
 * once, as on WhatsApp). With the pool empty the bundle has no one-time prekey, which Signal allows.
 */
export function takeDeviceBundle (record) {
  const [preKeyId] = [...record.preKeys.keys()].sort((a, b) => a - b)
  const bundle = { registrationId: record.registrationId, identityKey: record.identityKey, signedPreKey: record.signedPreKey }
  if (preKeyId !== undefined) {
    bundle.preKey = { keyId: preKeyId, publicKey: record.preKeys.get(preKeyId) }
    record.preKeys.delete(preKeyId)
  }
  return bundle
}

/** The jids (and `reason`, e.g. 'identity' on a forced refresh) a key-fetch `iq get > key > user*` asks for. */
export function parseKeyFetchRequest (iq) {
  return getBinaryNodeChildren(getBinaryNodeChild(iq, 'key'), 'user').map(user => ({ jid: user.attrs.jid, reason: user.attrs.reason }))
}

/** One `user` node of a key-fetch result, in the exact shape Baileys' parseAndInjectE2ESessions reads. */
export function bundleUserNode (jid, bundle) {
  const content = [
    node('registration', {}, Buffer.from(encodeBigEndian(bundle.registrationId, 4))),
    node('type', {}, KEY_TYPE),
    node('identity', {}, Buffer.from(bundle.identityKey)),
    node('skey', {}, [
      node('id', {}, Buffer.from(encodeBigEndian(bundle.signedPreKey.keyId, 3))),
      node('value', {}, Buffer.from(bundle.signedPreKey.publicKey)),
      node('signature', {}, Buffer.from(bundle.signedPreKey.signature))
    ])
  ]
  if (bundle.preKey) {
    content.push(node('key', {}, [
      node('id', {}, Buffer.from(encodeBigEndian(bundle.preKey.keyId, 3))),
      node('value', {}, Buffer.from(bundle.preKey.publicKey))
    ]))
  }
  return node('user', { jid }, content)
}

/**
 * The result of a key fetch: `iq result > list > user*`. `resolve(jid)` returns the bundle to serve (and
 * consumes its prekey) or undefined for a device the server does not know, which is answered per user with
 * `error code=404 text=item-not-found` as WhatsApp does (Baileys then fails that send: assertNodeErrorFree).
 */
export function buildKeyFetchResult (request, resolve) {
  const users = parseKeyFetchRequest(request).map(({ jid }) => {
    const bundle = resolve(jid)
    return bundle ? bundleUserNode(jid, bundle) : node('user', { jid }, [node('error', { code: '404', text: 'item-not-found' })])
  })
  return iqResult(request, [node('list', {}, users)])
}

/** `iq result > count value=N`: how many one-time prekeys the server still holds for the device. */
export function buildPreKeyCountResult (request, record) {
  return iqResult(request, [node('count', { value: String(record ? record.preKeys.size : 0) })])
}

/**
 * `iq result > digest` for `iq get > digest` (sent after login). Carries what the server holds: registration,
 * type, identity, skey, the list of unserved prekey ids and a SHA-1 over identity, signed prekey, signature and
 * prekeys (whatsmeow's validation recipe). Without a record it answers 404, as the server does before upload.
 */
export function buildDigestResult (request, record) {
  if (!record) return iqError(request, 404, 'item-not-found')
  const ids = [...record.preKeys.keys()].sort((a, b) => a - b)
  const hash = createHash('sha1')
  hash.update(KEY_TYPE).update(record.identityKey).update(record.signedPreKey.publicKey).update(record.signedPreKey.signature)
  for (const id of ids) hash.update(record.preKeys.get(id))
  return iqResult(request, [node('digest', {}, [
    node('registration', {}, Buffer.from(encodeBigEndian(record.registrationId, 4))),
    node('type', {}, KEY_TYPE),
    node('identity', {}, Buffer.from(record.identityKey)),
    node('skey', {}, [
      node('id', {}, Buffer.from(encodeBigEndian(record.signedPreKey.keyId, 3))),
      node('value', {}, Buffer.from(record.signedPreKey.publicKey)),
      node('signature', {}, Buffer.from(record.signedPreKey.signature))
    ]),
    node('list', {}, ids.map(id => node('id', {}, Buffer.from(encodeBigEndian(id, 3))))),
    node('hash', {}, hash.digest())
  ])])
}

/**
 * `notification type=encrypt > identity` from a contact whose identity changed (a reinstall). Baileys answers
 * it by dropping the old session and fetching a fresh bundle (handleIdentityChange → assertSessions force).
 */
export function buildIdentityChangeNotification ({ from, id, t = Math.floor(Date.now() / 1000) }) {
  return node('notification', { from, type: 'encrypt', id, t: String(t) }, [node('identity', {})])
}

/**
 * `notification type=encrypt > count value=N` from the server: the device's prekey stock runs low. `from` is the
 * server as a JID pair (empty user), which Baileys decodes as '@s.whatsapp.net' (its S_WHATSAPP_NET) and
 * compares with exactly that before uploading; a bare 's.whatsapp.net' token would be taken for an identity change.
 */
export function buildPreKeyLowNotification ({ id, count, t = Math.floor(Date.now() / 1000) }) {
  return node('notification', { from: `@${SERVER}`, type: 'encrypt', id, t: String(t) }, [node('count', { value: String(count) })])
}
