import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { BufferJSON } from 'baileys'

/*
 * Persistence of the emulated WhatsApp (sandbox only): one JSON file, `state.json`, in the
 * emulator's data folder, holding every registered part's state (identity: Noise static key and
 * certificate keys; accounts: phones, linked devices, their Noise keys and uploaded prekeys;
 * later parts such as contacts and ledgers register themselves the same way).
 *
 * Guarantees:
 *  - owner-only: the folder is 0700 and the file 0600 (they hold private keys);
 *  - atomic: written to a temp file, fsynced, renamed over the old one, folder fsynced, so a
 *    crash leaves either the old or the new state, never a torn file;
 *  - `changed()` coalesces bursts (debounced, default 200 ms); `flush()` writes now and is what
 *    a write that matters (pairing, prekey upload, unlink) awaits before it is acknowledged, so
 *    an engine killed with -9 right after can still log its sessions in again;
 *  - a part registered after loading gets its saved state at registration (plug-ins may be
 *    added after createEmulator).
 * Writes are synchronous (a few KB per account): simpler ordering than async writes racing.
 */

const FILE = 'state.json'
const VERSION = 1

/**
 * @typedef {object} StorePart
 * @property {() => any} save     plain, JSON-able (Buffers allowed) snapshot
 * @property {(saved: any) => void} load
 */

/**
 * @param {string|null} dir  null = in memory only (nothing saved, nothing loaded)
 * @param {{debounceMs?: number, onError?: (err: Error) => void}} [opts]
 */
export function createStore (dir, opts = {}) {
  const debounceMs = opts.debounceMs ?? 200
  /** @type {Map<string, StorePart>} */ const parts = new Map()
  /** @type {Record<string, any>} */ let saved = {}
  /** @type {NodeJS.Timeout|null} */ let timer = null
  let closed = false

  if (dir) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
    try {
      const parsed = JSON.parse(readFileSync(join(dir, FILE), 'utf8'), BufferJSON.reviver)
      if (parsed?.version !== VERSION) throw new Error(`emulator state version ${parsed?.version} is not ${VERSION}`)
      saved = parsed.parts ?? {}
    } catch (err) {
      if (/** @type {any} */ (err).code !== 'ENOENT') throw err
    }
  }

  /** Writes every part's snapshot now (atomic, durable). No-op without a folder. */
  function writeNow () {
    if (timer) { clearTimeout(timer); timer = null }
    if (!dir) return
    const snapshot = { ...saved }
    for (const [name, part] of parts) snapshot[name] = part.save()
    const text = JSON.stringify({ version: VERSION, parts: snapshot }, BufferJSON.replacer)
    const tmp = join(dir, `${FILE}.tmp`)
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, join(dir, FILE))
    const dfd = openSync(dir, 'r')
    try { fsyncSync(dfd) } finally { closeSync(dfd) }
  }

  const store = {
    dir,
    /** True when a saved state was found (the emulator is the same WhatsApp as before). */
    loaded: Object.keys(saved).length > 0,
    /** The saved state of a part, or undefined. @param {string} name */
    savedState: (name) => saved[name],
    /** Registers a part and hands it its saved state, if any. @param {string} name @param {StorePart} part */
    register (name, part) {
      parts.set(name, part)
      if (saved[name] !== undefined) part.load(saved[name])
    },
    /** Something changed: save soon (coalesced). */
    changed () {
      if (!dir || closed || timer) return
      timer = setTimeout(() => {
        timer = null
        try { writeNow() } catch (err) { opts.onError?.(/** @type {Error} */ (err)) }
      }, debounceMs)
      timer.unref?.()
    },
    /** Saves now; resolves once the state is on disk. */
    async flush () {
      if (closed) return
      writeNow()
    },
    /** Final save; later changes are ignored. */
    close () {
      if (closed) return
      writeNow()
      closed = true
    }
  }
  return store
}
