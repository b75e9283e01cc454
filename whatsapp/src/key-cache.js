/*
 * The in-memory part of the PostgreSQL auth store's key cache (auth-store.js `cachedKeys`):
 * bounded, so a socket that talks to many contacts does not keep every Signal session it ever
 * touched (the files store is bounded by Baileys' own cache, whose entries expire after 5 min).
 *
 * Why eviction is safe: an entry leaves only when the store already holds its value (no write of
 * it is waiting or on its way: `pinned`), so reading it again from the store gives the same value.
 * What eviction must not break: a read that was on its way while a set of the same key happened
 * may carry the value from before that set; without eviction the newer value sat in the cache and
 * won, with eviction it may be gone. `setSince` tells the reader, which then reads again.
 */

import { createReadRaces } from './read-races.js'

/** Entries a socket's key cache keeps at most (values and misses); written-but-unsaved ones always stay. */
export const KEY_CACHE_MAX = 10000

/**
 * @param {object} opts
 * @param {(key: string) => boolean} opts.pinned  true while a write of this key is not durable yet
 * @param {number} [opts.max]
 */
export function createKeyCache ({ pinned, max = KEY_CACHE_MAX }) {
  /** key → value, or null for a key the store does not have; oldest use first @type {Map<string, any>} */
  const entries = new Map()
  const races = createReadRaces()

  /** Drops least recently used entries above `max`, never one whose write is not durable yet. */
  function evict () {
    if (entries.size <= max) return
    for (const k of entries.keys()) {
      if (entries.size <= max) return
      if (!pinned(k)) entries.delete(k)
    }
  }

  return {
    /** @param {string} key */
    has: (key) => entries.has(key),
    /** The cached value (null: a known miss), marked as just used. @param {string} key */
    get (key) {
      const v = entries.get(key)
      entries.delete(key)
      entries.set(key, v)
      return v
    },
    /** What a read found. @param {string} key @param {any} value */
    fill (key, value) {
      entries.set(key, value)
      evict()
    },
    /** A set: the newest value, which the store will hold once the write commits. @param {string} key @param {any} value */
    set (key, value) {
      races.wrote([key])
      entries.delete(key)
      entries.set(key, value)
      evict()
    },
    /** A read leaves for the store; returns its start, for `setSince`. */
    beginRead: races.begin,
    endRead: races.end,
    /** Whether a set of `key` happened after a read that started at `startedAt`. */
    setSince: races.since,
    clear () { entries.clear() }
  }
}
