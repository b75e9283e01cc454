import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { BufferJSON, proto, useMultiFileAuthState } from 'baileys'
import { fileKeyStore, readCreds, TURN_MS } from '../src/file-keys.js'

/*
 * The files auth store's keys (src/file-keys.js): the files useMultiFileAuthState reads and
 * writes, each replaced whole, so an engine killed in the middle of a write leaves a readable key.
 */

test('the store reads what useMultiFileAuthState wrote and writes what it reads, under the same names', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'file-keys-'))
  const { state, saveCreds } = await useMultiFileAuthState(dir)
  await saveCreds()
  const syncKey = { keyData: Buffer.from('sync key'), timestamp: 7 }
  await state.keys.set({ session: { '9230011:2@s.whatsapp.net': { record: Buffer.from([1, 2, 3]) } }, 'app-state-sync-key': { AAA: syncKey } })

  const store = fileKeyStore(dir)
  const got = await store.get('session', ['9230011:2@s.whatsapp.net', '9230099@s.whatsapp.net'])
  assert.deepEqual(Object.keys(got), ['9230011:2@s.whatsapp.net'], 'found ids only')
  assert.deepEqual(got['9230011:2@s.whatsapp.net'].record, Buffer.from([1, 2, 3]), 'Buffers come back as Buffers')
  const sync = (await store.get('app-state-sync-key', ['AAA'])).AAA
  assert.ok(sync instanceof proto.Message.AppStateSyncKeyData, 'app-state sync keys come back as their proto type')
  assert.deepEqual(Buffer.from(sync.keyData), syncKey.keyData)
  assert.deepEqual(readCreds(dir).noiseKey, state.creds.noiseKey, 'creds.json as Baileys saved it')

  await store.set({ 'sender-key': { 'g@g.us::a::0': { k: Buffer.from('sk') } }, session: { '9230011:2@s.whatsapp.net': null } })
  const baileys = (await useMultiFileAuthState(dir)).state.keys
  assert.deepEqual((await baileys.get('sender-key', ['g@g.us::a::0']))['g@g.us::a::0'].k, Buffer.from('sk'), 'Baileys reads our file')
  assert.equal((await baileys.get('session', ['9230011:2@s.whatsapp.net']))['9230011:2@s.whatsapp.net'], null, 'a null value removed the file')
  const files = (await readdir(dir)).sort()
  assert.deepEqual(files, ['app-state-sync-key-AAA.json', 'creds.json', 'sender-key-g@g.us--a--0.json'], 'no temporary file is left')
  await store.set({ session: { nobody: null } }) // removing what is not there is not an error
})

test('a long run of writes lets the event loop turn (an ack waiting to be read is not held up by a whole batch)', async () => {
  const store = fileKeyStore(await mkdtemp(join(tmpdir(), 'file-keys-')))
  let turned = false
  setImmediate(() => { turned = true })
  const started = performance.now()
  let writes = 0
  // each write is awaited, as Baileys awaits them: without the budget only microtasks run between them
  while (!turned && performance.now() - started < 50 * TURN_MS) {
    await store.set({ session: { peer: { record: Buffer.alloc(4096, writes) } } })
    writes++
  }
  assert.ok(turned, `the event loop did not turn during ${writes} writes in ${(performance.now() - started).toFixed(0)} ms`)
})

test('new creds when creds.json is missing or unreadable', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'file-keys-'))
  const fresh = readCreds(dir)
  assert.equal(fresh.registered, false)
  assert.ok(Buffer.isBuffer(fresh.noiseKey.private))
})

/**
 * A child process that writes one large value of a key, says ready, then writes two values in
 * turn, as fast as it can, until killed.
 * `module` is the store under test: ours, or (to show what the test catches) Baileys' own.
 */
const WRITER = `
import { fileKeyStore } from ${JSON.stringify(new URL('../src/file-keys.js', import.meta.url).href)}
import { useMultiFileAuthState } from 'baileys'
const [dir, which] = process.argv.slice(-2)
const store = which === 'baileys' ? (await useMultiFileAuthState(dir)).state.keys : fileKeyStore(dir)
const values = ['a', 'b'].map((c) => ({ record: c.repeat(4 << 20) }))
await store.set({ session: { peer: values[1] } })
process.stdout.write('ready\\n')
for (let i = 0; ; i++) await store.set({ session: { peer: values[i % 2] } })
`

/** Runs WRITER against `dir`, kills it with SIGKILL `afterMs` after it is ready, waits for its end. */
async function killMidWrite (dir, which, afterMs) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, '--', dir, which], { cwd: new URL('..', import.meta.url), stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve)
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)))
  })
  await new Promise((resolve) => setTimeout(resolve, afterMs))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

test('an engine killed while it writes a key leaves the old or the new value, never a cut one', async () => {
  const which = process.env.FILE_KEYS_STORE ?? 'ours' // "baileys" shows the test failing on in-place writes
  const dir = await mkdtemp(join(tmpdir(), 'file-keys-kill-'))
  for (let round = 0; round < 12; round++) {
    await killMidWrite(dir, which, 60 + round * 17)
    const text = await readFile(join(dir, 'session-peer.json'), 'utf8').catch(() => '')
    let value
    try {
      value = JSON.parse(text, BufferJSON.reviver)
    } catch {
      assert.fail(`round ${round}: the key's file holds ${text.length} bytes that are not a whole value`)
    }
    assert.ok(value.record === 'a'.repeat(4 << 20) || value.record === 'b'.repeat(4 << 20), `round ${round}: a whole value`)
  }
})
