import { createReadRaces } from './read-races.js'

/*
 * Remembers which Signal keys a store does not have, so asking for them again costs nothing.
 *
 * Why (issue 18): Baileys looks up the recipient's privacy token (`tctoken`) three times for
 * every 1:1 message it sends. With the files store, a token nobody ever stored is a failed file
 * read each time (an ENOENT error with its stack trace), and Baileys' own cache keeps only the
 * values it found. The PostgreSQL store already remembers misses (auth-store.js `cachedKeys`).
 *
 * Why it is right: a connection's keys have one writer, the socket that owns them (its folder
 * is the lease holder's), and every write passes through this wrapper. A miss therefore stays a
 * miss until a `set` here gives the key a value, which forgets the miss first.
 */

/**
 * Wraps a SignalKeyStore (`get(type, ids)` answering found ids only, `set(data)`, optional
 * `clear()`). Guarantees:
 * - an id the store answered without a value is not asked for again, until a `set` names it;
 * - a read records a miss only when no `set` of that id was on its way at any moment of the
 *   read (its answer may predate that write); a failed `set` leaves its ids unknown;
 * - answers are exactly the store's (found ids only), and every `set` reaches the store.
 * @param {{get: (type: string, ids: string[]) => Promise<Record<string, any>>, set: (data: Record<string, Record<string, any>>) => Promise<void>, clear?: () => Promise<void>}} store
 */
export function rememberMisses (store) {
  /** type → ids the store does not have @type {Map<string, Set<string>>} */
  const missing = new Map()
  /** the sets that happened while a read was on its way (read-races.js) */
  const races = createReadRaces()
  /** `${type}\0${id}` → sets naming it still on their way @type {Map<string, number>} */
  const inFlight = new Map()
  const of = (/** @type {string} */ type) => {
    let s = missing.get(type)
    if (!s) missing.set(type, (s = new Set()))
    return s
  }
  /** @param {string[]} keys @param {number} by */
  const track = (keys, by) => {
    races.wrote(keys)
    for (const k of keys) {
      const n = (inFlight.get(k) ?? 0) + by
      if (n === 0) inFlight.delete(k)
      else inFlight.set(k, n)
    }
  }
  return {
    /** @param {string} type @param {string[]} ids */
    async get (type, ids) {
      const known = of(type)
      const ask = ids.filter((id) => !known.has(id))
      if (ask.length === 0) return {}
      const startedAt = races.begin()
      try {
        const found = await store.get(type, ask)
        for (const id of ask) {
          const k = `${type}\0${id}`
          if (found[id] == null && !inFlight.has(k) && !races.since(k, startedAt)) known.add(id)
        }
        return found
      } finally {
        races.end()
      }
    },
    /** @param {Record<string, Record<string, any>>} data */
    async set (data) {
      /** @type {string[]} */
      const keys = []
      for (const type of Object.keys(data)) {
        for (const [id, value] of Object.entries(data[type] ?? {})) {
          keys.push(`${type}\0${id}`)
          if (value == null) of(type).add(id)
          else of(type).delete(id)
        }
      }
      track(keys, 1)
      try {
        await store.set(data)
      } catch (err) {
        for (const type of Object.keys(data)) for (const id of Object.keys(data[type] ?? {})) of(type).delete(id)
        throw err
      } finally {
        track(keys, -1)
      }
    },
    async clear () {
      missing.clear()
      await store.clear?.()
    }
  }
}
