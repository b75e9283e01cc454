import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rememberMisses } from '../src/key-misses.js'

/*
 * rememberMisses (src/key-misses.js): a key the store lacks is asked for once, until a write
 * names it; a read racing a write never records a miss.
 */

/** An in-memory store that counts reads per id and can hold its writes until released. */
function memoryStore () {
  const data = new Map()
  const reads = new Map()
  /** @type {Array<() => void>} */
  const held = []
  let hold = false
  return {
    reads: (id) => reads.get(id) ?? 0,
    holdWrites: (on) => { hold = on },
    release: () => held.splice(0).forEach((go) => go()),
    async get (type, ids) {
      const out = {}
      for (const id of ids) {
        reads.set(id, (reads.get(id) ?? 0) + 1)
        if (data.has(`${type}/${id}`)) out[id] = data.get(`${type}/${id}`)
      }
      return out
    },
    async set (d) {
      if (hold) await new Promise((resolve) => held.push(resolve))
      for (const type of Object.keys(d)) for (const [id, v] of Object.entries(d[type])) {
        if (v == null) data.delete(`${type}/${id}`)
        else data.set(`${type}/${id}`, v)
      }
    }
  }
}

test('a missing key is read from the store once; a write makes it found, a deletion missing again', async () => {
  const store = memoryStore()
  const keys = rememberMisses(store)
  for (let i = 0; i < 5; i++) assert.deepEqual(await keys.get('tctoken', ['a@lid']), {})
  assert.equal(store.reads('a@lid'), 1, 'asked once')
  await keys.set({ tctoken: { 'a@lid': { token: 1 } } })
  assert.deepEqual(await keys.get('tctoken', ['a@lid']), { 'a@lid': { token: 1 } })
  await keys.set({ tctoken: { 'a@lid': null } })
  assert.deepEqual(await keys.get('tctoken', ['a@lid']), {})
  assert.equal(store.reads('a@lid'), 2, 'the deletion is known without reading')
  assert.deepEqual(await keys.get('session', ['a@lid']), {}, 'misses are per type')
})

test('a read that overlaps a write of the same key records no miss', async () => {
  const store = memoryStore()
  const keys = rememberMisses(store)
  store.holdWrites(true)
  const writing = keys.set({ session: { 'b.0': { s: 1 } }, tctoken: { other: { t: 1 } } })
  // the write is on its way: the store does not have the value yet
  assert.deepEqual(await keys.get('session', ['b.0']), {})
  store.release()
  await writing
  store.holdWrites(false)
  assert.deepEqual(await keys.get('session', ['b.0']), { 'b.0': { s: 1 } }, 'not remembered as missing')

  // a write that starts and ends while a read is on its way
  const slow = memoryStore()
  const keys2 = rememberMisses(slow)
  let answer
  const gate = new Promise((resolve) => { answer = resolve })
  const get = slow.get
  slow.get = async (type, ids) => { const r = await get(type, ids); await gate; return r }
  const reading = keys2.get('session', ['c.0'])
  await keys2.set({ session: { 'c.0': { s: 2 } } })
  answer()
  assert.deepEqual(await reading, {}, 'the read began before the write')
  slow.get = get
  assert.deepEqual(await keys2.get('session', ['c.0']), { 'c.0': { s: 2 } }, 'and left no miss behind')
})

test('a failed write leaves its keys unknown, so they are read again', async () => {
  const store = memoryStore()
  const keys = rememberMisses(store)
  await keys.get('tctoken', ['d'])
  const set = store.set
  store.set = async () => { throw new Error('disk full') }
  await assert.rejects(keys.set({ tctoken: { d: null } }), /disk full/)
  store.set = set
  await keys.get('tctoken', ['d'])
  assert.equal(store.reads('d'), 2)
})
