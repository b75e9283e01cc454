import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes, randomInt } from 'node:crypto'
import { b64url } from './media-crypto.js'

/*
 * The media host's blob storage: encrypted blobs by direct path, bounded in total size.
 * In memory by default; with `dir`, the bytes live in that folder (one `<id>.enc` plus its
 * `<id>.json` metadata) and survive a restart of the emulator.
 *
 * Guarantees: a blob is stored whole or not at all; the total stays within `maxBytes` by
 * evicting the oldest blobs (a download of an evicted blob is then 404, as an expired blob on
 * WhatsApp's CDN is); a blob larger than `maxBlobBytes` is refused. An *expired* blob (tests:
 * `expire`) answers 404 but keeps its bytes, like the copy the sender's phone keeps, so a media
 * retry can host it again under a new path.
 */

/**
 * @typedef {object} BlobEntry
 * @property {string} id
 * @property {string} path        the direct path's pathname, e.g. /v/t62.7118-24/123_456_n.enc
 * @property {string} directPath  path + query, as put in the message proto
 * @property {string} url         https://mmg.whatsapp.net + directPath + &mms3=true
 * @property {string} kind        upload kind from the URL (image, video, audio, document, md-app-state …)
 * @property {string} fileEncSha256  base64url of the blob's SHA-256
 * @property {number} size
 * @property {string} by          'device' (uploaded over HTTP) or 'emulator' (a contact's or the phone's media)
 * @property {number} createdAt   ms
 * @property {boolean} expired
 */

export const MEDIA_HOSTNAME = 'mmg.whatsapp.net'

/**
 * @param {{maxBytes?: number, maxBlobBytes?: number, dir?: string}} [opts]
 */
export function createMediaStore (opts = {}) {
  const maxBytes = opts.maxBytes ?? 128 * 1024 * 1024
  const maxBlobBytes = Math.min(opts.maxBlobBytes ?? 16 * 1024 * 1024, maxBytes)
  const dir = opts.dir
  /** @type {Map<string, BlobEntry>} path → entry, oldest first */
  const entries = new Map()
  /** @type {Map<string, Buffer>} id → bytes (memory mode only) */
  const memory = new Map()
  let total = 0

  if (dir) {
    mkdirSync(dir, { recursive: true })
    const metas = readdirSync(dir).filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
      .filter((m) => existsSync(join(dir, `${m.id}.enc`)))
      .sort((a, b) => a.createdAt - b.createdAt)
    for (const m of metas) { entries.set(m.path, m); total += m.size }
  }

  const bytesOf = (/** @type {BlobEntry} */ e) => dir ? readFileSync(join(dir, `${e.id}.enc`)) : /** @type {Buffer} */ (memory.get(e.id))

  function remove (/** @type {BlobEntry} */ e) {
    entries.delete(e.path)
    total -= e.size
    if (dir) {
      rmSync(join(dir, `${e.id}.enc`), { force: true })
      rmSync(join(dir, `${e.id}.json`), { force: true })
    } else {
      memory.delete(e.id)
    }
  }

  function writeMeta (/** @type {BlobEntry} */ e) {
    if (dir) writeFileSync(join(dir, `${e.id}.json`), JSON.stringify(e))
  }

  /** A fresh direct path in WhatsApp's shape (the query carries an opaque hash and expiry). */
  function newPath () {
    const id = `${randomInt(1e8, 1e9)}_${randomInt(1e8, 1e9)}_${randomBytes(4).readUInt32BE()}`
    const path = `/v/t62.7118-24/${id}_n.enc`
    const oe = (Math.floor(Date.now() / 1000) + 30 * 86400).toString(16).toUpperCase()
    return { id, path, directPath: `${path}?ccb=11-4&oh=01_${randomBytes(16).toString('hex')}&oe=${oe}&_nc_sid=5e03e0` }
  }

  return {
    maxBytes,
    maxBlobBytes,

    /**
     * Stores an encrypted blob under a fresh direct path; evicts the oldest blobs to stay within
     * maxBytes. Throws (storing nothing) when the blob alone exceeds maxBlobBytes.
     * @param {Buffer} blob @param {{kind: string, by: 'device'|'emulator', fileEncSha256: Buffer}} meta
     * @returns {BlobEntry}
     */
    put (blob, meta) {
      if (blob.length > maxBlobBytes) throw new Error(`blob of ${blob.length} bytes exceeds ${maxBlobBytes}`)
      while (total + blob.length > maxBytes && entries.size) remove(/** @type {BlobEntry} */ (entries.values().next().value))
      const { id, path, directPath } = newPath()
      /** @type {BlobEntry} */
      const e = {
        id, path, directPath, url: `https://${MEDIA_HOSTNAME}${directPath}&mms3=true`, kind: meta.kind,
        fileEncSha256: b64url(meta.fileEncSha256), size: blob.length, by: meta.by, createdAt: Date.now(), expired: false
      }
      if (dir) writeFileSync(join(dir, `${id}.enc`), blob)
      else memory.set(id, blob)
      writeMeta(e)
      entries.set(path, e)
      total += blob.length
      return e
    },

    /** The entry for a direct path or URL (query and host ignored), expired or not; null if unknown. @param {string} pathOrUrl */
    find (pathOrUrl) {
      const path = new URL(pathOrUrl, `https://${MEDIA_HOSTNAME}`).pathname
      return entries.get(path) ?? null
    },

    /** The bytes of an entry (expired entries keep theirs). @param {BlobEntry} e @returns {Buffer} */
    bytes: bytesOf,

    /** Marks the blob at this path gone: downloads answer 404 from now on. @param {string} pathOrUrl @returns {boolean} */
    expire (pathOrUrl) {
      const e = this.find(pathOrUrl)
      if (!e || e.expired) return false
      e.expired = true
      writeMeta(e)
      return true
    },

    /** Hosts an expired blob again under a new direct path (a media retry); the old path stays gone. @param {BlobEntry} e */
    rehost (e) {
      const blob = bytesOf(e)
      const fresh = this.put(blob, { kind: e.kind, by: e.by, fileEncSha256: Buffer.from(e.fileEncSha256, 'base64url') })
      if (entries.has(e.path)) remove(e)
      return fresh
    },

    /** Plain data about every stored blob, oldest first. */
    list: () => [...entries.values()].map((e) => ({ ...e })),
    /** Number of stored blobs. */
    get size () { return entries.size },
    /** Total bytes stored. */
    get totalBytes () { return total }
  }
}
