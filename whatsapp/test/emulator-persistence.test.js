import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { connect, PHONE, pairAndLogin, sessionDir, startEmulator } from './support/emulator.js'

/*
 * The emulated WhatsApp persists (whatsapp/emulator/store.js): a restarted emulator with the
 * same data folder is the same server, so a linked session logs in again without a QR.
 */

/** @param {import('node:test').TestContext} t */
async function dataDir (t) {
  const dir = await mkdtemp(join(tmpdir(), 'wa-emulator-data-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'emulator')
}

test('a restarted emulator keeps its root, its accounts and the uploaded prekeys: the session logs in without a QR', async (t) => {
  const data = await dataDir(t)
  const dir = await sessionDir(t)
  const first = await startEmulator({ dataDir: data })
  const { client, paired } = await pairAndLogin(first, dir)
  await client.flushed()
  // The prekey upload is acknowledged only once it is on disk: wait for Baileys to have it answered.
  await waitUntil(() => first.deviceFor(PHONE)?.preKeyCount > 0, 'prekey upload')
  const before = first.deviceFor(PHONE)
  const root = first.trust().rootPublicKey
  client.end()
  await client.closed()
  await client.flushed()
  await first.close()

  // Owner-only, as it holds private keys.
  assert.equal((await stat(data)).mode & 0o777, 0o700)
  assert.equal((await stat(join(data, 'state.json'))).mode & 0o777, 0o600)
  assert.ok(!(await readFile(join(data, 'state.json'), 'utf8')).includes('"data":['), 'buffers are stored as base64')

  const second = await startEmulator({ dataDir: data })
  t.after(() => second.close())
  assert.ok(second.trust().rootPublicKey.equals(root), 'same root')
  const after = second.deviceFor(PHONE)
  assert.equal(after.jid, paired.jid)
  assert.equal(after.preKeyCount, before.preKeyCount)
  assert.equal(after.online, false)

  const again = await connect(second, dir)
  t.after(() => again.end())
  await again.opened()
  assert.equal(again.updates.some((u) => u.qr), false, 'no QR after the emulator restart')
  assert.equal(second.deviceFor(PHONE).online, true)
  // Ended here, creds writes settled, before the t.after hooks (registered earlier, so run
  // first) remove the session folder: otherwise Baileys may write creds into a removed folder.
  again.end()
  await again.closed()
  await again.flushed()
})

test('a pairing is on disk before the companion restarts (an emulator killed right after still knows the device)', async (t) => {
  const data = await dataDir(t)
  const emulator = await startEmulator({ dataDir: data, saveDebounceMs: 60000 })
  t.after(() => emulator.close())
  const client = await connect(emulator, await sessionDir(t))
  t.after(() => client.end())
  const paired = await emulator.scan(await client.qr(), PHONE)
  // No close(): read the file as a kill -9 would leave it.
  const text = await readFile(join(data, 'state.json'), 'utf8')
  assert.ok(text.includes(paired.jid), 'the linked device is in the state file')
})

test('without a data folder nothing is written and a new emulator is a new WhatsApp', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  assert.equal(emulator.store.dir, null)
  assert.equal(emulator.store.loaded, false)
})

/** @param {() => boolean} pred @param {string} what */
async function waitUntil (pred, what, ms = 10000) {
  const end = Date.now() + ms
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
