import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { downloadContentFromMessage, encodeBase64EncodedStringForUpload, getWAUploadToServer, toBuffer } from 'baileys'
import pino from 'pino'
import { createEmulator } from '../emulator/emulator.js'
import { b64url, decryptMedia, encryptMedia, sha256 } from '../emulator/media-crypto.js'
import { createMediaStore } from '../emulator/media-store.js'
import { isMediaHost, mediaHostsFor } from '../src/media-hosts.js'

/*
 * The emulator's media host without a paired socket: WhatsApp's media encryption checked against
 * Baileys' own download/decrypt, uploads through Baileys' own upload function (hash and auth
 * checked), the bounded store, and the sandbox-only media-host redirect (src/media-hosts.js).
 */

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')
const SILENT = pino({ level: 'silent' })

/** An upload token as the media_conn IQ hands it out to a logged-in client. */
async function mediaConn (emulator) {
  const iq = { tag: 'iq', attrs: { xmlns: 'w:m', type: 'set', id: '1', to: 's.whatsapp.net' }, content: [{ tag: 'media_conn', attrs: {} }] }
  const [node] = await emulator.iq.find(iq)({ session: null, node: iq, device: { jid: '15550001111:1@s.whatsapp.net' }, emulator })
  return {
    hosts: node.content.map((h) => ({ hostname: h.attrs.hostname, maxContentLengthBytes: Number(h.attrs.maxContentLengthBytes) })),
    auth: node.attrs.auth,
    ttl: Number(node.attrs.ttl),
    fetchDate: new Date()
  }
}

async function withEmulator (t, opts) {
  const emulator = await createEmulator(opts)
  t.after(() => emulator.close())
  const hosts = mediaHostsFor({ mode: 'sandbox', emulatorUrl: emulator.url })
  return { emulator, hosts }
}

test('media_conn names WhatsApp\'s media host with an auth token and ttl', async (t) => {
  const { emulator } = await withEmulator(t)
  const conn = await mediaConn(emulator)
  assert.deepEqual(conn.hosts.map((h) => h.hostname), ['mmg.whatsapp.net'])
  assert.ok(conn.hosts[0].maxContentLengthBytes > 0)
  assert.ok(conn.auth.length >= 24)
  assert.ok(conn.ttl > 0)
  assert.equal(emulator.media.tokenValid(conn.auth), true)
  assert.equal(emulator.media.tokenValid('made-up'), false)
  const iq = { tag: 'iq', attrs: { xmlns: 'w:m', type: 'set', id: '2' }, content: [{ tag: 'media_conn', attrs: {} }] }
  await assert.rejects(async () => emulator.iq.find(iq)({ session: null, node: iq, device: null, emulator }), (e) => e.code === 401)
})

test('a contact\'s media of every kind is a blob Baileys\' own download decrypts to the exact bytes', async (t) => {
  const { emulator, hosts } = await withEmulator(t)
  const kinds = [
    ['image', 'imageMessage', 'image'], ['video', 'videoMessage', 'video'], ['audio', 'audioMessage', 'audio'],
    ['voice', 'audioMessage', 'audio'], ['document', 'documentMessage', 'document'], ['sticker', 'stickerMessage', 'sticker']
  ]
  for (const [type, field, baileysType] of kinds) {
    const bytes = Buffer.from(`${type} bytes `.repeat(100 + type.length))
    const message = await emulator.media.mediaMessageFrom({ type, bytes, caption: 'a caption', fileName: 'notes.txt' })
    const m = message[field]
    assert.ok(m, `${type} → ${field}`)
    assert.match(m.url, /^https:\/\/mmg\.whatsapp\.net\/v\/t62\.7118-24\/.+\.enc\?.*&mms3=true$/)
    assert.ok(m.url.includes(m.directPath))
    assert.equal(Number(m.fileLength), bytes.length)
    assert.ok(sha256(bytes).equals(m.fileSha256))
    if (type === 'voice') assert.equal(m.ptt, true)
    if (type === 'document') assert.equal(m.fileName, 'notes.txt')
    if (type === 'image') assert.equal(m.caption, 'a caption')
    const stream = await downloadContentFromMessage(m, /** @type {any} */ (baileysType), { options: { dispatcher: hosts.dispatcher } })
    const got = await toBuffer(stream)
    assert.ok(got.equals(bytes), `${type}: Baileys decrypted the same bytes`)
  }
  assert.equal(emulator.media.stats.downloads, kinds.length)
})

test('media crypto: the MAC and both hashes are checked; the wrong HKDF type or a flipped byte is refused', async () => {
  const plain = Buffer.from('hello media')
  const enc = await encryptMedia(plain, 'image')
  const ok = await decryptMedia(enc.blob, enc.mediaKey, 'image', { fileEncSha256: enc.fileEncSha256, fileSha256: enc.fileSha256 })
  assert.ok(ok.bytes.equals(plain))
  await assert.rejects(decryptMedia(enc.blob, enc.mediaKey, 'video'), /MAC does not verify/)
  const flipped = Buffer.from(enc.blob); flipped[0] ^= 1
  await assert.rejects(decryptMedia(flipped, enc.mediaKey, 'image'), /MAC does not verify/)
  await assert.rejects(decryptMedia(flipped, enc.mediaKey, 'image', { fileEncSha256: enc.fileEncSha256 }), /fileEncSha256/)
  await assert.rejects(decryptMedia(enc.blob, enc.mediaKey, 'image', { fileSha256: sha256(Buffer.from('other')) }), /fileSha256/)
})

test('upload with Baileys\' own uploader lands on the emulator; the blob is checked against the path hash', async (t) => {
  const { emulator, hosts } = await withEmulator(t)
  const dir = await mkdtemp(join(tmpdir(), 'emu-media-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const plain = Buffer.from('device photo '.repeat(500))
  const enc = await encryptMedia(plain, 'image')
  const file = join(dir, 'enc')
  await writeFile(file, enc.blob)
  let conn = await mediaConn(emulator)
  const upload = getWAUploadToServer(/** @type {any} */ ({ customUploadHosts: [], fetchAgent: hosts.fetchAgent, logger: SILENT, options: {} }), async () => conn)
  const urls = await upload(file, { mediaType: 'image', fileEncSha256B64: enc.fileEncSha256.toString('base64'), timeoutMs: 10000 })
  assert.match(urls.directPath, /^\/v\/t62\.7118-24\//)
  const stored = emulator.media.store.find(urls.directPath)
  assert.equal(stored.by, 'device')
  assert.equal(stored.kind, 'image')
  assert.equal(stored.fileEncSha256, b64url(enc.fileEncSha256))
  const opened = await emulator.media.decryptDeviceMedia({ imageMessage: { directPath: urls.directPath, mediaKey: enc.mediaKey, fileEncSha256: enc.fileEncSha256, fileSha256: enc.fileSha256, caption: 'c' } })
  assert.ok(opened.bytes.equals(plain))
  assert.ok(opened.sha256.equals(sha256(plain)))
  assert.equal(opened.type, 'image')
  assert.equal(opened.caption, 'c')

  // The same upload again is deduplicated, not stored twice.
  conn = await mediaConn(emulator)
  const again = await upload(file, { mediaType: 'image', fileEncSha256B64: enc.fileEncSha256.toString('base64'), timeoutMs: 10000 })
  assert.equal(again.directPath, urls.directPath)
  assert.equal(emulator.media.store.list().length, 1)
})

test('a mismatched, unauthenticated or oversized upload is refused with a JSON error and stores nothing', async (t) => {
  const { emulator } = await withEmulator(t, { media: { maxBlobBytes: 4096 } })
  const base = `http://127.0.0.1:${emulator.port}`
  const { auth } = await mediaConn(emulator)
  const blob = Buffer.from('x'.repeat(100))
  const other = encodeBase64EncodedStringForUpload(sha256(Buffer.from('something else')).toString('base64'))
  const right = encodeBase64EncodedStringForUpload(sha256(blob).toString('base64'))
  const post = (path, body = blob) => fetch(base + path, { method: 'POST', body }).then(async (r) => ({ status: r.status, body: await r.json() }))

  const mismatch = await post(`/mms/image/${other}?auth=${encodeURIComponent(auth)}&token=${other}`)
  assert.equal(mismatch.status, 400)
  assert.equal(mismatch.body.error.code, 'hash_mismatch')
  const noAuth = await post(`/mms/image/${right}?auth=nope&token=${right}`)
  assert.equal(noAuth.status, 401)
  assert.equal(noAuth.body.error.code, 'unauthorized')
  const badKind = await post(`/mms/shoes/${right}?auth=${encodeURIComponent(auth)}&token=${right}`)
  assert.equal(badKind.status, 400)
  const big = Buffer.alloc(5000, 1)
  const bigHash = encodeBase64EncodedStringForUpload(sha256(big).toString('base64'))
  const tooBig = await post(`/mms/image/${bigHash}?auth=${encodeURIComponent(auth)}&token=${bigHash}`, big)
  assert.equal(tooBig.status, 413)
  assert.equal(emulator.media.store.list().length, 0)
  assert.equal(emulator.media.stats.refused, 4)

  const good = await post(`/mms/image/${right}?auth=${encodeURIComponent(auth)}&token=${right}`)
  assert.equal(good.status, 200)
  assert.ok(good.body.direct_path && good.body.url)
  assert.equal(emulator.media.store.list().length, 1)
})

test('downloads: Range answers 206; an expired or unknown path is 404', async (t) => {
  const { emulator } = await withEmulator(t)
  const base = `http://127.0.0.1:${emulator.port}`
  const entry = emulator.media.host(Buffer.from('0123456789abcdef'), { kind: 'image' })
  const part = await fetch(base + entry.directPath, { headers: { range: 'bytes=4-7' } })
  assert.equal(part.status, 206)
  assert.equal(Buffer.from(await part.arrayBuffer()).toString(), '4567')
  assert.equal(emulator.media.expire(entry.directPath), true)
  assert.equal((await fetch(base + entry.directPath)).status, 404)
  assert.equal((await fetch(base + '/v/t62.7118-24/1_2_3_n.enc')).status, 404)
})

test('the store stays within its bound by evicting the oldest blobs, and a folder store survives a restart', async (t) => {
  const mem = createMediaStore({ maxBytes: 1000, maxBlobBytes: 600 })
  const a = mem.put(Buffer.alloc(400, 1), { kind: 'image', by: 'emulator', fileEncSha256: Buffer.alloc(32) })
  const b = mem.put(Buffer.alloc(400, 2), { kind: 'image', by: 'emulator', fileEncSha256: Buffer.alloc(32) })
  mem.put(Buffer.alloc(400, 3), { kind: 'image', by: 'emulator', fileEncSha256: Buffer.alloc(32) })
  assert.equal(mem.find(a.directPath), null, 'the oldest was evicted')
  assert.ok(mem.find(b.directPath))
  assert.ok(mem.totalBytes <= 1000)
  assert.throws(() => mem.put(Buffer.alloc(700), { kind: 'image', by: 'emulator', fileEncSha256: Buffer.alloc(32) }), /exceeds/)

  const dir = await mkdtemp(join(tmpdir(), 'emu-media-store-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const first = createMediaStore({ dir })
  const kept = first.put(Buffer.from('persisted'), { kind: 'document', by: 'device', fileEncSha256: sha256(Buffer.from('persisted')) })
  first.expire(kept.url)
  const second = createMediaStore({ dir })
  const back = second.find(kept.directPath)
  assert.equal(back.expired, true)
  assert.equal(second.bytes(back).toString(), 'persisted')
})

test('media hosts: null outside sandbox mode, loopback only, and only media hosts are redirected', async (t) => {
  assert.equal(mediaHostsFor({ mode: 'baileys', emulatorUrl: 'ws://127.0.0.1:1/ws/chat' }), null)
  assert.throws(() => mediaHostsFor({ mode: 'sandbox', emulatorUrl: 'ws://10.0.0.5:4100/ws/chat' }), /loopback/)
  assert.equal(isMediaHost('mmg.whatsapp.net'), true)
  assert.equal(isMediaHost('media-fra3-1.cdn.whatsapp.net'), true)
  assert.equal(isMediaHost('web.whatsapp.com'), false)
  assert.equal(isMediaHost('mmg.whatsapp.net.evil.example'), false)

  const { emulator, hosts } = await withEmulator(t)
  const entry = emulator.media.host(Buffer.from('blob bytes'), { kind: 'image' })

  // Another loopback server stands for "any other host": requests to it pass through untouched.
  const other = createServer((req, res) => res.end('other server'))
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve))
  t.after(() => other.close())
  const otherUrl = `http://127.0.0.1:${other.address().port}/x`
  assert.equal(await (await fetch(otherUrl, { dispatcher: hosts.dispatcher })).text(), 'other server')

  const viaDispatcher = await fetch(entry.url, { dispatcher: hosts.dispatcher })
  assert.equal(await viaDispatcher.text(), 'blob bytes')
  assert.equal(emulator.media.stats.downloads, 1)

  // Not installed: a plain fetch of the media URL goes to undici's global dispatcher with WhatsApp's
  // origin. A recording dispatcher stands in for the network (nothing leaves the machine).
  await fetch('data:,')
  const real = globalThis[GLOBAL_DISPATCHER]
  const seen = []
  const recorder = {
    dispatch (opts, handler) {
      const o = String(opts.origin)
      seen.push(o)
      if (o.startsWith('https://mmg.whatsapp.net')) throw new Error('blocked by the test: would leave the machine')
      return real.dispatch(opts, handler)
    },
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve()
  }
  globalThis[GLOBAL_DISPATCHER] = recorder
  t.after(() => { globalThis[GLOBAL_DISPATCHER] = real })
  await assert.rejects(fetch(entry.url))
  assert.deepEqual(seen.map((o) => new URL(o).host), ['mmg.whatsapp.net'], 'no redirect without install')
  assert.equal(emulator.media.stats.downloads, 1, 'the emulator served nothing without the redirect')

  await hosts.install()
  assert.equal(globalThis[GLOBAL_DISPATCHER], hosts.dispatcher)
  assert.equal(await (await fetch(entry.url)).text(), 'blob bytes')
  assert.equal(await (await fetch(otherUrl)).text(), 'other server')
  assert.equal(emulator.media.stats.downloads, 2)
  assert.deepEqual(seen.slice(1).map((o) => new URL(o).host), [`127.0.0.1:${emulator.port}`, `127.0.0.1:${other.address().port}`], 'installed: only the media host is rewritten')
  hosts.uninstall()

  // The upload agent: plain TCP to the emulator only for media hosts; any other host gets TLS
  // (here a plain-HTTP server, so the TLS handshake fails and the server sees no request).
  let otherRequests = 0
  other.on('request', () => { otherRequests++ })
  const before = otherRequests
  await assert.rejects(new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: other.address().port, path: '/', agent: hosts.fetchAgent, timeout: 3000 }, resolve)
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout')))
    req.end()
  }))
  assert.equal(otherRequests, before, 'a non-media host was not spoken to in plain HTTP')
  const viaAgent = await new Promise((resolve, reject) => {
    const req = httpsRequest({ host: 'mmg.whatsapp.net', path: entry.directPath, agent: hosts.fetchAgent }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString()))
    })
    req.on('error', reject)
    req.end()
  })
  assert.equal(viaAgent, 'blob bytes')
  assert.equal(emulator.media.stats.downloads, 3)
  assert.equal(globalThis[GLOBAL_DISPATCHER], recorder, 'uninstall restores the previous dispatcher')
  await assert.rejects(fetch(entry.url))
  assert.equal(emulator.media.stats.downloads, 3, 'after uninstall nothing is redirected')
})

test('control API: media inspection lists the blobs; expire makes one 404; bad input is a JSON error', async (t) => {
  const { emulator } = await withEmulator(t)
  const base = `http://127.0.0.1:${emulator.port}`
  const message = await emulator.media.mediaMessageFrom({ type: 'document', bytes: Buffer.from('a document'), fileName: 'a.txt' })
  const listed = await (await fetch(`${base}/control/media`)).json()
  assert.equal(listed.blobs.length, 1)
  assert.equal(listed.blobs[0].directPath, message.documentMessage.directPath)
  assert.equal(listed.blobs[0].kind, 'document')
  assert.equal(listed.blobs[0].by, 'emulator')
  assert.equal(listed.blobs[0].knownKey, true)
  assert.equal(listed.totalBytes, listed.blobs[0].size)

  const post = (body) => fetch(`${base}/control/media/expire`, { method: 'POST', body }).then(async (r) => ({ status: r.status, body: await r.json() }))
  for (const bad of ['{}', '[]', 'nope', JSON.stringify({ path: 5 })]) {
    const r = await post(bad)
    assert.equal(r.status, 400, bad)
    assert.equal(r.body.error.code, 'bad_request')
  }
  const unknown = await post(JSON.stringify({ path: '/v/t62.7118-24/1_2_3_n.enc' }))
  assert.equal(unknown.status, 404)
  assert.equal((await fetch(base + message.documentMessage.directPath)).status, 200)
  const ok = await post(JSON.stringify({ path: message.documentMessage.url }))
  assert.deepEqual(ok, { status: 200, body: { expired: true } })
  assert.equal((await fetch(base + message.documentMessage.directPath)).status, 404)
  assert.equal((await (await fetch(`${base}/control/media`)).json()).blobs[0].expired, true)
})
