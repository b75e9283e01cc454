import assert from 'node:assert/strict'
import { createHook } from 'node:async_hooks'
import { test } from 'node:test'
import { SharedAsyncLocalStorage } from '../src/async-context.js'

/**
 * The engine's shared AsyncLocalStorage (src/async-context.js): Baileys' semantics kept, and a
 * promise's cost no longer grows with the number of instances (one per socket in Baileys rc14).
 */

test('every AsyncLocalStorage import is the shared one, ESM named imports included', async () => {
  const { AsyncLocalStorage } = await import('node:async_hooks')
  assert.equal(AsyncLocalStorage, SharedAsyncLocalStorage)
  const { createRequire } = await import('node:module')
  assert.equal(createRequire(import.meta.url)('async_hooks').AsyncLocalStorage, SharedAsyncLocalStorage)
})

test('run/getStore per instance: isolation, nesting, async continuations, exit, enterWith', async () => {
  const a = new SharedAsyncLocalStorage()
  const b = new SharedAsyncLocalStorage()
  assert.equal(a.getStore(), undefined)
  await a.run('a1', async () => {
    assert.equal(a.getStore(), 'a1')
    assert.equal(b.getStore(), undefined, 'another instance keeps its own store')
    await b.run('b1', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      assert.deepEqual([a.getStore(), b.getStore()], ['a1', 'b1'], 'after an await both survive')
      a.run('a2', () => assert.equal(a.getStore(), 'a2'))
      assert.equal(a.getStore(), 'a1', 'nesting restores the outer store')
      a.exit(() => assert.deepEqual([a.getStore(), b.getStore()], [undefined, 'b1']))
    })
    assert.equal(b.getStore(), undefined)
    const later = new Promise((resolve) => setImmediate(() => resolve(a.getStore())))
    a.run('unrelated', () => {})
    assert.equal(await later, 'a1', 'a continuation keeps the context it started in')
  })
  assert.equal(a.getStore(), undefined)
  await new Promise((resolve) => setImmediate(() => {
    b.enterWith('b2')
    assert.equal(b.getStore(), 'b2')
    b.disable()
    assert.equal(b.getStore(), undefined)
    resolve(undefined)
  }))
})

test('a promise carries one context whatever the number of instances (Node 20 copied one per instance)', async () => {
  const stores = Array.from({ length: 1000 }, () => new SharedAsyncLocalStorage())
  for (const s of stores) s.run({}, () => {})
  /** @type {object[]} */
  const resources = []
  const hook = createHook({ init (_id, type, _trigger, resource) { if (type === 'PROMISE' && resources.length < 5) resources.push(resource) } }).enable()
  await stores[0].run({ tx: 1 }, async () => { await Promise.resolve() })
  hook.disable()
  assert.ok(resources.length > 0, 'promises were seen')
  for (const r of resources) {
    // Node 20's AsyncLocalStorage keeps each instance's store on the resource under its own
    // Symbol('kResourceStore'); 1,000 native instances put 1,000 of them on every promise
    const stored = Object.getOwnPropertySymbols(r).filter((s) => s.description === 'kResourceStore').length
    assert.equal(stored, 1, `a promise holds ${stored} stores`)
  }
})
