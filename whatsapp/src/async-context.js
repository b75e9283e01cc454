import asyncHooks from 'node:async_hooks'
import { syncBuiltinESMExports } from 'node:module'

/**
 * One AsyncLocalStorage for the whole engine, shared by every `new AsyncLocalStorage()`.
 *
 * Why: Baileys 7.0.0-rc14 creates an AsyncLocalStorage per socket (`addTransactionCapability`)
 * and never disables it. On Node 20 every enabled instance is visited on every new promise
 * (`_propagate` copies each instance's store onto the promise), so the cost of *every* promise
 * in the engine grows with the number of sockets ever created, and each promise carries one
 * property per instance: measured, 200,000 chained promises take 0.27 s with none, 10.5 s with
 * 100 and run out of a 4 GB heap with 1,000. The benchmark's ramp slowed from ~30 to ~12
 * pairings a minute by 300 connections with the garbage collector and `_propagate` taking
 * ~70 % of the engine's CPU (docs/benchmarks.md).
 *
 * What it guarantees: the same observable semantics Baileys relies on — `run(store, fn)` makes
 * `getStore()` of *that* instance return `store` inside `fn` and everything it starts
 * asynchronously, other instances keep their own stores, nesting restores the outer store —
 * while Node sees one enabled instance, so a promise costs the same with 1 or 10,000 sockets.
 * Contexts are immutable maps (copied on `run`), so an async continuation never sees a store
 * set later by an unrelated `run`. Installed before Baileys is imported (main.js imports this
 * module first); `syncBuiltinESMExports` makes the replacement visible to ESM named imports of
 * `async_hooks`, which is how Baileys imports it. Remove when the engine runs on a Node with
 * AsyncContextFrame (24+), where an instance costs nothing per promise.
 */
const Native = asyncHooks.AsyncLocalStorage

/** The single native store: a Map from each shared instance to its store in this context. */
const context = new Native()

class SharedAsyncLocalStorage {
  /** Runs `fn` with this instance's store set to `store` (other instances unchanged). */
  run (store, fn, ...args) {
    const next = new Map(context.getStore())
    next.set(this, store)
    return context.run(next, fn, ...args)
  }

  /** This instance's store in the current async context, or undefined. */
  getStore () {
    return context.getStore()?.get(this)
  }

  /** Runs `fn` with this instance's store unset (other instances unchanged). */
  exit (fn, ...args) {
    const current = context.getStore()
    if (!current?.has(this)) return fn(...args)
    const next = new Map(current)
    next.delete(this)
    return context.run(next, fn, ...args)
  }

  /** Sets this instance's store for the rest of the current synchronous execution and its continuations. */
  enterWith (store) {
    const next = new Map(context.getStore())
    next.set(this, store)
    context.enterWith(next)
  }

  /** Unsets this instance's store in the current context (the shared native store stays enabled). */
  disable () {
    const current = context.getStore()
    if (!current?.has(this)) return
    const next = new Map(current)
    next.delete(this)
    context.enterWith(next)
  }

  static bind (fn) { return Native.bind(fn) }
  static snapshot () { return Native.snapshot() }
}

let installed = false

/** Replaces `async_hooks.AsyncLocalStorage` (CommonJS and ESM named exports) once. */
export function installSharedAsyncContext () {
  if (installed) return
  installed = true
  asyncHooks.AsyncLocalStorage = /** @type {any} */ (SharedAsyncLocalStorage)
  syncBuiltinESMExports()
}

installSharedAsyncContext()

export { SharedAsyncLocalStorage }
