import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto'
import { Curve, NOISE_MODE, proto } from 'baileys'

/*
 * Server side of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake and transport, the mirror
 * image of Baileys' Utils/noise-handler.js (the client): same hash chaining, same HKDF split,
 * same 12-byte IV (a 32-bit big-endian counter in the last four bytes). Written independently
 * of Baileys' handler so that a mismatch between the two shows up as a failed handshake.
 */

const EMPTY = Buffer.alloc(0)

/** @param {Buffer[]} parts */
function sha256 (...parts) {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** @param {number} counter */
function ivFor (counter) {
  const iv = Buffer.alloc(12)
  iv.writeUInt32BE(counter, 8)
  return iv
}

/** AES-256-GCM with the 16-byte tag appended, as WhatsApp frames it. */
export function gcmEncrypt (plain, key, counter, ad) {
  const c = createCipheriv('aes-256-gcm', key, ivFor(counter))
  c.setAAD(ad)
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()])
}

/** Inverse of gcmEncrypt; throws when the tag does not verify (tampering or key mismatch). */
export function gcmDecrypt (cipher, key, counter, ad) {
  const d = createDecipheriv('aes-256-gcm', key, ivFor(counter))
  d.setAAD(ad)
  d.setAuthTag(cipher.subarray(cipher.length - 16))
  return Buffer.concat([d.update(cipher.subarray(0, cipher.length - 16)), d.final()])
}

/**
 * One handshake, server role. Usage: `receiveClientHello` → `serverHello` → `receiveClientFinish`
 * → `split`. Each step throws on anything malformed, so the caller closes the connection.
 * @param {{public: Buffer, private: Buffer}} staticKeyPair  the server's long-lived Noise key (the leaf cert's key)
 * @param {Buffer} prologue  the 4-byte `WA` header the client sent
 */
export function createServerHandshake (staticKeyPair, prologue) {
  const mode = Buffer.from(NOISE_MODE)
  let hash = mode.length === 32 ? mode : sha256(mode)
  let salt = hash
  let key = hash
  let counter = 0
  const ephemeral = Curve.generateKeyPair()
  /** @type {Buffer|null} */ let clientEphemeral = null
  /** @type {Buffer|null} */ let clientStatic = null

  const mixHash = (data) => { hash = sha256(hash, data) }
  const mixKey = (ikm) => {
    const out = Buffer.from(hkdfSync('sha256', ikm, salt, EMPTY, 64))
    salt = out.subarray(0, 32)
    key = out.subarray(32)
    counter = 0
  }
  const encrypt = (plain) => {
    const out = gcmEncrypt(plain, key, counter++, hash)
    mixHash(out)
    return out
  }
  const decrypt = (cipher) => {
    const out = gcmDecrypt(cipher, key, counter++, hash)
    mixHash(cipher)
    return out
  }
  mixHash(prologue)

  return {
    /** @param {Buffer} frame  HandshakeMessage{clientHello} */
    receiveClientHello (frame) {
      const msg = proto.HandshakeMessage.decode(frame)
      const e = msg.clientHello?.ephemeral
      if (!e || e.length !== 32) throw new Error('client hello without a 32-byte ephemeral key')
      clientEphemeral = Buffer.from(e)
      mixHash(clientEphemeral)
    },
    /**
     * @param {Buffer} certChain  encoded proto.CertChain sent (encrypted) as the payload
     * @returns {Buffer} encoded HandshakeMessage{serverHello}
     */
    serverHello (certChain) {
      if (!clientEphemeral) throw new Error('serverHello before clientHello')
      mixHash(ephemeral.public)
      mixKey(Curve.sharedKey(ephemeral.private, clientEphemeral))
      const staticEnc = encrypt(staticKeyPair.public)
      mixKey(Curve.sharedKey(staticKeyPair.private, clientEphemeral))
      const payloadEnc = encrypt(certChain)
      return Buffer.from(proto.HandshakeMessage.encode({
        serverHello: { ephemeral: ephemeral.public, static: staticEnc, payload: payloadEnc }
      }).finish())
    },
    /**
     * @param {Buffer} frame  HandshakeMessage{clientFinish}
     * @returns {{clientStatic: Buffer, payload: any}} the client's Noise static key and its decoded ClientPayload
     */
    receiveClientFinish (frame) {
      const msg = proto.HandshakeMessage.decode(frame)
      if (!msg.clientFinish?.static || !msg.clientFinish?.payload) throw new Error('client finish incomplete')
      clientStatic = decrypt(Buffer.from(msg.clientFinish.static))
      if (clientStatic.length !== 32) throw new Error('client static key is not 32 bytes')
      mixKey(Curve.sharedKey(ephemeral.private, clientStatic))
      const payload = proto.ClientPayload.decode(decrypt(Buffer.from(msg.clientFinish.payload)))
      return { clientStatic, payload }
    },
    /** Transport keys; the client writes with the first half, so the server reads with it. */
    split () {
      const out = Buffer.from(hkdfSync('sha256', EMPTY, salt, EMPTY, 64))
      return createTransport(out.subarray(32), out.subarray(0, 32))
    }
  }
}

/**
 * Transport phase: each frame is AES-GCM with its own counter per direction, no associated data.
 * @param {Buffer} encKey @param {Buffer} decKey
 */
export function createTransport (encKey, decKey) {
  let writeCounter = 0
  let readCounter = 0
  return {
    encrypt: (plain) => gcmEncrypt(plain, encKey, writeCounter++, EMPTY),
    decrypt: (cipher) => gcmDecrypt(cipher, decKey, readCounter++, EMPTY)
  }
}

/**
 * Splits a byte stream into WhatsApp frames (3-byte big-endian length, then the frame). The
 * client's very first bytes are an intro header (`WA` + 2 version bytes, optionally preceded by
 * an `ED` routing header); `onIntro` receives it once.
 * @param {(intro: Buffer) => void} onIntro
 * @param {(frame: Buffer) => void} onFrame
 */
export function createFrameReader (onIntro, onFrame) {
  let buf = EMPTY
  let introDone = false
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk)
    if (!introDone) {
      let offset = 0
      if (buf.length >= 2 && buf.subarray(0, 2).toString('latin1') === 'ED') {
        if (buf.length < 7) return
        offset = 7 + ((buf[4] << 16) | buf.readUInt16BE(5))
      }
      if (buf.length < offset + 4) return
      const intro = buf.subarray(offset, offset + 4)
      if (intro.subarray(0, 2).toString('latin1') !== 'WA') throw new Error('missing WA intro header')
      onIntro(Buffer.from(intro))
      buf = buf.subarray(offset + 4)
      introDone = true
    }
    while (buf.length >= 3) {
      const size = (buf[0] << 16) | (buf[1] << 8) | buf[2]
      if (buf.length < size + 3) return
      const frame = Buffer.from(buf.subarray(3, size + 3))
      buf = buf.subarray(size + 3)
      onFrame(frame)
    }
  }
}

/** Prefixes one frame with its 3-byte length (the server sends no intro header). */
export function encodeFrame (data) {
  const out = Buffer.alloc(3 + data.length)
  out[0] = (data.length >>> 16) & 0xff
  out[1] = (data.length >>> 8) & 0xff
  out[2] = data.length & 0xff
  data.copy ? data.copy(out, 3) : out.set(data, 3)
  return out
}
