import assert from 'node:assert/strict'
import { test } from 'node:test'
import { leaseHoldCommands } from '../src/lease-hold.js'
import { Registry } from '../src/registry.js'

const silent = { warn () {}, error () {}, info () {} }

/** A registry with two fake sockets and a closeQuietly that records and resolves `allClosed`. */
function setup () {
  const registry = new Registry()
  const closed = []
  let done
  const allClosed = new Promise((resolve) => { done = resolve })
  const events = []
  for (const id of ['a', 'b']) {
    registry.set(/** @type {any} */ ({ connectionId: id, sock: {}, wasOpen: true, emit: (name, data) => events.push({ id, name, data }) }))
  }
  const closeQuietly = async (/** @type {any} */ entry) => {
    registry.remove(entry)
    closed.push(entry.connectionId)
  }
  const emitted = () => { if (events.length === 2) done() }
  const cmd = leaseHoldCommands({ registry, closeQuietly, logger: /** @type {any} */ (silent) })['lease.hold']
  const realPush = events.push.bind(events)
  events.push = (...x) => { const n = realPush(...x); emitted(); return n }
  return { registry, closed, allClosed, cmd, events }
}

test('a hold that is not renewed closes every socket when it runs out and reports each as a transient close', async () => {
  const { registry, closed, allClosed, cmd, events } = setup()
  const answer = await cmd.run({ forMs: 20 })
  assert.ok(answer.until > 0)
  await allClosed
  assert.deepEqual(closed.sort(), ['a', 'b'])
  assert.equal(registry.all().length, 0)
  for (const e of events) {
    assert.equal(e.name, 'connection.close')
    assert.equal(e.data.code, null)
    assert.equal(e.data.reason, 'lease_hold_expired')
    assert.equal(e.data.wasOpen, true)
  }
})

test('a new hold replaces the deadline of the previous one (a long hold shortened still closes)', async () => {
  const { closed, allClosed, cmd } = setup()
  await cmd.run({ forMs: 600000 })
  await cmd.run({ forMs: 10 })
  await allClosed
  assert.equal(closed.length, 2)
})

test('a hold that is not a positive whole number of milliseconds up to 10 minutes is refused', async () => {
  const { cmd } = setup()
  for (const forMs of [0, -5, 1.5, '100', null, 600001]) {
    await assert.rejects(cmd.run({ forMs }), (err) => err.code === 'bad_request', String(forMs))
  }
  await cmd.run({ forMs: 600000 }) // the longest hold is accepted (and replaced below, so nothing lingers)
  await cmd.run({ forMs: 1 })
})
