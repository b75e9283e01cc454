import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import { downloadMediaMessage } from 'baileys'
import { unwrap } from './messages.js'
import { mapKey } from './mapper.js'
import { toNumberOrNull } from './values.js'

/*
 * Downloads and decrypts the media of live messages (docs/engine-protocol.md, "Media"), after
 * their messages.upsert was reported, never delaying it. Each file is streamed to
 * `hello.media.dir` while it is hashed and counted; Java adopts it into its media store and records
 * the outcome. Only reports: Java decides what a stored, failed or too large file means.
 *
 * Guarantees:
 *  - a file larger than `maxBytes` is never kept: refused before downloading when WhatsApp's
 *    declared fileLength says so, else stopped the moment the count passes the limit, the partial
 *    file removed (`media.failed` reason `too_large`);
 *  - at most `concurrency` downloads run at once per engine and at most `maxQueued` wait (a flood
 *    is refused with reason `busy` rather than holding unbounded messages in memory), so memory
 *    stays bounded whatever arrives;
 *  - a transient failure — a network error (no HTTP answer: reset, refused, timed out) or an
 *    HTTP 5xx/408/429 — is tried again, up to `ATTEMPTS` times in all with a growing pause, in
 *    the same slot: the benchmark's inbound media flood lost files to a single reset connection
 *    (`fetch failed`), and a message whose media failed is never fetched again;
 *  - WhatsApp's 404/410 (an expired CDN blob) asks the phone to re-upload once
 *    (`sock.updateMediaMessage`), then downloads again; Baileys rc14's own reuploadRequest never
 *    fires (docs/emulator.md), so it is done here;
 *  - every scheduled download ends in exactly one `media.downloaded` or `media.failed`.
 */

/** Content keys whose file is downloaded (a location's inline thumbnail is written as is). */
const DOWNLOADABLE = new Set(['imageMessage', 'videoMessage', 'ptvMessage', 'audioMessage', 'stickerMessage', 'documentMessage'])
/** HTTP answers of an expired media blob: the phone must upload it again. */
const REUPLOAD = new Set([404, 410])
/** Tries of one download when it fails transiently (see `transient`). */
export const ATTEMPTS = 3

/**
 * @typedef {object} MediaSettings  hello `media`
 * @property {string} dir          absolute folder the files are written to (Java adopts them from there)
 * @property {number} maxBytes     largest file kept
 * @property {number} concurrency  downloads at once per engine
 * @property {number} maxQueued    downloads waiting at most; more are refused (`busy`)
 *
 * @typedef {object} MediaJob
 * @property {any} msg         the Baileys WAMessage
 * @property {any} sock        its socket (updateMediaMessage)
 * @property {(event: string, data: object) => void} report  emits media.downloaded / media.failed (in event order)
 */

/**
 * What of a message is media worth downloading, or null: the content key and its metadata
 * (mime type, declared size, seconds, width, height) that Java records beside the file.
 * @param {any} msg  a Baileys WAMessage
 * @returns {{contentKey: string, inline: Buffer|null, info: {mimeType: string|null, fileLength: number|null, seconds: number|null, width: number|null, height: number|null}}|null}
 */
export function mediaOf (msg) {
  const { content, key } = unwrap(msg?.message)
  if (!key) return null
  const c = content[key]
  if (key === 'locationMessage' || key === 'liveLocationMessage') {
    const thumb = c?.jpegThumbnail
    if (!thumb || thumb.length === 0) return null
    return { contentKey: key, inline: Buffer.from(thumb), info: { mimeType: 'image/jpeg', fileLength: thumb.length, seconds: null, width: null, height: null } }
  }
  if (!DOWNLOADABLE.has(key) || !c || (!c.url && !c.directPath)) return null
  return {
    contentKey: key,
    inline: null,
    info: {
      mimeType: typeof c.mimetype === 'string' ? c.mimetype : null,
      fileLength: toNumberOrNull(c.fileLength),
      seconds: toNumberOrNull(c.seconds),
      width: toNumberOrNull(c.width),
      height: toNumberOrNull(c.height)
    }
  }
}

/**
 * A bounded download pool for one engine.
 * @param {object} opts
 * @param {MediaSettings} opts.settings
 * @param {import('pino').Logger} opts.logger
 * @param {typeof downloadMediaMessage} [opts.download]  Baileys' downloader (tests pass a stand-in)
 * @param {number} [opts.retryDelayMs]  pause before the n-th retry: n × this (tests make it short)
 */
export function createMediaDownloader ({ settings, logger, download = downloadMediaMessage, retryDelayMs = 1000 }) {
  const log = logger.child({ class: 'media' })
  /** @type {MediaJob[]} */
  const queue = []
  let running = 0
  /** @type {Set<() => void>} */
  const idleWaiters = new Set()
  let dirReady = /** @type {Promise<unknown>|null} */ (null)

  /** Starts queued jobs while slots are free. */
  function pump () {
    while (running < settings.concurrency && queue.length > 0) {
      const job = /** @type {MediaJob} */ (queue.shift())
      running += 1
      run(job).catch((err) => log.error({ err }, 'media job failed unexpectedly')).finally(() => {
        running -= 1
        pump()
        if (running === 0 && queue.length === 0) for (const w of [...idleWaiters]) w()
      })
    }
  }

  /**
   * One job: too large by declaration → refused at once; else download (re-upload once on
   * 404/410; a transient failure tried again, ATTEMPTS in all), write, hash, report. Never
   * throws: the outcome is always reported, once.
   * @param {MediaJob} job
   */
  async function run ({ msg, sock, report }) {
    const found = mediaOf(msg)
    if (!found) return
    const key = mapKey(msg.key)
    const { info } = found
    const failed = (/** @type {string} */ reason, /** @type {string|null} */ message) => report('media.failed', { key, reason, message, ...info })
    if (info.fileLength !== null && info.fileLength > settings.maxBytes) {
      failed('too_large', `WhatsApp declares ${info.fileLength} bytes, more than ${settings.maxBytes}`)
      return
    }
    dirReady ??= mkdir(settings.dir, { recursive: true, mode: 0o700 })
    await dirReady
    for (let attempt = 1; ; attempt++) {
      const path = join(settings.dir, `${randomUUID()}.media`)
      try {
        const source = found.inline ? [found.inline] : await streamOf(msg, sock)
        const written = await writeCapped(source, path, settings.maxBytes)
        if (written === null) {
          await rm(path, { force: true })
          failed('too_large', `the file is larger than ${settings.maxBytes} bytes`)
          return
        }
        report('media.downloaded', { key, path, size: written.size, sha256: written.sha256, ...info })
        return
      } catch (err) {
        await rm(path, { force: true }).catch(() => {})
        const e = /** @type {any} */ (err)
        const status = httpStatus(e)
        if (attempt < ATTEMPTS && transient(status)) {
          log.info({ id: key.id, status, message: e?.message, attempt }, 'media download failed, trying again')
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt))
          continue
        }
        log.warn({ id: key.id, status, message: e?.message, attempts: attempt }, 'media download failed')
        failed(status !== null && REUPLOAD.has(status) ? 'expired' : 'download_failed', typeof e?.message === 'string' ? e.message : String(err))
        return
      }
    }
  }

  /**
   * Baileys' decrypting stream of the message's media; on 404/410 the phone is asked to upload
   * it again (updateMediaMessage resolves with the message pointing at the new path), once.
   * @param {any} msg @param {any} sock
   */
  async function streamOf (msg, sock) {
    try {
      return await download(msg, 'stream', {})
    } catch (err) {
      const status = httpStatus(err)
      if (status === null || !REUPLOAD.has(status) || typeof sock?.updateMediaMessage !== 'function') throw err
      log.info({ id: msg?.key?.id, status }, 'media expired on the server, asking the phone to re-upload')
      const updated = await sock.updateMediaMessage(msg)
      return await download(updated, 'stream', {})
    }
  }

  return {
    /**
     * Queues the media download of these messages (those that carry media); returns how many
     * were queued. Over `maxQueued` waiting, a message is reported `busy` at once instead.
     * @param {any[]} messages @param {any} sock @param {(event: string, data: object) => void} report
     */
    schedule (messages, sock, report) {
      let queued = 0
      for (const msg of messages) {
        const found = mediaOf(msg)
        if (!found) continue
        if (queue.length >= settings.maxQueued) {
          report('media.failed', { key: mapKey(msg.key), reason: 'busy', message: `${settings.maxQueued} media downloads are waiting`, ...found.info })
          continue
        }
        queue.push({ msg, sock, report })
        queued += 1
        pump() // free slots take it at once, so `maxQueued` counts only what really waits
      }
      return queued
    },
    /** Downloads running and waiting (tests, benchmarks). */
    stats: () => ({ running, queued: queue.length }),
    /** Resolves once nothing runs or waits. */
    idle () {
      if (running === 0 && queue.length === 0) return Promise.resolve()
      return new Promise((resolve) => {
        const done = () => { idleWaiters.delete(done); resolve(undefined) }
        idleWaiters.add(done)
      })
    }
  }
}

/**
 * Streams `source` into `path` (0600), hashing and counting as it goes; stops and answers null
 * the moment more than `maxBytes` arrived (the caller removes the partial file).
 * @param {AsyncIterable<Buffer>|Iterable<Buffer>} source @param {string} path @param {number} maxBytes
 * @returns {Promise<{size: number, sha256: string}|null>}
 */
export async function writeCapped (source, path, maxBytes) {
  const hash = createHash('sha256')
  let size = 0
  let tooLarge = false
  const counter = new Transform({
    transform (chunk, _enc, done) {
      size += chunk.length
      if (size > maxBytes) {
        tooLarge = true
        done(new Error('too large'))
        return
      }
      hash.update(chunk)
      done(null, chunk)
    }
  })
  try {
    await pipeline(source, counter, createWriteStream(path, { mode: 0o600 }))
  } catch (err) {
    if (tooLarge) return null
    throw err
  }
  return { size, sha256: hash.digest('hex') }
}

/**
 * Whether a failure with this HTTP status (null: no HTTP answer at all — reset, refused, timed
 * out, or a local error) may pass when tried again: no answer, a server error, 408 or 429. An
 * answer such as 404/410 (expired, after the re-upload) or 403 will not change.
 * @param {number|null} status
 */
function transient (status) {
  return status === null || status >= 500 || status === 408 || status === 429
}

/** The HTTP status of a download failure (a Boom's output.statusCode, or `status`), or null. @param {any} err */
function httpStatus (err) {
  const s = err?.output?.statusCode ?? err?.status
  return Number.isInteger(s) ? s : null
}
