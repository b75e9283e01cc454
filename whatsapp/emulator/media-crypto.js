import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { getMediaKeys } from 'baileys'

/*
 * WhatsApp's media encryption, as the phone and the client apply it to every uploaded blob:
 * a random 32-byte media key, expanded with HKDF-SHA256 (info "WhatsApp <Type> Keys", Baileys'
 * own `getMediaKeys`) into iv (16) | cipherKey (32) | macKey (32); the blob is
 * AES-256-CBC(plaintext) followed by the first 10 bytes of HMAC-SHA256(macKey, iv | ciphertext).
 * fileSha256 is the plaintext's hash, fileEncSha256 the whole blob's (ciphertext + mac).
 *
 * Baileys only decrypts on download (it never checks the MAC or the hashes); the emulator checks
 * all three when it opens what a device uploaded, as the recipient's phone would.
 */

export const MAC_LENGTH = 10

/** The kinds a media message proto can carry, and the HKDF media type each one is encrypted with. */
export const MESSAGE_MEDIA_TYPES = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
  ptvMessage: 'video'
}

/**
 * Encrypts `plain` for `mediaType` (a MEDIA_HKDF_KEY_MAPPING key: image, video, audio, document,
 * sticker, md-msg-hist …). Guarantees a blob that Baileys' downloadContentFromMessage decrypts
 * back to `plain` with the returned mediaKey.
 * @param {Buffer} plain @param {string} mediaType @param {Buffer} [mediaKey] random when omitted
 * @returns {Promise<{blob: Buffer, mediaKey: Buffer, fileSha256: Buffer, fileEncSha256: Buffer, fileLength: number}>}
 */
export async function encryptMedia (plain, mediaType, mediaKey = randomBytes(32)) {
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, /** @type {any} */ (mediaType))
  const aes = createCipheriv('aes-256-cbc', cipherKey, iv)
  const enc = Buffer.concat([aes.update(plain), aes.final()])
  const mac = createHmac('sha256', macKey).update(iv).update(enc).digest().subarray(0, MAC_LENGTH)
  const blob = Buffer.concat([enc, mac])
  return {
    blob,
    mediaKey,
    fileSha256: sha256(plain),
    fileEncSha256: sha256(blob),
    fileLength: plain.length
  }
}

/**
 * Opens a blob: checks fileEncSha256 (when given), the MAC, decrypts, checks fileSha256 (when
 * given). Throws an Error naming the failed check; never returns bytes that did not verify.
 * @param {Buffer} blob @param {Buffer|Uint8Array} mediaKey @param {string} mediaType
 * @param {{fileEncSha256?: Uint8Array|null, fileSha256?: Uint8Array|null}} [expect]
 * @returns {Promise<{bytes: Buffer, sha256: Buffer}>}
 */
export async function decryptMedia (blob, mediaKey, mediaType, expect = {}) {
  if (expect.fileEncSha256 && !sha256(blob).equals(Buffer.from(expect.fileEncSha256))) throw new Error('fileEncSha256 does not match the blob')
  if (blob.length < MAC_LENGTH + 16) throw new Error('blob too short')
  const { iv, cipherKey, macKey } = await getMediaKeys(Buffer.from(mediaKey), /** @type {any} */ (mediaType))
  const enc = blob.subarray(0, blob.length - MAC_LENGTH)
  const mac = blob.subarray(blob.length - MAC_LENGTH)
  const want = createHmac('sha256', macKey).update(iv).update(enc).digest().subarray(0, MAC_LENGTH)
  if (!timingSafeEqual(mac, want)) throw new Error('media MAC does not verify (wrong key or media type)')
  const aes = createDecipheriv('aes-256-cbc', cipherKey, iv)
  const bytes = Buffer.concat([aes.update(enc), aes.final()])
  const digest = sha256(bytes)
  if (expect.fileSha256 && !digest.equals(Buffer.from(expect.fileSha256))) throw new Error('fileSha256 does not match the plaintext')
  return { bytes, sha256: digest }
}

/** @param {Uint8Array} b */
export function sha256 (b) {
  return createHash('sha256').update(b).digest()
}

/** Base64url without padding: how WhatsApp (and Baileys' upload URL) spells a hash in a path. */
export function b64url (b) {
  return Buffer.from(b).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
