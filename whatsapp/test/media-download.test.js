import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { Boom } from '@hapi/boom'
import pino from 'pino'
import { ATTEMPTS, createMediaDownloader, mediaOf } from '../src/media-download.js'
import { tempDir } from './support/engine.js'

/*
 * The media download pool with a stand-in for Baileys' downloader (the real downloader against
 * the emulator is in emulator-media-download.test.js): size cap by declaration and while
 * streaming, re-upload on 404/410, one outcome per message, bounded concurrency and queue.
 */

const SILENT = pino({ level: 'silent' })
const sha = (b) => createHash('sha256').update(b).digest('hex')

/** A WAMessage with one image (declared `fileLength`, `url` so it counts as downloadable). */
function imageMsg (id, extra = {}) {
  return { key: { id, remoteJid: '15550002222@s.whatsapp.net', fromMe: false }, message: { imageMessage: { url: 'https://mmg.whatsapp.net/x', directPath: '/x', mimetype: 'image/jpeg', width: 4, height: 3, ...extra } } }
}

/** A pool writing to a fresh folder; `events` collects what it reports. */
async function pool (t, download, settings = {}) {
  const dir = await tempDir('media-dl-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  const events = []
  const p = createMediaDownloader({ settings: { dir, maxBytes: 1000, concurrency: 2, maxQueued: 100, ...settings }, logger: SILENT, download, retryDelayMs: 5 })
  const report = (event, data) => events.push({ event, data })
  return { dir, events, p, report }
}

test('mediaOf: media content keys (wrappers removed) and a location thumbnail; text and empty media are not media', () => {
  assert.equal(mediaOf(imageMsg('A')).contentKey, 'imageMessage')
  assert.deepEqual(mediaOf(imageMsg('A', { fileLength: 12, seconds: 3 })).info, { mimeType: 'image/jpeg', fileLength: 12, seconds: 3, width: 4, height: 3 })
  assert.equal(mediaOf({ message: { ephemeralMessage: { message: { audioMessage: { url: 'u', ptt: true } } } } }).contentKey, 'audioMessage')
  const thumb = mediaOf({ message: { locationMessage: { degreesLatitude: 1, jpegThumbnail: Buffer.from([1, 2, 3]) } } })
  assert.deepEqual([thumb.contentKey, [...thumb.inline], thumb.info.mimeType], ['locationMessage', [1, 2, 3], 'image/jpeg'])
  assert.equal(mediaOf({ message: { locationMessage: { degreesLatitude: 1 } } }), null)
  assert.equal(mediaOf({ message: { conversation: 'hi' } }), null)
  assert.equal(mediaOf({ message: { imageMessage: { caption: 'no url' } } }), null)
  assert.equal(mediaOf({}), null)
})

test('a file is written owner-only with its SHA-256 and size; the event carries key and metadata', async (t) => {
  const bytes = randomBytes(700)
  const { dir, events, p, report } = await pool(t, async () => Readable.from([bytes.subarray(0, 300), bytes.subarray(300)]))
  assert.equal(p.schedule([imageMsg('OK1', { seconds: null }), { key: { id: 'T' }, message: { conversation: 'text' } }], {}, report), 1)
  await p.idle()
  assert.equal(events.length, 1)
  const { event, data } = events[0]
  assert.equal(event, 'media.downloaded')
  assert.equal(data.key.id, 'OK1')
  assert.equal(data.size, 700)
  assert.equal(data.sha256, sha(bytes))
  assert.equal(data.width, 4)
  assert.equal(data.mimeType, 'image/jpeg')
  assert.ok(data.path.startsWith(dir))
  assert.equal(sha(await readFile(data.path)), sha(bytes))
  assert.equal((await stat(data.path)).mode & 0o777, 0o600)
})

test('too large: refused without downloading when fileLength says so, stopped while streaming otherwise, no file left', async (t) => {
  let downloads = 0
  const { dir, events, p, report } = await pool(t, async () => { downloads += 1; return Readable.from([randomBytes(600), randomBytes(600)]) })
  p.schedule([imageMsg('BIG-DECLARED', { fileLength: 5000 }), imageMsg('BIG-STREAMED')], {}, report)
  await p.idle()
  assert.equal(downloads, 1, 'the declared one was never downloaded')
  assert.deepEqual(events.map((e) => [e.event, e.data.key.id, e.data.reason]).sort(), [
    ['media.failed', 'BIG-DECLARED', 'too_large'], ['media.failed', 'BIG-STREAMED', 'too_large']])
  assert.deepEqual(await readdir(dir), [], 'the partial file was removed')
})

for (const status of [404, 410]) {
  test(`a ${status} asks the phone to re-upload once, then downloads from the new path`, async (t) => {
    const bytes = randomBytes(100)
    const seen = []
    const { events, p, report } = await pool(t, async (msg) => {
      seen.push(msg.message.imageMessage.directPath)
      if (msg.message.imageMessage.directPath === '/x') throw new Boom('Failed to fetch stream', { statusCode: status })
      return Readable.from([bytes])
    })
    const sock = { updateMediaMessage: async (msg) => ({ ...msg, message: { imageMessage: { ...msg.message.imageMessage, directPath: '/new' } } }) }
    p.schedule([imageMsg('EXPIRED')], sock, report)
    await p.idle()
    assert.deepEqual(seen, ['/x', '/new'])
    assert.equal(events[0].event, 'media.downloaded')
    assert.equal(events[0].data.sha256, sha(bytes))
  })
}

test('a failed re-upload and any other failure end in media.failed (expired / download_failed), one event each', async (t) => {
  const { dir, events, p, report } = await pool(t, async (msg) => {
    if (msg.key.id === 'GONE') throw new Boom('Failed to fetch stream', { statusCode: 404 })
    throw new Error('socket hang up')
  })
  const sock = { updateMediaMessage: async () => { throw new Boom('Failed to re-upload media (2)', { statusCode: 404 }) } }
  p.schedule([imageMsg('GONE'), imageMsg('BROKEN')], sock, report)
  await p.idle()
  assert.deepEqual(events.map((e) => [e.data.key.id, e.event, e.data.reason]).sort(), [
    ['BROKEN', 'media.failed', 'download_failed'], ['GONE', 'media.failed', 'expired']])
  assert.deepEqual(await readdir(dir), [])
})

test('a transient failure (no HTTP answer, 5xx) is tried again and the file stored; a lasting one fails after ATTEMPTS tries; 403 at once', async (t) => {
  const bytes = randomBytes(300)
  /** @type {Record<string, number>} tries per message id */
  const tries = {}
  const { dir, events, p, report } = await pool(t, async (msg) => {
    const n = (tries[msg.key.id] = (tries[msg.key.id] ?? 0) + 1)
    // what the benchmark's flood hit: undici's "fetch failed" when a kept-alive connection was reset
    if (msg.key.id === 'RESET' && n === 1) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })
    if (msg.key.id === 'BUSY' && n < ATTEMPTS) throw new Boom('Failed to fetch stream', { statusCode: 503 })
    if (msg.key.id === 'DOWN') throw new TypeError('fetch failed')
    if (msg.key.id === 'DENIED') throw new Boom('Failed to fetch stream', { statusCode: 403 })
    return Readable.from([bytes])
  })
  p.schedule([imageMsg('RESET'), imageMsg('BUSY'), imageMsg('DOWN'), imageMsg('DENIED')], {}, report)
  await p.idle()
  assert.deepEqual(events.map((e) => [e.data.key.id, e.event, e.data.reason ?? e.data.sha256]).sort(), [
    ['BUSY', 'media.downloaded', sha(bytes)], ['DENIED', 'media.failed', 'download_failed'],
    ['DOWN', 'media.failed', 'download_failed'], ['RESET', 'media.downloaded', sha(bytes)]])
  assert.deepEqual(tries, { RESET: 2, BUSY: ATTEMPTS, DOWN: ATTEMPTS, DENIED: 1 })
  // only the two stored files are left (no partial file of a failed try)
  assert.equal((await readdir(dir)).length, 2)
})

test('bounded: at most `concurrency` downloads run at once; over `maxQueued` waiting a message is refused as busy', async (t) => {
  let running = 0
  let peak = 0
  const gates = []
  const { events, p, report } = await pool(t, async () => {
    running += 1
    peak = Math.max(peak, running)
    await new Promise((resolve) => gates.push(resolve))
    running -= 1
    return Readable.from([Buffer.from('x')])
  }, { concurrency: 2, maxQueued: 3 })
  const msgs = Array.from({ length: 6 }, (_, i) => imageMsg(`M${i}`))
  assert.equal(p.schedule(msgs, {}, report), 5, 'two run at once... and three wait; the sixth is refused')
  assert.deepEqual(events.map((e) => [e.data.key.id, e.data.reason]), [['M5', 'busy']])
  while (events.length < 6) {
    await new Promise((resolve) => setImmediate(resolve))
    gates.splice(0).forEach((g) => g())
  }
  await p.idle()
  assert.equal(peak, 2)
  assert.equal(events.filter((e) => e.event === 'media.downloaded').length, 5)
})

test('a location thumbnail is written from the message itself', async (t) => {
  const { events, p, report } = await pool(t, async () => { throw new Error('never downloaded') })
  const jpeg = randomBytes(50)
  p.schedule([{ key: { id: 'LOC' }, message: { locationMessage: { degreesLatitude: 1, degreesLongitude: 2, jpegThumbnail: jpeg } } }], {}, report)
  await p.idle()
  assert.equal(events[0].event, 'media.downloaded')
  assert.equal(events[0].data.sha256, sha(jpeg))
  assert.equal(events[0].data.mimeType, 'image/jpeg')
  assert.equal(join(events[0].data.path, '..').length > 0, true)
})
