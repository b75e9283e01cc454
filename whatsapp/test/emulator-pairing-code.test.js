import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { BufferJSON } from 'baileys'
import { connect, PHONE, sessionDir, startEmulator } from './support/emulator.js'

/*
 * Linking with a pairing code through the REAL Baileys socket against the emulator
 * (emulator/pairing-code.js): Baileys' requestPairingCode after the first QR, the phone enters
 * the code, Baileys answers the link_code_companion_reg notification, pair-success carries an
 * HMAC under the ADV secret both sides derived, 515, then login without a QR.
 */

/** A socket on a fresh folder that has shown its first QR and asked for a code for PHONE. */
async function requested (t, emulator) {
  const dir = await sessionDir(t)
  const client = await connect(emulator, dir)
  t.after(async () => { client.end(); await client.closed().catch(() => {}); await client.flushed() })
  await client.qr()
  const code = await client.sock.requestPairingCode(PHONE)
  // Baileys sends companion_hello without waiting for the answer: wait until the server has it.
  for (let i = 0; i < 100 && !emulator.pairingCodeRequested(PHONE); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.ok(emulator.pairingCodeRequested(PHONE), 'the server recorded the companion_hello')
  return { dir, client, code }
}

test('pairing code end to end: code, phone enters it (with a dash, lower case), 515, login without QR', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const { dir, client, code } = await requested(t, emulator)
  assert.match(code, /^[A-Z0-9]{8}$/)
  const typed = `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase()
  const paired = await emulator.enterPairingCode(PHONE, typed)
  assert.equal(paired.jid, `${PHONE}:1@s.whatsapp.net`)
  assert.deepEqual(await client.closed(), { code: 515, message: 'Stream Errored (restart required)' })
  await client.flushed()

  const again = await connect(emulator, dir)
  t.after(async () => { again.end(); await again.closed().catch(() => {}); await again.flushed() })
  await again.opened()
  assert.equal(again.updates.some((u) => u.qr), false, 'a session linked by code logs in without a QR')
  again.end()
  await again.closed()
  await again.flushed()
  const creds = JSON.parse(await readFile(join(dir, 'creds.json'), 'utf8'), BufferJSON.reviver)
  assert.equal(creds.me.id, paired.jid)
  assert.equal(creds.registered, true)
  assert.equal(emulator.stats.pairings, 1)
})

test('a wrong code is refused by the phone and links nothing; the right code afterwards still links', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const { client, code } = await requested(t, emulator)
  const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`
  await assert.rejects(emulator.enterPairingCode(PHONE, wrong), (err) => err.code === 'wrong_code')
  assert.equal(emulator.deviceFor(PHONE), null, 'no device was linked')
  assert.equal(client.updates.some((u) => u.connection === 'close'), false, 'the companion keeps waiting')
  const paired = await emulator.enterPairingCode(PHONE, code)
  assert.equal(paired.deviceId, 1)
  assert.equal((await client.closed()).code, 515)
})

test('a code whose companion is gone has expired; a phone nobody asked for has no request', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const { client, code } = await requested(t, emulator)
  await assert.rejects(emulator.enterPairingCode('15550009999', code), (err) => err.code === 'no_request')
  client.end()
  await client.closed()
  await assert.rejects(emulator.enterPairingCode(PHONE, code), (err) => err.code === 'expired')
  assert.equal(emulator.deviceFor(PHONE), null)
})
