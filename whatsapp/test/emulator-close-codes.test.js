import assert from 'node:assert/strict'
import { test } from 'node:test'
import { linkedClient, PHONE } from './support/emulator.js'

/*
 * Every way the server ends a connection reaches Baileys' connection.update with the status
 * code Baileys' socket.js derives for it (getErrorCodeFromStreamError, CB:failure, ws close).
 */

test('each stream error reaches connection.update with its status code; 401 also unlinks the device', async (t) => {
  const { emulator, client, connect } = await linkedClient(t)
  client.end()
  await client.closed()

  // In this order: 401 last, because it unlinks the device.
  const expected = [
    [403, 'Stream Errored (unknown)'],
    [408, 'Stream Errored (unknown)'],
    [428, 'Connection Terminated by Server'],
    [440, 'Stream Errored (conflict)'],
    [500, 'Stream Errored (unknown)'],
    [503, 'Stream Errored (unknown)'],
    [515, 'Stream Errored (restart required)'],
    [401, 'Stream Errored (conflict)']
  ]
  for (const [code, message] of expected) {
    const c = await connect()
    await c.opened().catch((err) => { throw new Error(`before stream error ${code}: ${err.message}`) })
    assert.equal(emulator.streamError(PHONE, Number(code)), 1, `one live session gets ${code}`)
    assert.deepEqual(await c.closed(), { code: Number(code), message }, `stream error ${code}`)
    await c.flushed()
  }

  // After 401 the phone no longer lists the device: the next login is refused the same way.
  const after = await connect()
  assert.deepEqual(await after.closed(), { code: 401, message: 'Connection Failure' })
  assert.equal(after.updates.some((u) => u.connection === 'open'), false)
  assert.equal(emulator.deviceFor(PHONE), null)
})

test('a dropped connection (no close frame) reaches Baileys as 428', async (t) => {
  const { emulator, client } = await linkedClient(t)
  assert.equal(emulator.drop(PHONE), 1)
  assert.deepEqual(await client.closed(), { code: 428, message: 'Connection Terminated' })
  await client.flushed()
})

test('a second live login of the same device replaces the first with 440, and is counted', async (t) => {
  const { emulator, client: first, connect } = await linkedClient(t)
  await first.flushed()
  const second = await connect()
  await second.opened()
  assert.deepEqual(await first.closed(), { code: 440, message: 'Stream Errored (conflict)' })
  assert.equal(emulator.stats.replaced, 1)
  assert.equal(emulator.deviceFor(PHONE).online, true, 'the newer login stays')
  assert.equal(second.updates.some((u) => u.connection === 'close'), false)
})

test('a device that logs out is unlinked: its next login gets 401', async (t) => {
  const { emulator, client, connect } = await linkedClient(t)
  const unlinked = new Promise((resolve) => emulator.events.once('unlinked', resolve))
  await client.sock.logout()
  assert.deepEqual(await unlinked, { jid: `${PHONE}:1@s.whatsapp.net`, by: 'device' })
  assert.equal((await client.closed()).code, 401)
  const again = await connect()
  assert.deepEqual(await again.closed(), { code: 401, message: 'Connection Failure' })
})
