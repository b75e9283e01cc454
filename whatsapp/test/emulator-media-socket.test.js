import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { downloadMediaMessage, proto } from 'baileys'
import pino from 'pino'
import { mediaHostsFor } from '../src/media-hosts.js'
import { linkedClient, PHONE, startEmulator } from './support/emulator.js'
import { ledgerEntry } from './support/messaging.js'

/*
 * Media through the REAL Baileys socket paired with the emulator, with the sandbox media-hosts
 * redirect in the socket config, and the emulator's own messaging part in between: a contact's
 * image, voice note and document (sent with the messaging `inbound` control) download to the
 * exact bytes; the device's own image upload lands on the emulator (hash checked), reaches the
 * contact (the messaging ledger) and opens to the same bytes; an expired blob comes back
 * through Baileys' media retry (updateMediaMessage).
 */

const SILENT = pino({ level: 'silent' })
const sha = (b) => createHash('sha256').update(b).digest('hex')
const ALICE = '15550002222'

/** Pairs, waits for the initial history (Baileys buffers events until then), collects upserts. */
async function setup (t) {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const hosts = mediaHostsFor({ mode: 'sandbox', emulatorUrl: emulator.url })
  const upserts = []
  const waiters = new Set()
  let synced
  const { client } = await linkedClient(t, {
    emulator,
    config: hosts.socketConfig,
    beforeOpen: (c) => {
      c.sock.ev.on('messages.upsert', ({ messages }) => { upserts.push(...messages); for (const w of [...waiters]) w() })
      synced = new Promise((resolve) => c.sock.ev.on('messaging-history.set', resolve))
    }
  })
  await synced
  const alice = emulator.messaging.contacts.contactFor(ALICE)

  /** Alice sends `content` (a proto.Message) to the account; resolves with the WAMessage Baileys upserted. */
  async function fromAlice (content) {
    const { id, live } = await emulator.messaging.inbound(PHONE, { from: ALICE, pushName: 'Alice', content })
    assert.equal(live, 1, 'delivered to the live device')
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = upserts.find((m) => m.key.id === id)
        if (!hit) return false
        waiters.delete(check); clearTimeout(timer); resolve(hit)
        return true
      }
      const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`message ${id} never reached Baileys`)) }, 15000)
      if (!check()) waiters.add(check)
    })
  }
  return { emulator, alice, hosts, client, fromAlice }
}

test('a contact\'s image, voice note and document: Baileys\' downloadMediaMessage gives the exact bytes', async (t) => {
  const { emulator, alice, hosts, fromAlice } = await setup(t)
  const cases = [
    { type: 'image', field: 'imageMessage', bytes: randomBytes(50_000), caption: 'look' },
    { type: 'voice', field: 'audioMessage', bytes: randomBytes(20_000), seconds: 3 },
    { type: 'document', field: 'documentMessage', bytes: randomBytes(70_001), fileName: 'report.pdf', mimeType: 'application/pdf' }
  ]
  for (const c of cases) {
    const msg = await fromAlice(await emulator.media.mediaMessageFrom(c))
    const content = msg.message[c.field]
    assert.ok(content, `${c.type} arrived as ${c.field}`)
    assert.equal(msg.key.remoteJid, alice.pnJid, 'from the contact')
    assert.equal(msg.pushName, 'Alice')
    if (c.type === 'image') assert.equal(content.caption, 'look')
    if (c.type === 'voice') assert.equal(content.ptt, true)
    if (c.type === 'document') { assert.equal(content.fileName, 'report.pdf'); assert.equal(content.mimetype, 'application/pdf') }
    const got = await downloadMediaMessage(msg, 'buffer', { options: { dispatcher: hosts.dispatcher } })
    assert.equal(sha(got), sha(c.bytes), `${c.type}: same bytes`)
  }
  assert.deepEqual(emulator.messaging.received(PHONE).map((r) => r.from), [ALICE, ALICE, ALICE], 'each went through the messaging part')
  assert.equal(emulator.media.stats.downloads, 1 + cases.length, 'the history blob and each media came from the emulator')
})

test('the device sends an image and a document: each upload lands on the emulator (hash checked) and opens to the same bytes', async (t) => {
  const { emulator, alice, client } = await setup(t)
  const image = randomBytes(40_000)
  const sent = await client.sock.sendMessage(alice.pnJid, { image, caption: 'from the gateway', mimetype: 'image/jpeg' })
  const record = await ledgerEntry(emulator, PHONE, (e) => e.id === sent.key.id && e.contact === ALICE, `the image ${sent.key.id}`)
  assert.ok(record.message.imageMessage, 'the contact got an imageMessage')
  assert.equal(record.count, 1, 'exactly once')
  const stored = emulator.media.store.find(record.message.imageMessage.directPath)
  assert.equal(stored.by, 'device')
  assert.equal(stored.kind, 'image')
  const opened = await emulator.media.decryptDeviceMedia(record.message)
  assert.equal(sha(opened.bytes), sha(image))
  assert.equal(opened.sha256.toString('hex'), sha(image))
  assert.equal(opened.type, 'image')
  assert.equal(opened.caption, 'from the gateway')

  const doc = randomBytes(25_000)
  const sentDoc = await client.sock.sendMessage(alice.pnJid, { document: doc, fileName: 'invoice.pdf', mimetype: 'application/pdf', caption: 'the invoice' })
  const docRecord = await ledgerEntry(emulator, PHONE, (e) => e.id === sentDoc.key.id && e.contact === ALICE, `the document ${sentDoc.key.id}`)
  const openedDoc = await emulator.media.decryptDeviceMedia(docRecord.message)
  assert.equal(sha(openedDoc.bytes), sha(doc))
  assert.equal(openedDoc.type, 'document')
  assert.equal(openedDoc.fileName, 'invoice.pdf')
  assert.equal(openedDoc.mimetype, 'application/pdf')
  assert.equal(openedDoc.caption, 'the invoice')
  const docContent = docRecord.message.documentWithCaptionMessage?.message?.documentMessage ?? docRecord.message.documentMessage
  assert.equal(emulator.media.store.find(docContent.directPath).kind, 'document')
  assert.equal(emulator.media.stats.uploads, 2)
  assert.equal(emulator.media.stats.refused, 0)
})

test('an expired blob comes back through Baileys\' media retry: the phone re-hosts it and the download succeeds', async (t) => {
  const { emulator, hosts, client, fromAlice } = await setup(t)
  const bytes = randomBytes(30_000)
  const msg = await fromAlice(await emulator.media.mediaMessageFrom({ type: 'image', bytes }))
  const oldPath = msg.message.imageMessage.directPath
  assert.equal(emulator.media.expire(oldPath), true)
  const options = { options: { dispatcher: hosts.dispatcher } }
  const is404 = (e) => e.output?.statusCode === 404
  await assert.rejects(downloadMediaMessage(msg, 'buffer', options), is404)

  // Baileys rc14 bug: downloadMediaMessage re-uploads only when `error.status` is 404/410, but
  // its own getHttpStream throws a Boom (output.statusCode, no `status`), so the automatic retry
  // never runs. This assertion fails once Baileys fixes it (then rely on the ctx form).
  await assert.rejects(downloadMediaMessage(msg, 'buffer', options, { logger: /** @type {any} */ (SILENT), reuploadRequest: client.sock.updateMediaMessage }), is404)
  assert.equal(emulator.media.stats.retries, 0)

  // What the gateway does instead: on 404/410 ask the phone (updateMediaMessage), then download again.
  const updated = await client.sock.updateMediaMessage(msg)
  assert.notEqual(updated.message.imageMessage.directPath, oldPath, 'Baileys took the new direct path')
  const got = await downloadMediaMessage(updated, 'buffer', options)
  assert.equal(sha(got), sha(bytes))
  assert.equal(emulator.media.stats.retries, 1)
  assert.equal(emulator.media.store.find(oldPath), null, 'the old path stays gone')
})

test('a media retry for media the phone does not know is answered NOT_FOUND, which Baileys reports as 404', async (t) => {
  const { client } = await setup(t)
  const fake = {
    key: { remoteJid: `${ALICE}@s.whatsapp.net`, fromMe: false, id: 'NOT-KNOWN-1' },
    message: { imageMessage: { mediaKey: randomBytes(32), directPath: '/v/t62.7118-24/1_2_3_n.enc', url: 'https://mmg.whatsapp.net/v/t62.7118-24/1_2_3_n.enc' } }
  }
  await assert.rejects(client.sock.updateMediaMessage(fake), (e) => e.output?.statusCode === 404 && /Failed to re-upload media \(2\)/.test(e.message))
  assert.equal(proto.MediaRetryNotification.ResultType.NOT_FOUND, 2)
})
