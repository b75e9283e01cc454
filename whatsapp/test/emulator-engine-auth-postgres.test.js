import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { BufferJSON } from 'baileys'
import { standInForJava } from './support/java-auth.js'
import { FAST_SANDBOX, spawnEngine, tempDir } from './support/engine.js'

/*
 * hello authStore "postgres": the real engine process and the real Baileys socket against the
 * engine's own emulator, with this test standing in for Java's auth store (a Map answering the
 * auth.* requests, as PostgresAuthStore does). No session folder is written; a second engine
 * process logs in from the stored state without a QR; a key set has reached the store when it returns.
 */

const PHONE = '923001234599'

/** @param {ReturnType<typeof spawnEngine>} engine @param {string} dir */
function hello (engine, dir) {
  return engine.hello({
    mode: 'sandbox',
    sessionsDir: join(dir, 'sessions'),
    authStore: 'postgres',
    sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(dir, 'emulator') }
  })
}

test('auth state through Java: link, no folder, a second engine logs in without a QR, a set is stored once it returns, purge clears', { timeout: 180000 }, async (t) => {
  const dir = await tempDir()
  /** @type {Array<ReturnType<typeof spawnEngine>>} */
  const engines = []
  t.after(async () => {
    for (const e of engines) e.kill()
    await rm(dir, { recursive: true, force: true })
  })
  const rows = new Map()

  const first = spawnEngine({ timeoutMs: 30000 })
  engines.push(first)
  const stats = standInForJava(first, rows)
  await hello(first, dir)
  assert.deepEqual(await first.ok('start', { connectionId: 'pg' }), { hasSession: false })
  assert.ok(rows.has('creds\u0000'), 'fresh creds are stored before the first QR')
  await first.next('connection.qr', { connectionId: 'pg' })
  await first.ok('sandbox.scan', { connectionId: 'pg', phone: PHONE })
  await first.next('connection.authenticated', { connectionId: 'pg' })
  assert.equal((await first.next('connection.close', { connectionId: 'pg' })).data.code, 515)
  assert.deepEqual(await first.ok('start', { connectionId: 'pg' }), { hasSession: true })
  await first.next('connection.open', { connectionId: 'pg' })

  assert.equal(existsSync(join(dir, 'sessions', 'pg')), false, 'no session folder with authStore postgres')
  const creds = JSON.parse(rows.get('creds\u0000'), BufferJSON.reviver)
  assert.equal(creds.me.id.split(':')[0], PHONE)
  assert.ok([...rows.keys()].some((k) => k.startsWith('pre-key\u0000')), 'pre-keys are stored')
  assert.ok(stats.saves > 0)

  // kill -9 right after a set returned: the store already holds it
  assert.deepEqual(await first.ok('sandbox.authSet', { connectionId: 'pg', type: 'sender-key-memory', id: 'g1@g.us', value: { 'a@s.whatsapp.net': true } }), { set: true })
  first.child.kill('SIGKILL')
  assert.deepEqual(JSON.parse(rows.get('sender-key-memory\u0000g1@g.us')), { 'a@s.whatsapp.net': true })
  await first.exited

  const second = spawnEngine({ timeoutMs: 30000 })
  engines.push(second)
  standInForJava(second, rows)
  await hello(second, dir)
  assert.deepEqual(await second.ok('start', { connectionId: 'pg' }), { hasSession: true })
  const open = await second.next('connection.open', { connectionId: 'pg' })
  assert.equal(open.data.jid.split(':')[0], PHONE)
  assert.equal(second.events('connection.qr').length, 0, 'no QR: the session came from the store')

  assert.deepEqual(await second.ok('purge', { connectionId: 'pg' }), { removed: true })
  assert.equal(rows.size, 0, 'purge cleared the stored state')
  await second.end()
})
