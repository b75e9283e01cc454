import { randomBytes } from 'node:crypto'
import { aesDecryptGCM, aesEncryptGCM, hkdf, normalizeMessageContent, proto } from 'baileys'
import { decryptMedia, encryptMedia, MESSAGE_MEDIA_TYPES, sha256 } from './media-crypto.js'
import { createMediaStore, MEDIA_HOSTNAME } from './media-store.js'
import { handleMediaHttp } from './media-http.js'
import { getBinaryNodeChild, IqError, unixTime } from './nodes.js'

/*
 * The emulator's media host (docs/emulator.md "Media"): the `media_conn` IQ that hands out an
 * upload auth token and the host name, the upload and download routes (media-http.js), the blob
 * store (media-store.js), contact media encrypted WhatsApp's way (media-crypto.js), opening
 * what a device uploaded, and the phone's side of a media retry (re-hosting an expired blob).
 *
 * Baileys builds `https://<hostname>/mms/<kind>/<hash>` from media_conn and downloads from
 * `https://mmg.whatsapp.net<directPath>`; the engine's sandbox setting (whatsapp/src/media-hosts.js)
 * sends those requests to this emulator's plain-HTTP loopback port.
 */

const TOKEN_TTL_S = 3600
const MAX_TOKENS = 1024

/** What a contact can send, and how each becomes a message proto (field, HKDF type, default mimetype). */
const CONTACT_KINDS = {
  image: { field: 'imageMessage', mediaType: 'image', mimetype: 'image/jpeg' },
  video: { field: 'videoMessage', mediaType: 'video', mimetype: 'video/mp4' },
  audio: { field: 'audioMessage', mediaType: 'audio', mimetype: 'audio/mpeg' },
  voice: { field: 'audioMessage', mediaType: 'audio', mimetype: 'audio/ogg; codecs=opus' },
  document: { field: 'documentMessage', mediaType: 'document', mimetype: 'application/octet-stream' },
  sticker: { field: 'stickerMessage', mediaType: 'sticker', mimetype: 'image/webp' }
}
export const CONTACT_MEDIA_TYPES = Object.keys(CONTACT_KINDS)

/**
 * Plugs the media host into an emulator: registers the media_conn IQ and returns the media API.
 * @param {any} emulator
 * @param {{maxBytes?: number, maxBlobBytes?: number, dir?: string}} [opts]  store bounds; `dir` persists blobs
 */
export function createMediaHost (emulator, opts = {}) {
  const store = createMediaStore(opts)
  /** @type {Map<string, number>} upload auth token → expiry (ms) */
  const tokens = new Map()
  /** @type {Map<string, Buffer>} blob path → media key, for blobs whose key the phone knows (media retry) */
  const keys = new Map()
  const stats = { uploads: 0, refused: 0, downloads: 0, retries: 0 }

  function issueToken () {
    const now = Date.now()
    for (const [t, exp] of tokens) if (exp < now || tokens.size >= MAX_TOKENS) tokens.delete(t)
    const token = randomBytes(24).toString('base64')
    tokens.set(token, now + TOKEN_TTL_S * 1000)
    return token
  }

  // media_conn: WhatsApp answers a logged-in client with an auth token, its ttl and the upload hosts.
  emulator.iq.register({ xmlns: 'w:m', type: 'set', child: 'media_conn' }, ({ device }) => {
    if (!device) throw new IqError(401, 'not-authorized')
    return mediaConnNode()
  })
  const mediaConnNode = () => [{
    tag: 'media_conn',
    attrs: { auth: issueToken(), ttl: String(TOKEN_TTL_S), auth_ttl: String(TOKEN_TTL_S), max_buckets: '1' },
    content: [{ tag: 'host', attrs: { hostname: MEDIA_HOSTNAME, maxContentLengthBytes: String(store.maxBlobBytes) } }]
  }]

  const media = {
    store,
    stats,
    hostname: MEDIA_HOSTNAME,
    /** True when `token` was handed out by media_conn and has not expired. @param {string} token */
    tokenValid (token) {
      const exp = tokens.get(token)
      return exp !== undefined && exp >= Date.now()
    },
    /** Routes media HTTP requests; false when the request is not for the media host. */
    handleHttp: (req, res) => handleMediaHttp(media, req, res),

    /**
     * A contact's media message: encrypts `bytes` WhatsApp's way, hosts the blob and returns the
     * proto content ready for encryptToDevice. Guarantees Baileys' downloadMediaMessage yields
     * exactly `bytes`.
     * @param {{type: string, bytes: Buffer, mimeType?: string, fileName?: string, caption?: string, seconds?: number}} args
     * @returns {Promise<any>} e.g. {imageMessage: {url, directPath, mediaKey, fileEncSha256, fileSha256, fileLength, mimetype, …}}
     */
    async mediaMessageFrom ({ type, bytes, mimeType, fileName, caption, seconds }) {
      const kind = CONTACT_KINDS[type]
      if (!kind) throw new Error(`media type must be one of ${CONTACT_MEDIA_TYPES.join(', ')}`)
      if (!Buffer.isBuffer(bytes) || !bytes.length) throw new Error('media bytes must be a non-empty Buffer')
      const enc = await encryptMedia(bytes, kind.mediaType)
      const entry = media.host(enc.blob, { kind: kind.mediaType, mediaKey: enc.mediaKey })
      const content = {
        url: entry.url,
        directPath: entry.directPath,
        mediaKey: enc.mediaKey,
        fileEncSha256: enc.fileEncSha256,
        fileSha256: enc.fileSha256,
        fileLength: enc.fileLength,
        mimetype: mimeType ?? kind.mimetype,
        mediaKeyTimestamp: Number(unixTime())
      }
      if (caption !== undefined && ['image', 'video', 'document'].includes(type)) content.caption = caption
      if (type === 'document') { content.fileName = fileName ?? 'file'; content.title = fileName ?? 'file' }
      if (type === 'voice') content.ptt = true
      if ((type === 'audio' || type === 'voice' || type === 'video') && seconds !== undefined) content.seconds = seconds
      return { [kind.field]: content }
    },

    /**
     * Stores a blob the emulator itself made (a contact's media, a history blob). `mediaKey`
     * lets the phone answer a media retry for it later.
     * @param {Buffer} blob @param {{kind: string, mediaKey?: Buffer}} meta
     */
    host (blob, { kind, mediaKey }) {
      const entry = store.put(blob, { kind, by: 'emulator', fileEncSha256: sha256(blob) })
      if (mediaKey) rememberKey(entry.path, mediaKey)
      return entry
    },

    /**
     * Opens media the device uploaded and sent (the message proto it sent, or its media
     * content): finds the blob by directPath/url, checks fileEncSha256, the MAC and fileSha256,
     * decrypts. Remembers the media key (the recipient's phone has it), so a media retry for
     * it can be answered. Throws when the blob is unknown or a check fails.
     * @param {any} sent proto.Message (or plain object) with one media field, possibly wrapped
     * @returns {Promise<{bytes: Buffer, sha256: Buffer, type: string, mimetype?: string, caption?: string, fileName?: string}>}
     */
    async decryptDeviceMedia (sent) {
      // Unwraps documentWithCaption, ephemeral and view-once wrappers, as the recipient does.
      const message = normalizeMessageContent(sent) ?? sent
      const field = Object.keys(MESSAGE_MEDIA_TYPES).find((f) => message?.[f])
      if (!field) throw new Error('no media in this message')
      const m = message[field]
      const entry = store.find(m.directPath || m.url || '')
      if (!entry) throw new Error('media blob not found on the host')
      if (!m.mediaKey) throw new Error('media message has no mediaKey')
      const mediaType = MESSAGE_MEDIA_TYPES[field]
      const out = await decryptMedia(store.bytes(entry), m.mediaKey, mediaType, { fileEncSha256: m.fileEncSha256, fileSha256: m.fileSha256 })
      rememberKey(entry.path, m.mediaKey)
      const type = field === 'audioMessage' && m.ptt ? 'voice' : field.replace('Message', '')
      return { ...out, type, mimetype: m.mimetype ?? undefined, caption: m.caption ?? undefined, fileName: m.fileName ?? undefined }
    },

    /** Tests: the blob at this path/URL is gone (downloads 404) until a media retry hosts it again. @param {string} pathOrUrl */
    expire: (pathOrUrl) => store.expire(pathOrUrl),

    /** True for the device's media retry request (`receipt type=server-error` with `rmr`). @param {any} node */
    isRetryReceipt: (node) => node?.tag === 'receipt' && node.attrs.type === 'server-error' && !!getBinaryNodeChild(node, 'rmr'),

    /**
     * The phone's side of a media retry: the device asks (encrypted with a key derived from the
     * media key, message id as associated data) for the media of message `id` again. The phone
     * finds the blob whose key opens the request, hosts it again if it expired, and answers with
     * a `mediaretry` notification carrying the (new) direct path, encrypted the same way. An
     * unknown media answers `<error code=2>` (NOT_FOUND). The server acks the receipt.
     * @param {{session: any, node: any}} ctx
     */
    answerRetryReceipt ({ session, node }) {
      const id = node.attrs.id
      session.send({ tag: 'ack', attrs: { class: 'receipt', id, type: 'server-error', from: node.attrs.to ?? 's.whatsapp.net' } })
      stats.retries++
      const rmr = getBinaryNodeChild(node, 'rmr')
      const encrypt = getBinaryNodeChild(node, 'encrypt')
      const encP = getBinaryNodeChild(encrypt, 'enc_p')?.content
      const encIv = getBinaryNodeChild(encrypt, 'enc_iv')?.content
      const found = encP && encIv ? findRetried(Buffer.from(encP), Buffer.from(encIv), id) : null
      const reply = { tag: 'notification', attrs: { from: node.attrs.to ?? 's.whatsapp.net', type: 'mediaretry', id, t: unixTime() }, content: /** @type {any[]} */ ([]) }
      if (!found) {
        reply.content.push({ tag: 'rmr', attrs: rmr.attrs }, { tag: 'error', attrs: { code: String(proto.MediaRetryNotification.ResultType.NOT_FOUND) } })
      } else {
        let entry = found.entry
        if (entry.expired) {
          entry = store.rehost(entry)
          keys.delete(found.entry.path)
          rememberKey(entry.path, found.mediaKey)
        }
        const plain = proto.MediaRetryNotification.encode({ stanzaId: id, directPath: entry.directPath, result: proto.MediaRetryNotification.ResultType.SUCCESS }).finish()
        const iv = randomBytes(12)
        const ciphertext = aesEncryptGCM(plain, retryKey(found.mediaKey), iv, Buffer.from(id))
        reply.content.push({ tag: 'encrypt', attrs: {}, content: [{ tag: 'enc_p', attrs: {}, content: ciphertext }, { tag: 'enc_iv', attrs: {}, content: iv }] }, { tag: 'rmr', attrs: rmr.attrs })
      }
      session.send(reply)
    },

    /** Plain data about the stored blobs (tests, control API). */
    list: () => store.list().map((e) => ({ ...e, knownKey: keys.has(e.path) }))
  }

  /** Remembers a blob's media key; keys of evicted blobs are dropped once they outnumber the blobs. */
  function rememberKey (path, mediaKey) {
    keys.set(path, Buffer.from(mediaKey))
    if (keys.size > 2 * store.size + 16) for (const p of keys.keys()) if (!store.find(p)) keys.delete(p)
  }

  /** The stored blob whose media key opens this retry request, or null. */
  function findRetried (encP, iv, id) {
    for (const [path, mediaKey] of keys) {
      try {
        aesDecryptGCM(encP, retryKey(mediaKey), iv, Buffer.from(id))
      } catch { continue }
      const entry = store.find(path)
      if (entry) return { entry, mediaKey }
    }
    return null
  }

  return media
}

/** The key a media retry is encrypted with (Baileys' getMediaRetryKey). @param {Buffer} mediaKey */
function retryKey (mediaKey) {
  return Buffer.from(hkdf(mediaKey, 32, { info: 'WhatsApp Media Retry Notification' }))
}

