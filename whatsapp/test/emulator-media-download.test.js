import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import { mediaHostsFor } from '../src/media-hosts.js'
import { createMediaDownloader } from '../src/media-download.js'
import { FAST_SANDBOX, engineFixture, tempDir } from './support/engine.js'
import { linkedClient, PHONE, startEmulator } from './support/emulator.js'

/*
 * The media download pool with Baileys' real downloader: against the emulator through a real
 * paired socket (an expired blob comes back through the phone's re-upload), and inside a real
 * engine process, where a contact's file sent with sandbox.inbound `mediaBase64` is reported as
 * media.downloaded after its messages.upsert, with the exact bytes on disk.
 */

const SILENT = pino({ level: 'silent' })
const sha = (b) => createHash('sha256').update(b).digest('hex')
const ALICE = '15550002222'

test('real socket: an expired blob is re-uploaded by the phone and the pool downloads the exact bytes', { timeout: 90000 }, async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const hosts = mediaHostsFor({ mode: 'sandbox', emulatorUrl: emulator.url })
  await hosts.install() // the pool downloads without a dispatcher of its own, as in the engine
  t.after(() => hosts.uninstall())
  const upserts = []
  let synced
  const { client } = await linkedClient(t, {
    emulator,
    config: hosts.socketConfig,
    beforeOpen: (c) => {
      c.sock.ev.on('messages.upsert', ({ messages }) => upserts.push(...messages))
      synced = new Promise((resolve) => c.sock.ev.on('messaging-history.set', resolve))
    }
  })
  await synced
  const bytes = randomBytes(30_000)
  const { id } = await emulator.messaging.inbound(PHONE, { from: ALICE, content: await emulator.media.mediaMessageFrom({ type: 'image', bytes }) })
  const deadline = Date.now() + 15000
  while (!upserts.some((m) => m.key.id === id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  const msg = upserts.find((m) => m.key.id === id)
  assert.ok(msg, 'the image reached Baileys')
  assert.equal(emulator.media.expire(msg.message.imageMessage.directPath), true)

  const root = await tempDir('media-dl-')
  t.after(() => rm(root, { recursive: true, force: true }))
  const dir = join(root, 'incoming')
  const events = []
  const pool = createMediaDownloader({ settings: { dir, maxBytes: 1_000_000, concurrency: 2, maxQueued: 10 }, logger: SILENT })
  pool.schedule([msg], client.sock, (event, data) => events.push({ event, data }))
  await pool.idle()
  assert.equal(events.length, 1)
  assert.equal(events[0].event, 'media.downloaded', JSON.stringify(events[0].data))
  assert.equal(events[0].data.sha256, sha(bytes))
  assert.equal(sha(await readFile(events[0].data.path)), sha(bytes))
  assert.equal(emulator.media.stats.retries, 1, 'the phone was asked to re-upload once')

  // a cap below the size: too_large (declared by WhatsApp's fileLength), nothing downloaded
  const small = createMediaDownloader({ settings: { dir, maxBytes: 1000, concurrency: 1, maxQueued: 10 }, logger: SILENT })
  const downloads = emulator.media.stats.downloads
  const capped = []
  small.schedule([msg], client.sock, (event, data) => capped.push({ event, data }))
  await small.idle()
  assert.deepEqual(capped.map((e) => [e.event, e.data.reason]), [['media.failed', 'too_large']])
  assert.equal(emulator.media.stats.downloads, downloads)
})

test('engine process: sandbox.inbound with mediaBase64 → messages.upsert, then media.downloaded with those bytes', { timeout: 120000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  const mediaDir = join(fx.dir, 'media', 'incoming')
  await engine.hello({
    mode: 'sandbox',
    sessionsDir: join(fx.dir, 'sessions'),
    media: { dir: mediaDir, maxBytes: 50_000 },
    sandbox: { ...FAST_SANDBOX, historyChats: 0 }
  })
  await engine.ok('start', { connectionId: 'm' })
  await engine.next('connection.qr', { connectionId: 'm' })
  await engine.ok('sandbox.scan', { connectionId: 'm', phone: '923004445557' })
  await engine.next('connection.close', { connectionId: 'm', where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: 'm' })
  await engine.next('connection.open', { connectionId: 'm' })

  const doc = randomBytes(20_000)
  const sent = await engine.ok('sandbox.inbound', { connectionId: 'm', from: '923001112233', type: 'document', mediaBase64: doc.toString('base64'), fileName: 'invoice.pdf', mimeType: 'application/pdf' })
  const done = (await engine.next('media.downloaded', { connectionId: 'm', where: (d) => d.key.id === sent.providerMessageId })).data
  assert.equal(done.sha256, sha(doc))
  assert.equal(done.size, doc.length)
  assert.equal(done.mimeType, 'application/pdf')
  assert.ok(done.path.startsWith(mediaDir))
  assert.equal(sha(await readFile(done.path)), sha(doc))
  const lines = engine.lines.filter((l) => l.type === 'event')
  const upsertAt = lines.findIndex((l) => l.event === 'messages.upsert' && JSON.stringify(l.data).includes(sent.providerMessageId))
  const mediaAt = lines.findIndex((l) => l.event === 'media.downloaded' && l.data.key.id === sent.providerMessageId)
  assert.ok(upsertAt >= 0 && upsertAt < mediaAt, 'the message event comes first')
  const upsert = lines[upsertAt].data.messages.find((m) => m.key.id === sent.providerMessageId)
  assert.equal(upsert.parsed.fileName, 'invoice.pdf')

  // media.fetch: the same message as Java stored it (key + JSON content) is downloaded again
  const again = await engine.ok('media.fetch', { connectionId: 'm', messages: [{ key: upsert.key, message: upsert.message }, { key: { id: 'X' }, message: 'no' }] })
  assert.deepEqual(again, { queued: 1, invalid: 1 })
  const refetched = (await engine.next('media.downloaded', { connectionId: 'm', where: (d) => d.key.id === sent.providerMessageId })).data
  assert.equal(refetched.sha256, sha(doc))
  assert.notEqual(refetched.path, done.path, 'a new file for Java to adopt')
  const notOpen = await engine.send('media.fetch', { connectionId: 'nobody', messages: [] })
  assert.equal(notOpen.error.code, 'not_ready')

  const big = await engine.ok('sandbox.inbound', { connectionId: 'm', from: '923001112233', type: 'video', mediaBase64: randomBytes(60_000).toString('base64'), seconds: 7 })
  const refused = (await engine.next('media.failed', { connectionId: 'm', where: (d) => d.key.id === big.providerMessageId })).data
  assert.equal(refused.reason, 'too_large')
  assert.equal(refused.seconds, 7)
  const events = engine.lines.filter((l) => l.type === 'event')
  const bigUpsertAt = events.findIndex((l) => l.event === 'messages.upsert' && JSON.stringify(l.data).includes(big.providerMessageId))
  const refusedAt = events.findIndex((l) => l.event === 'media.failed' && l.data.key.id === big.providerMessageId)
  assert.ok(bigUpsertAt >= 0 && bigUpsertAt < refusedAt, 'a file refused at once still comes after its message event')

  const bad = await engine.send('sandbox.inbound', { connectionId: 'm', from: '923001112233', type: 'text', message: 'x', mediaBase64: 'AAAA' })
  assert.equal(bad.ok, false)
  assert.equal(bad.error.code, 'bad_request')
})
