import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BufferJSON } from 'baileys'
import pino from 'pino'
import { postgresAuthBackend, storedKeyId } from '../src/auth-store.js'

/*
 * The PostgreSQL auth backend against a stand-in for Java: every request is recorded and
 * answered when the test says so, which lets the test see exactly when a set may return.
 */

const logger = pino({ level: 'silent' })

/** A fake Java: rows by "type\0id"; requests wait in `inbox` until `answerNext`. */
function fakeJava ({ creds = null } = {}) {
  const rows = new Map()
  /** @type {Array<{request: string, data: any, resolve: (v: any) => void, reject: (e: Error) => void}>} */
  const inbox = []
  const requests = []
  let auto = false
  /** @type {string|false} */
  let failNext = false
  const handle = (request, data) => {
    if (request === 'auth.load') {
      if (data.creds) return { creds }
      const keys = {}
      for (const id of data.ids) if (rows.has(`${data.type}\u0000${id}`)) keys[id] = rows.get(`${data.type}\u0000${id}`)
      return { keys }
    }
    if (request === 'auth.save') {
      for (const k of data.keys) {
        if (k.value === null) rows.delete(`${k.type}\u0000${k.id}`)
        else rows.set(`${k.type}\u0000${k.id}`, k.value)
      }
      if (data.creds) creds = data.creds
      return { saved: data.keys.length }
    }
    return { removed: true }
  }
  const call = (connectionId, request, data) => {
    requests.push({ request, data })
    if (auto) return Promise.resolve(handle(request, data))
    return new Promise((resolve, reject) => inbox.push({ request, data, resolve, reject }))
  }
  return {
    rows,
    requests,
    call,
    get creds () { return creds },
    auto (on) { auto = on },
    failNext (message = 'database unavailable') { failNext = message },
    /** Answers (commits) the oldest waiting request. */
    answerNext () {
      const r = inbox.shift()
      assert.ok(r, 'a request is waiting')
      if (failNext) { const m = failNext; failNext = false; r.reject(new Error(m)); return r }
      r.resolve(handle(r.request, r.data))
      return r
    },
    waiting: () => inbox.length,
    /** Answers the waiting request at `index` with `result` as it is (what Java found earlier). @param {number} index @param {any} result */
    answerWith (index, result) {
      const [r] = inbox.splice(index, 1)
      assert.ok(r, 'a request is waiting')
      r.resolve(result)
      return r
    }
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

test('a set returns only after Java committed it; sets issued meanwhile go out together in the next save', async () => {
  const java = fakeJava()
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger })
  const { state, fresh } = await backend.open('c1')
  assert.equal(fresh, true)
  java.auto(false)

  let firstDone = false
  const first = state.keys.set({ session: { '923001112233.0': Buffer.from('s1') }, 'pre-key': { 1: { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } } })
    .then(() => { firstDone = true })
  await tick(); await tick()
  assert.equal(java.waiting(), 1, 'both types of one set share one save')
  assert.equal(firstDone, false, 'not returned before Java answered')

  // three sets while the first save is on its way: one more save, not three
  let laterDone = 0
  const later = [
    state.keys.set({ session: { '923001112233.0': Buffer.from('s2') } }),
    state.keys.set({ 'sender-key': { 'g@g.us::a::0': Buffer.from('k') } }),
    state.keys.set({ 'pre-key': { 1: null } })
  ].map((p) => p.then(() => { laterDone++ }))
  await tick()
  assert.equal(java.waiting(), 1, 'one save in flight at a time')
  java.answerNext()
  await first
  assert.equal(firstDone, true)
  assert.equal(laterDone, 0, 'the later sets wait for their own save')
  await tick(); await tick()
  assert.equal(java.waiting(), 1)
  const second = java.answerNext()
  assert.equal(second.data.keys.length, 3, 'the three later sets are one request')
  await Promise.all(later)
  assert.equal(laterDone, 3)

  assert.equal(JSON.parse(java.rows.get('session\u0000923001112233.0'), BufferJSON.reviver).toString(), 's2', 'the newest value is stored')
  assert.equal(java.rows.has('pre-key\u00001'), false, 'a null deletes')
  assert.ok(java.rows.has(`sender-key\u0000${storedKeyId('g@g.us::a::0')}`), 'ids are stored under the file names useMultiFileAuthState uses')
  assert.equal(storedKeyId('a/b:c'), 'a__b-c')
})

test('a failed save rejects its sets and the values go out again with the next save', async () => {
  const java = fakeJava()
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger })
  const { state } = await backend.open('c2')
  java.auto(false)
  const failing = state.keys.set({ tctoken: { 'x@s.whatsapp.net': { token: Buffer.from('t') } } })
  await tick(); await tick()
  java.failNext()
  java.answerNext()
  await assert.rejects(failing, /database unavailable/)
  const next = state.keys.set({ 'device-list': { 923001: ['0', '1'] } })
  await tick(); await tick()
  const r = java.answerNext()
  await next
  assert.deepEqual(r.data.keys.map((k) => k.type).sort(), ['device-list', 'tctoken'])
})

test('a failed save that nobody waits for any more is sent again on its own until it commits', async () => {
  const java = fakeJava()
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger, retryMs: 5 })
  const { state } = await backend.open('c2b')
  java.auto(false)
  const failing = state.keys.set({ session: { '923001.0': Buffer.from('ratchet-1') } })
  await tick(); await tick()
  java.failNext()
  java.answerNext()
  await assert.rejects(failing, /database unavailable/)
  // no later set: the writer's own retry carries the value
  while (java.waiting() === 0) await new Promise((resolve) => setTimeout(resolve, 2))
  java.failNext()
  java.answerNext() // the database is still down: it tries again, later
  while (java.waiting() === 0) await new Promise((resolve) => setTimeout(resolve, 2))
  const r = java.answerNext()
  assert.deepEqual(r.data.keys.map((k) => k.id), ['923001.0'])
  assert.equal(JSON.parse(java.rows.get('session\u0000923001.0'), BufferJSON.reviver).toString(), 'ratchet-1')
  await backend.settled('c2b')
})

test('a save Java refuses as fenced (another node owns the connection) ends the writes of this socket', async () => {
  const java = fakeJava()
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger, retryMs: 5 })
  const { state } = await backend.open('c2c')
  java.auto(false)
  const refused = state.keys.set({ session: { '923001.0': Buffer.from('old-ratchet') } })
  await tick(); await tick()
  java.failNext('auth.save: fenced: this node no longer holds the connection\'s lease')
  java.answerNext()
  await assert.rejects(refused, /fenced/)
  await assert.rejects(state.keys.set({ session: { '923001.0': Buffer.from('older-still') } }), /auth state removed/)
  await backend.settled('c2c')
  assert.equal(java.rows.has('session\u0000923001.0'), false)
})

test('reads are cached per socket, misses included, and a read never overwrites a newer set', async () => {
  const java = fakeJava({ creds: JSON.stringify({ me: { id: '923001112233:1@s.whatsapp.net' }, noiseKey: { public: Buffer.alloc(32, 7) } }, BufferJSON.replacer) })
  java.rows.set('session\u0000a.0', JSON.stringify(Buffer.from('stored'), BufferJSON.replacer))
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger })
  const { state, fresh } = await backend.open('c3')
  assert.equal(fresh, false)
  assert.ok(Buffer.isBuffer(state.creds.noiseKey.public), 'creds revive Buffers')
  const got = await state.keys.get('session', ['a.0', 'b.0'])
  assert.deepEqual(Object.keys(got), ['a.0'], 'only found ids are returned')
  assert.equal(got['a.0'].toString(), 'stored')
  const loads = java.requests.filter((r) => r.request === 'auth.load').length
  await state.keys.get('session', ['a.0', 'b.0'])
  assert.equal(java.requests.filter((r) => r.request === 'auth.load').length, loads, 'hits and misses are served from the cache')

  // a read on its way while a set of the same key happens: the set wins
  java.auto(false)
  const read = state.keys.get('session', ['c.0'])
  await tick()
  const write = state.keys.set({ session: { 'c.0': Buffer.from('new') } })
  java.rows.set('session\u0000c.0', JSON.stringify(Buffer.from('old'), BufferJSON.replacer))
  java.answerNext() // the read answers the old value
  const r = await read
  assert.equal(r['c.0'].toString(), 'new')
  await tick(); await tick()
  java.answerNext()
  await write
})

test('remove stops every later write and clears the stored state', async () => {
  const java = fakeJava()
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger })
  const { state, saveCreds } = await backend.open('c4')
  await saveCreds()
  assert.ok(java.creds, 'fresh creds were saved')
  await backend.remove('c4')
  assert.equal(java.requests.at(-1).request, 'auth.clear')
  await assert.rejects(state.keys.set({ session: { z: Buffer.from('z') } }), /removed/)
})

test('a set issued while a save is being answered is saved too, however many microtasks after the answer it comes', async () => {
  // The writer's drain ends a few microtasks after its last save is answered; a set landing in
  // that window found the drain still marked running and was left to it, so it never resolved.
  for (let hops = 0; hops < 8; hops++) {
    const java = fakeJava()
    java.auto(true)
    const backend = postgresAuthBackend({ call: java.call, logger })
    const { state } = await backend.open(`c-hops${hops}`)
    java.auto(false)
    const first = state.keys.set({ session: { '923001.0': Buffer.from('one') } })
    await tick(); await tick()
    java.answerNext()
    let chain = Promise.resolve()
    for (let i = 0; i < hops; i++) chain = chain.then(() => {})
    /** @type {Promise<void>} */
    let second = Promise.resolve()
    await chain.then(() => { second = state.keys.set({ session: { '923001.0': Buffer.from('two') } }) })
    await first
    // the second value is saved without any later set to carry it
    await tick(); await tick()
    assert.equal(java.waiting(), 1, `a save carries the set issued ${hops} microtasks after the answer`)
    java.answerNext()
    await second
    assert.equal(JSON.parse(java.rows.get('session\u0000923001.0'), BufferJSON.reviver).toString(), 'two')
  }
})

/** Buffer text as the fake Java stores it. @param {string} t */
const stored = (t) => JSON.stringify(Buffer.from(t), BufferJSON.replacer)
/** @param {any} java */
const loadsOf = (java, /** @type {string} */ id) => java.requests.filter((r) => r.request === 'auth.load' && r.data.ids?.includes(id)).length

test('the key cache keeps the most recently used keys up to its bound; an evicted key is read from Java again', async () => {
  const java = fakeJava()
  for (let i = 0; i < 6; i++) java.rows.set(`session\u0000k${i}.0`, stored(`v${i}`))
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger, cacheMax: 3 })
  const { state } = await backend.open('c-lru')
  for (let i = 0; i < 6; i++) assert.equal((await state.keys.get('session', [`k${i}.0`]))[`k${i}.0`].toString(), `v${i}`)
  // k3..k5 are cached; k0 was evicted
  for (const i of [3, 4, 5]) await state.keys.get('session', [`k${i}.0`])
  for (const i of [3, 4, 5]) assert.equal(loadsOf(java, `k${i}.0`), 1, `k${i} served from the cache`)
  assert.equal((await state.keys.get('session', ['k0.0']))['k0.0'].toString(), 'v0')
  assert.equal(loadsOf(java, 'k0.0'), 2, 'k0 was evicted and read again')
  // one read larger than the bound still answers every key it found
  const all = await state.keys.get('session', ['k0.0', 'k1.0', 'k2.0', 'k3.0', 'k4.0', 'k5.0', 'none.0'])
  assert.deepEqual(Object.keys(all).sort(), ['k0.0', 'k1.0', 'k2.0', 'k3.0', 'k4.0', 'k5.0'])
})

test('a key whose write Java has not committed is never evicted, also while a failed save waits for its retry', async () => {
  const java = fakeJava()
  for (let i = 0; i < 6; i++) java.rows.set(`session\u0000k${i}.0`, stored(`v${i}`))
  java.rows.set('session\u0000w.0', stored('old'))
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger, cacheMax: 2, retryMs: 60000 })
  const { state } = await backend.open('c-pin')
  java.auto(false)
  const write = state.keys.set({ session: { 'w.0': Buffer.from('new') } })
  await tick(); await tick()
  java.failNext()
  java.answerNext() // the save fails: the writer keeps the value for its retry
  await assert.rejects(write, /database unavailable/)
  java.auto(true)
  for (let i = 0; i < 6; i++) await state.keys.get('session', [`k${i}.0`]) // pressure on a bound of 2
  const got = await state.keys.get('session', ['w.0'])
  assert.equal(got['w.0'].toString(), 'new', 'the unsaved value, not Java\'s older one')
  assert.equal(loadsOf(java, 'w.0'), 0, 'never read from Java while unsaved')
})

test('a read that was on its way while a set of the same key committed and was evicted reads again, and never answers the older value', async () => {
  const java = fakeJava()
  java.rows.set('session\u0000x.0', stored('old'))
  for (let i = 0; i < 4; i++) java.rows.set(`session\u0000k${i}.0`, stored(`v${i}`))
  java.auto(true)
  const backend = postgresAuthBackend({ call: java.call, logger, cacheMax: 2 })
  const { state } = await backend.open('c-race')
  java.auto(false)
  const read = state.keys.get('session', ['x.0']) // on its way: it found 'old', its answer comes late
  await tick()
  const write = state.keys.set({ session: { 'x.0': Buffer.from('new') } })
  await tick(); await tick()
  assert.equal(java.waiting(), 2)
  java.answerWith(1, { saved: 1 }) // the save commits first...
  java.rows.set('session\u0000x.0', stored('new'))
  await write
  java.auto(true)
  for (let i = 0; i < 4; i++) await state.keys.get('session', [`k${i}.0`]) // ...and x is evicted (nothing unsaved)
  java.answerWith(0, { keys: { 'x.0': stored('old') } }) // then the read's answer arrives
  assert.equal((await read)['x.0'].toString(), 'new', 'read again, not the answer from before the set')
  assert.equal(loadsOf(java, 'x.0'), 2)
  assert.equal((await state.keys.get('session', ['x.0']))['x.0'].toString(), 'new', 'and the cache holds the newer value')
})
