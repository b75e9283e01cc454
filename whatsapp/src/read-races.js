/*
 * Which keys were written while a read was on its way: a key store's read may answer with what
 * the store held before such a write, so a cache must not keep that answer (key-cache.js,
 * key-misses.js). Write times are kept only while a read is on its way (a read that starts later
 * cannot predate them), so the bookkeeping holds the keys written during reads, not every key
 * ever written.
 */

/** @returns {{begin: () => number, end: () => void, wrote: (keys: Iterable<string>) => void, since: (key: string, startedAt: number) => boolean}} */
export function createReadRaces () {
  let clock = 0
  let reading = 0
  /** key → the clock of its last write, while a read is on its way @type {Map<string, number>} */
  const wroteAt = new Map()
  return {
    /** A read leaves for the store; returns its start, for `since`. */
    begin () {
      reading++
      return clock
    },
    /** That read is back (also when it failed). */
    end () {
      if (--reading === 0) wroteAt.clear()
    },
    /** A write of these keys starts or ends (either may be newer than a read's answer). */
    wrote (keys) {
      clock++
      if (reading === 0) return
      for (const k of keys) wroteAt.set(k, clock)
    },
    /** Whether `key` was written after a read that started at `startedAt`. */
    since: (key, startedAt) => (wroteAt.get(key) ?? 0) > startedAt
  }
}
