import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { BufferJSON, Curve } from 'baileys'
import { connect, linkedClient, PHONE, sessionDir, startEmulator } from './support/emulator.js'

/*
 * QR pairing and login through the REAL Baileys socket against the emulator (docs/emulator.md).
 */

test('QR pairing end to end: QR, scan, 515, login; creds.json has me and the uploaded prekeys are on disk', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const dir = await sessionDir(t)

  const first = await connect(emulator, dir)
  const qr = await first.qr()
  assert.match(qr, /^https:\/\/wa\.me\/settings\/linked_devices#2@/)
  const paired = await emulator.scan(qr, PHONE)
  assert.equal(paired.jid, `${PHONE}:1@s.whatsapp.net`)
  assert.deepEqual(await first.closed(), { code: 515, message: 'Stream Errored (restart required)' })
  await first.waitFor((u) => u.isNewLogin === true, 'isNewLogin')
  await first.flushed()

  const second = await connect(emulator, dir)
  t.after(() => second.end())
  await second.opened()
  assert.equal(second.updates.some((u) => u.qr), false, 'a paired session logs in without a QR')
  const device = emulator.deviceFor(PHONE)
  assert.equal(device.online, true)
  second.end()
  await second.closed()
  await second.flushed()

  const creds = JSON.parse(await readFile(join(dir, 'creds.json'), 'utf8'), BufferJSON.reviver)
  assert.equal(creds.me.id, paired.jid)
  assert.equal(creds.me.lid, paired.lid)
  assert.equal(creds.platform, 'android')

  assert.equal(device.jid, paired.jid)
  assert.ok(device.preKeyCount > 0, 'prekeys were uploaded')
  const onDisk = (await readdir(dir)).filter((f) => /^pre-key-\d+\.json$/.test(f)).map((f) => Number(f.match(/\d+/)[0]))
  const uploaded = [...emulator.accounts.findDevice(PHONE, 1).preKeys.keys()]
  assert.deepEqual(onDisk.sort((a, b) => a - b), uploaded.sort((a, b) => a - b), 'every uploaded prekey is in the session folder')
  assert.ok(Buffer.from(creds.signedIdentityKey.public).equals(device.identityKey), 'the server holds the identity that paired')
  assert.deepEqual(emulator.stats, { logins: 1, pairings: 1, replaced: 0, refused: 0 })
})

test('login after a restart from the saved session, with no QR, and the server count keeps the prekeys', async (t) => {
  const { emulator, client, connect: reconnect } = await linkedClient(t)
  await client.flushed()
  const count = emulator.deviceFor(PHONE).preKeyCount
  client.end()
  await client.closed()

  assert.ok(Buffer.from(client.state.creds.routingInfo ?? []).equals(emulator.routingInfo), 'edge routing info was saved')

  // The saved routing info makes this intro start with the `ED` header, which the server skips.
  const again = await reconnect()
  await again.opened()
  assert.equal(again.updates.some((u) => u.qr), false)
  assert.equal(emulator.deviceFor(PHONE).preKeyCount, count, 'enough prekeys on the server: no second upload')
  assert.equal(emulator.stats.logins, 2)
})

test('QR refs rotate on Baileys\' schedule and run out with 408', async (t) => {
  const emulator = await startEmulator({ qrRefs: 3 })
  t.after(() => emulator.close())
  const client = await connect(emulator, await sessionDir(t), { qrTimeout: 300 })
  const closed = await client.closed()
  const qrs = client.updates.filter((u) => u.qr).map((u) => u.qr)
  assert.equal(qrs.length, 3)
  assert.equal(new Set(qrs.map((q) => q.split(',')[0])).size, 3, 'each QR carries another ref')
  assert.deepEqual(closed, { code: 408, message: 'QR refs attempts ended' })
})

test('pairing is refused when the ADV account signature is wrong: Baileys rejects it, nothing is linked', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const dir = await sessionDir(t)
  const client = await connect(emulator, dir)
  const qr = await client.qr()
  await assert.rejects(emulator.scan(qr, PHONE, { signingKey: Curve.generateKeyPair().private }), /companion refused pairing/)
  const closed = await client.closed()
  assert.equal(closed.message, 'Failed to verify account signature')
  await client.flushed()
  assert.equal(client.state.creds.me, undefined, 'no login identity was taken')
  const saved = await readFile(join(dir, 'creds.json'), 'utf8').catch(() => '{}')
  assert.equal(JSON.parse(saved).me, undefined, 'no login identity was saved')
  assert.equal(emulator.deviceFor(PHONE), null)
  assert.deepEqual(emulator.stats, { logins: 0, pairings: 0, replaced: 0, refused: 1 })
})

test('a scan with an unknown ref, or with keys that are not the connection\'s, links nothing', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const client = await connect(emulator, await sessionDir(t))
  t.after(() => client.end())
  const qr = await client.qr()
  const [head, ...rest] = qr.split(',')
  await assert.rejects(emulator.scan([head.replace(/#.*/, '#2@unknown'), ...rest].join(','), PHONE), /ref unknown or expired/)
  const otherNoise = Buffer.alloc(32, 7).toString('base64')
  await assert.rejects(emulator.scan([head, otherNoise, ...rest.slice(1)].join(','), PHONE), /do not match/)
  await assert.rejects(emulator.scan('hello', PHONE), /not a WhatsApp linking QR/)
  assert.equal(emulator.deviceFor(PHONE), null)
})
