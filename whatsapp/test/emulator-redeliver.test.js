import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { createEmulator } from '../emulator/emulator.js'
import { handleMessagingRoute } from '../emulator/messaging-control.js'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'

/*
 * WhatsApp delivers a message again under its id (after a reconnect, or the content of one the
 * device could not decrypt): the emulator's inbound `redeliver`, which the engine's
 * sandbox.inbound uses for a messageId it already delivered (docs/emulator.md "Messaging").
 */

const PHONE = '923004447772'
const PEER = '923001112298'

test('sandbox.inbound with an id already delivered: the same message again under that id; an undecryptable one arrives with its content', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await engine.hello({ mode: 'sandbox', sessionsDir: join(fx.dir, 'sessions'), sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(fx.dir, 'emulator') } })
  await engine.ok('start', { connectionId: 'r' })
  await engine.next('connection.qr', { connectionId: 'r' })
  await engine.ok('sandbox.scan', { connectionId: 'r', phone: PHONE })
  await engine.next('connection.close', { connectionId: 'r', where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: 'r' })
  await engine.next('connection.open', { connectionId: 'r' })

  const upsertsOf = (/** @type {string} */ id) => engine.events().filter((/** @type {any} */ e) => e.event === 'messages.upsert' &&
    e.data.messages.some((/** @type {any} */ m) => m.key.id === id))
  const first = await engine.ok('sandbox.inbound', { connectionId: 'r', from: PEER, message: 'once', messageId: '3A0000000000000000R1' })
  await engine.next('messages.upsert', { connectionId: 'r', where: (d) => JSON.stringify(d).includes('3A0000000000000000R1') })
  const again = await engine.ok('sandbox.inbound', { connectionId: 'r', from: PEER, message: 'ignored: the first content goes again', messageId: '3A0000000000000000R1' })
  assert.deepEqual(again, first)
  await waitFor(() => upsertsOf('3A0000000000000000R1').length === 2, 'the redelivery')
  for (const e of upsertsOf('3A0000000000000000R1')) assert.match(JSON.stringify(e.data), /"once"/)

  // another contact cannot take over the id
  const other = await engine.send('sandbox.inbound', { connectionId: 'r', from: '923001112297', message: 'x', messageId: '3A0000000000000000R1' })
  assert.equal(other.error.code, 'invalid_state')

  // undecryptable: placeholder first (Baileys' CIPHERTEXT stub), then the content under the same id
  await engine.ok('sandbox.inbound', { connectionId: 'r', from: PEER, type: 'undecryptable', message: 'secret', messageId: '3A0000000000000000R2' })
  await engine.ok('sandbox.inbound', { connectionId: 'r', from: PEER, type: 'text', message: 'secret', messageId: '3A0000000000000000R2' })
  await waitFor(() => upsertsOf('3A0000000000000000R2').some((e) => JSON.stringify(e.data).includes('"secret"')), 'the content')
  const types = upsertsOf('3A0000000000000000R2').map((e) => e.data.messages[0].parsed?.type)
  assert.equal(types[0], 'undecryptable')
})

test('POST /control/inbound: redeliver must be a boolean and needs messageId; nothing is sent', async (t) => {
  const emulator = await createEmulator({ port: 0, host: '127.0.0.1' })
  t.after(() => emulator.close())
  const body = (/** @type {any} */ b) => async () => b
  const notBool = await handleMessagingRoute(emulator, 'POST', '/control/inbound', body({ phone: PHONE, from: PEER, text: 'x', messageId: 'ABC12345', redeliver: 'yes' }))
  assert.deepEqual(notBool, { status: 400, body: { error: { code: 'bad_request', message: 'redeliver must be a boolean' } } })
  const noId = await handleMessagingRoute(emulator, 'POST', '/control/inbound', body({ phone: PHONE, from: PEER, text: 'x', redeliver: true }))
  assert.equal(noId?.status, 400)
  assert.match(noId?.body.error.message, /needs messageId/)
  assert.deepEqual(emulator.messaging.received(PHONE), [])
})

/** @param {() => boolean} ok @param {string} what */
async function waitFor (ok, what, ms = 15000) {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
