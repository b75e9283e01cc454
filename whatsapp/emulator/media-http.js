import { b64url, sha256 } from './media-crypto.js'

/*
 * HTTP side of the media host, on the emulator's port (plain HTTP on loopback; the engine's
 * sandbox media-hosts setting routes Baileys' https://mmg.whatsapp.net requests here):
 *
 *   POST /mms/<kind>/<fileEncSha256 base64url>?auth=<media_conn token>&token=<same hash>
 *        → 200 {url, direct_path, ts}; the blob is stored only when its SHA-256 equals the hash
 *          in the path (WhatsApp's check) and the auth token is one media_conn handed out.
 *          Refusals: 401 bad auth, 400 hash mismatch / bad path, 413 too large, all as
 *          {"error": {"code", "message"}} and nothing stored.
 *   GET|HEAD /v/<…>.enc?<query>  (a direct path, query ignored) → the blob; `Range: bytes=a-b`
 *          answers 206. Unknown or expired → 404 (Baileys then asks the phone for a re-upload).
 */

const UPLOAD_KINDS = new Set(['image', 'video', 'audio', 'document', 'sticker', 'ptt', 'gif', 'md-app-state', 'md-msg-hist'])

/**
 * @param {any} media the media host (media.js)
 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
 * @returns {boolean} false when the path is not a media route (the caller answers it)
 */
export function handleMediaHttp (media, req, res) {
  const url = new URL(req.url ?? '/', 'http://x')
  const upload = /^\/mms\/([a-z-]+)\/([A-Za-z0-9_-]{43})$/.exec(url.pathname)
  if (req.method === 'POST' && url.pathname.startsWith('/mms/')) {
    acceptUpload(media, req, res, upload, url).catch((err) => fail(res, 500, 'internal', err.message))
    return true
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && url.pathname.startsWith('/v/')) {
    serveDownload(media, req, res, url)
    return true
  }
  return false
}

/** @param {import('node:http').ServerResponse} res */
function fail (res, status, code, message) {
  if (res.headersSent) { res.destroy(); return }
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ error: { code, message } }))
}

async function acceptUpload (media, req, res, match, url) {
  const refuse = (status, code, message) => { media.stats.refused++; req.resume(); fail(res, status, code, message) }
  if (!match || !UPLOAD_KINDS.has(match[1])) return refuse(400, 'bad_request', 'upload path must be /mms/<kind>/<fileEncSha256 base64url>')
  const [, kind, hash] = match
  if (!media.tokenValid(url.searchParams.get('auth') ?? '')) return refuse(401, 'unauthorized', 'auth is not a valid media_conn token')
  if (url.searchParams.get('token') !== hash) return refuse(400, 'bad_request', 'token must repeat the file hash')
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > media.store.maxBlobBytes) return refuse(413, 'too_large', `max ${media.store.maxBlobBytes} bytes`)
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > media.store.maxBlobBytes) return refuse(413, 'too_large', `max ${media.store.maxBlobBytes} bytes`)
    chunks.push(chunk)
  }
  const blob = Buffer.concat(chunks)
  if (!blob.length) return refuse(400, 'bad_request', 'empty upload')
  const digest = sha256(blob)
  if (b64url(digest) !== hash) return refuse(400, 'hash_mismatch', 'the uploaded file\'s SHA-256 does not match the path')
  // The same file uploaded twice is stored once (WhatsApp deduplicates by hash too).
  const existing = media.store.list().find((e) => e.fileEncSha256 === hash && !e.expired && e.kind === kind)
  const entry = existing ?? media.store.put(blob, { kind, by: 'device', fileEncSha256: digest })
  media.stats.uploads++
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ url: entry.url, direct_path: entry.directPath, ts: Math.floor(entry.createdAt / 1000) }))
}

function serveDownload (media, req, res, url) {
  const entry = media.store.find(url.pathname)
  if (!entry || entry.expired) return fail(res, 404, 'not_found', 'no such media (expired or never uploaded)')
  const blob = media.store.bytes(entry)
  media.stats.downloads++
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''))
  if (range) {
    const start = Number(range[1])
    const end = Math.min(range[2] ? Number(range[2]) : blob.length - 1, blob.length - 1)
    if (start > end) {
      res.writeHead(416, { 'content-range': `bytes */${blob.length}` })
      return res.end()
    }
    res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${blob.length}` })
    return res.end(req.method === 'HEAD' ? undefined : blob.subarray(start, end + 1))
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length })
  res.end(req.method === 'HEAD' ? undefined : blob)
}
