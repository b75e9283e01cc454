import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { BufferJSON } from 'baileys'
import { atomicCredsSaver, credsWritesSettled } from '../src/sessions.js'

test('creds are replaced atomically: owner-only, latest state wins, no temp file left, start waits for queued writes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wa-creds-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const creds = { me: undefined, noiseKey: { public: Buffer.alloc(32, 1) } }
  const save = atomicCredsSaver(dir, creds)
  const writes = []
  for (let i = 1; i <= 20; i++) {
    creds.me = { id: `92300000000${i % 10}:1@s.whatsapp.net`, n: i }
    writes.push(save())
  }
  await credsWritesSettled(dir)
  const saved = JSON.parse(await readFile(join(dir, 'creds.json'), 'utf8'), BufferJSON.reviver)
  assert.equal(saved.me.n, 20, 'the file ends with the latest creds')
  assert.ok(Buffer.isBuffer(saved.noiseKey.public) && saved.noiseKey.public.equals(Buffer.alloc(32, 1)))
  assert.equal((await stat(join(dir, 'creds.json'))).mode & 0o777, 0o600)
  assert.deepEqual(await readdir(dir), ['creds.json'])
  await Promise.all(writes)
})
