import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { standInForJava } from './support/java-auth.js'
import { FAST_SANDBOX, spawnEngine, tempDir } from './support/engine.js'
import { waitFor } from './support/sandbox-messaging.js'
import { rm } from 'node:fs/promises'

/*
 * hello `holdReceipts` (inbound-hold.js, the Baileys receive-path patch): a received message's
 * receipt leaves only after Java confirmed it stored the message (`inbound.stored`), and the
 * Signal key writes its decryption made are held until then. Real engine processes, the real
 * Baileys socket, a standalone emulator that outlives them, and this test standing in for Java
 * (auth.* answered from a Map; confirmations sent by hand).
 */

const SERVER = fileURLToPath(new URL('../emulator/server.js', import.meta.url))
const PHONE = '923001234588'
const PEER = '923001112288'

/** @param {string} url @param {string} path */
const control = async (url, path) => (await fetch(url.replace('ws:', 'http:').replace('/ws/chat', path))).json()

test('a received message gets its receipt only once Java confirmed it; an engine killed before that gets it again and decrypts it', { timeout: 240000 }, async (t) => {
  const dir = await tempDir()
  /** @type {Array<ReturnType<typeof spawnEngine>>} */
  const engines = []
  const server = spawn(process.execPath, [SERVER, '--port', '0', '--data', join(dir, 'emulator')], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.after(async () => {
    for (const e of engines) e.kill()
    server.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  /** @type {string} */
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once('line', resolve)
    server.once('exit', (code) => reject(new Error(`emulator exited ${code}`)))
  })
  const rows = new Map()
  /** messages whose confirmation the test sends itself (Java confirms every other report at once) */
  const withheld = new Set(['3A00000000000000HOLD1', '3A00000000000000HOLD2', '3A00000000000000HOLD3'])
  const engine = async () => {
    const e = spawnEngine({ timeoutMs: 30000 })
    engines.push(e)
    standInForJava(e, rows)
    let n = 0
    createInterface({ input: e.child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line)
      if (msg.event !== 'messages.upsert' || typeof msg.data.confirm !== 'string') return
      if (msg.data.messages.some((/** @type {any} */ m) => withheld.has(m.key.id))) return
      e.writeRaw(JSON.stringify({ id: `confirm${++n}`, cmd: 'inbound.stored', args: { tokens: [msg.data.confirm] } }))
    })
    await e.hello({ mode: 'sandbox', sessionsDir: join(dir, 'sessions'), authStore: 'postgres', holdReceipts: true, sandbox: { ...FAST_SANDBOX, emulatorUrl: url } })
    return e
  }
  /** The device's receipts for a message, as the emulator recorded them. @param {string} id */
  const receiptsOf = async (id) => (await control(url, `/control/received/${PHONE}`)).messages.find((/** @type {any} */ m) => m.id === id)?.receipts ?? []
  /** The upsert reporting message `id` whose text is `text`. @param {ReturnType<typeof spawnEngine>} e */
  const upsertOf = (e, /** @type {string} */ id, /** @type {string} */ text) =>
    e.seen('messages.upsert', { connectionId: 'h', where: (d) => d.messages.some((/** @type {any} */ m) => m.key.id === id && m.parsed?.text === text) })

  const first = await engine()
  await first.ok('start', { connectionId: 'h' })
  await first.next('connection.qr', { connectionId: 'h' })
  await first.ok('sandbox.scan', { connectionId: 'h', phone: PHONE })
  await first.next('connection.close', { connectionId: 'h', where: (d) => d.code === 515 })
  await first.ok('start', { connectionId: 'h' })
  await first.next('connection.open', { connectionId: 'h' })

  // 1. reported with a token; no receipt until Java confirms; then the receipt
  await first.ok('sandbox.inbound', { connectionId: 'h', from: PEER, message: 'one', messageId: '3A00000000000000HOLD1' })
  const one = await upsertOf(first, '3A00000000000000HOLD1', 'one')
  assert.match(one.data.confirm, /^i\d+$/, 'the report before the receipt carries a confirm token')
  assert.deepEqual(await receiptsOf('3A00000000000000HOLD1'), [], 'no receipt while Java has not confirmed')
  assert.deepEqual(await first.ok('inbound.stored', { tokens: [one.data.confirm, 'i999999'] }), { confirmed: 1 })
  await waitFor(async () => (await receiptsOf('3A00000000000000HOLD1')).length > 0 || undefined, 'the receipt after the confirmation')
  // Baileys' own upsert of that message is not reported a second time: the next report is the next message
  await first.ok('sandbox.inbound', { connectionId: 'h', from: PEER, message: 'two', messageId: '3A00000000000000HOLD2' })
  const two = await upsertOf(first, '3A00000000000000HOLD2', 'two')
  const reports = first.events('messages.upsert').filter((/** @type {any} */ e) => e.data.messages.some((/** @type {any} */ m) => m.key.id === '3A00000000000000HOLD1'))
  assert.equal(reports.length, 1, 'message one was reported once')

  // 2. killed before Java confirmed "two": WhatsApp still owes it, and the next engine decrypts it
  //    (the ratchet step its decryption made was held back, so the stored session is the one it was sent for)
  first.child.kill('SIGKILL')
  await first.exited
  assert.deepEqual(await receiptsOf('3A00000000000000HOLD2'), [], 'no receipt for the unconfirmed message')
  const second = await engine()
  await second.ok('start', { connectionId: 'h' })
  await second.next('connection.open', { connectionId: 'h' })
  const again = await upsertOf(second, '3A00000000000000HOLD2', 'two')
  assert.notEqual(again.data.confirm, undefined)
  assert.deepEqual(await second.ok('inbound.stored', { tokens: [again.data.confirm] }), { confirmed: 1 }, 'the redelivered message still waits for its confirmation')
  await waitFor(async () => (await receiptsOf('3A00000000000000HOLD2')).length > 0 || undefined, 'the receipt after the redelivery was confirmed')
  assert.equal(two.data.messages[0].key.id, again.data.messages[0].key.id)

  // 3. the session goes on: a third message decrypts and is confirmed on the new engine
  await second.ok('sandbox.inbound', { connectionId: 'h', from: PEER, message: 'three', messageId: '3A00000000000000HOLD3' })
  const three = await upsertOf(second, '3A00000000000000HOLD3', 'three')
  assert.deepEqual(await second.ok('inbound.stored', { tokens: [three.data.confirm] }), { confirmed: 1 })
  await waitFor(async () => (await receiptsOf('3A00000000000000HOLD3')).length > 0 || undefined, 'the third receipt')
  await second.end()
})
