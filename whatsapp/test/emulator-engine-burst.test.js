import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'

/*
 * sandbox.burst with sandbox.socket "emulator": the reply comes as soon as the flood is started
 * (emitted = count), and every message then arrives decrypted.
 */

test('sandbox.burst through the emulator: emitted = count at once, then every message arrives (written in the background)', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await engine.hello({ mode: 'sandbox', sessionsDir: join(fx.dir, 'sessions'), sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(fx.dir, 'emulator') } })
  await engine.ok('start', { connectionId: 'b' })
  await engine.next('connection.qr', { connectionId: 'b' })
  await engine.ok('sandbox.scan', { connectionId: 'b', phone: '923004447773' })
  await engine.next('connection.close', { connectionId: 'b', where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: 'b' })
  await engine.next('connection.open', { connectionId: 'b' })

  const r = await engine.ok('sandbox.burst', { connectionId: 'b', count: 30, batch: 10, senders: 3 })
  assert.equal(r.emitted, 30)
  assert.ok(Number.isInteger(r.ms) && r.ms >= 0)
  const seqs = () => new Set(engine.events().filter((/** @type {any} */ e) => e.event === 'messages.upsert')
    .flatMap((/** @type {any} */ e) => e.data.messages.map((/** @type {any} */ m) => /^bench \d+ (\d+)$/.exec(m.parsed?.text ?? '')?.[1]))
    .filter(Boolean))
  const end = Date.now() + 30000
  while (seqs().size < 30 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(seqs().size, 30)
})
