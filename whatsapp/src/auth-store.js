import { BufferJSON, initAuthCreds } from 'baileys'
import { fileKeyStore, keyValue, readCreds, storedKeyId } from './file-keys.js'
import { createKeyCache, KEY_CACHE_MAX } from './key-cache.js'
import { rememberMisses } from './key-misses.js'
import { atomicCredsSaver, credsWritesSettled, exists, prepareSessionFolder, removeSessionFolder, sessionFolder } from './sessions.js'

/*
 * Where a connection's Baileys auth state (creds and Signal keys) lives (hello `authStore`,
 * docs/engine-protocol.md "Auth state in PostgreSQL"):
 * - "files": one file per key in `${sessionsDir}/<id>`, as useMultiFileAuthState names them
 *   (file-keys.js; the single-node default);
 * - "postgres": in Java's database, reached through engine → Java requests (`auth.load`,
 *   `auth.save`, `auth.clear`). Java encrypts every value at rest; the engine only ever sends
 *   and receives the values as BufferJSON text, under the same (type, id) names the files use
 *   (`fixFileName`), so the migrate command moves rows and files one to one.
 */

/** How long an auth request waits for Java. Long: a write must not be given up while it may still commit. */
export const AUTH_REQUEST_TIMEOUT_MS = 60000

export { storedKeyId }

/**
 * @typedef {object} AuthHandle
 * @property {{creds: any, keys: any}} state  Baileys' AuthenticationState
 * @property {() => Promise<void>} saveCreds  persists the live creds (resolves once durable)
 * @property {boolean} fresh                  nothing was stored for this connection before
 */

/**
 * The auth backend the engine was configured with at hello.
 * @typedef {object} AuthBackend
 * @property {(connectionId: string) => Promise<AuthHandle>} open  loads (or creates) the state of one connection
 * @property {(connectionId: string) => Promise<void>} settled     resolves when writes of earlier sockets of this id are done
 * @property {(connectionId: string) => Promise<boolean>} remove  deletes the stored state; whether there was any
 * @property {(connectionId: string) => Promise<boolean>} has     whether any state is stored
 */

/**
 * Files backend: the files the engine wrote before AUTH_STORE existed, each now replaced whole
 * (file-keys.js).
 * @param {string} sessionsDir
 * @returns {AuthBackend}
 */
export function fileAuthBackend (sessionsDir) {
  const folderOf = (/** @type {string} */ id) => sessionFolder(sessionsDir, id)
  return {
    async open (connectionId) {
      const folder = folderOf(connectionId)
      const { fresh } = await prepareSessionFolder(folder)
      const creds = readCreds(folder)
      // a key the folder lacks is not looked for again (key-misses.js): no failed file read per send
      return { state: { creds, keys: rememberMisses(fileKeyStore(folder)) }, saveCreds: atomicCredsSaver(folder, creds), fresh }
    },
    settled: (connectionId) => credsWritesSettled(folderOf(connectionId)),
    remove: (connectionId) => removeSessionFolder(folderOf(connectionId)),
    has: (connectionId) => exists(folderOf(connectionId))
  }
}

/**
 * PostgreSQL backend: the state lives in Java's database; the engine keeps a per-socket cache.
 * @param {object} deps
 * @param {(connectionId: string, request: string, data: object) => Promise<any>} deps.call
 *   sends a request and resolves with Java's result; rejects on timeout or a Java error
 * @param {import('pino').Logger} deps.logger
 * @param {number} [deps.retryMs]  first wait before a failed save is sent again on its own (doubles, at most 15 s)
 * @param {number} [deps.cacheMax]  keys a socket keeps in memory at most (key-cache.js; tests make it small)
 * @returns {AuthBackend}
 */
export function postgresAuthBackend ({ call, logger, retryMs = 1000, cacheMax = KEY_CACHE_MAX }) {
  /** Per connection id: the writer of its newest socket, so a restart waits for the previous one's writes. */
  const writers = new Map()
  return {
    async open (connectionId) {
      const loaded = await call(connectionId, 'auth.load', { creds: true })
      const fresh = typeof loaded?.creds !== 'string'
      const creds = fresh ? initAuthCreds() : JSON.parse(loaded.creds, BufferJSON.reviver)
      const writer = createWriter(connectionId, creds, call, logger, retryMs)
      writers.set(connectionId, writer)
      const keys = cachedKeys(connectionId, call, writer, cacheMax)
      return { state: { creds, keys }, saveCreds: writer.saveCreds, fresh }
    },
    settled: (connectionId) => writers.get(connectionId)?.idle() ?? Promise.resolve(),
    async remove (connectionId) {
      const w = writers.get(connectionId)
      if (w) {
        w.discard()
        await w.idle()
        writers.delete(connectionId)
      }
      const r = await call(connectionId, 'auth.clear', {})
      return r?.removed === true
    },
    async has (connectionId) {
      const r = await call(connectionId, 'auth.load', { creds: true })
      return typeof r?.creds === 'string'
    }
  }
}

/** The name of one key in the cache and in the writer: "type\0stored id". @param {string} type @param {string} sid */
const keyOf = (type, sid) => `${type}\u0000${sid}`

/**
 * A SignalKeyStore over Java with an in-memory cache of what this socket read or wrote, misses
 * included (key-cache.js: the least recently used go beyond KEY_CACHE_MAX, never one whose write
 * is not durable yet): this socket is the only writer of its connection's keys, so a value once
 * known stays right until this socket writes it, and a read round-trips once per key while it
 * stays cached. Marked `cached` so the socket factory does not wrap it in Baileys' cache, whose
 * mutex would serialise every set behind the previous one and defeat the write batching.
 * @param {string} connectionId
 * @param {(connectionId: string, request: string, data: object) => Promise<any>} call
 * @param {ReturnType<typeof createWriter>} writer
 * @param {number} max  entries kept at most
 */
function cachedKeys (connectionId, call, writer, max) {
  const cache = createKeyCache({ pinned: writer.holds, max })
  return {
    cached: true,
    /**
     * @param {string} type @param {string[]} ids
     * @returns {Promise<Record<string, any>>} found ids only (as Baileys' cached store answers)
     */
    async get (type, ids) {
      /** @type {Record<string, any>} */
      const out = {}
      /** stored id → the asked ids it stands for @type {Map<string, string[]>} */
      let ask = new Map()
      for (const id of ids) {
        const sid = storedKeyId(id)
        const k = keyOf(type, sid)
        if (!cache.has(k)) {
          ask.set(sid, [...(ask.get(sid) ?? []), id])
          continue
        }
        const v = cache.get(k)
        if (v != null) out[id] = v
      }
      while (ask.size > 0) {
        /** ids set while this read was on its way and evicted since: the store has their newer value */
        const again = new Map()
        const startedAt = cache.beginRead()
        try {
          const r = await call(connectionId, 'auth.load', { type, ids: [...ask.keys()] })
          const values = r?.keys ?? {}
          for (const [sid, asked] of ask) {
            const k = keyOf(type, sid)
            let v
            // a set that happened while this read was on its way is newer than what the read found
            if (cache.has(k)) v = cache.get(k)
            else if (cache.setSince(k, startedAt)) { again.set(sid, asked); continue }
            else cache.fill(k, (v = typeof values[sid] === 'string' ? revive(type, values[sid]) : null))
            if (v != null) for (const id of asked) out[id] = v
          }
        } finally {
          cache.endRead()
        }
        ask = again
      }
      return out
    },
    /**
     * Resolves only once Java has committed the values (Baileys awaits it before it acts on
     * them); sets issued while a write is on its way are sent together in the next one.
     * @param {Record<string, Record<string, any>>} data
     */
    async set (data) {
      /** @type {Array<{type: string, id: string, value: string|null, live: any}>} */
      const writes = []
      for (const type of Object.keys(data)) {
        for (const [id, value] of Object.entries(data[type] ?? {})) {
          writes.push({ type, id: storedKeyId(id), value: value ? JSON.stringify(value, BufferJSON.replacer) : null, live: value ?? null })
        }
      }
      if (writes.length === 0) return
      // the writer holds them first, so the cache cannot evict a value it has not saved yet
      const done = writer.write(writes.map(({ type, id, value }) => ({ type, id, value })), false)
      for (const w of writes) cache.set(keyOf(w.type, w.id), w.live)
      await done
    },
    async clear () {
      cache.clear()
    }
  }
}

/** @param {string} type @param {string} text */
function revive (type, text) {
  return keyValue(type, JSON.parse(text, BufferJSON.reviver))
}

/**
 * Group commit of one socket's writes. Guarantees:
 * - every `write` resolves only after an `auth.save` holding it (or a newer value of the same
 *   key) was committed by Java, and rejects when that save failed;
 * - one save in flight per socket, so saves reach Java in order and a later value of a key never
 *   lands before an earlier one; whatever arrives meanwhile goes out together in the next save
 *   (one request, one transaction);
 * - creds are serialised when the save leaves, so a save carries the newest creds;
 * - a failed save is sent again on its own (after `retryMs`, doubling up to 15 s) until it commits,
 *   also when no later write comes: a database outage delays the values, it never loses them
 *   while the engine runs;
 * - after `discard()` (logout/purge) nothing more is sent, nor after Java refused a save as
 *   `fenced` (another node owns the connection now: this socket's writes must never land).
 * @param {string} connectionId @param {any} creds  the live creds object Baileys mutates
 * @param {(connectionId: string, request: string, data: object) => Promise<any>} call
 * @param {import('pino').Logger} logger
 * @param {number} retryMs
 */
function createWriter (connectionId, creds, call, logger, retryMs) {
  /** "type\0id" → write @type {Map<string, {type: string, id: string, value: string|null}>} */
  let pending = new Map()
  let credsPending = false
  /** @type {Array<{resolve: () => void, reject: (e: Error) => void}>} */
  let waiters = []
  /** @type {Promise<void>|null} */
  let running = null
  let discarded = false
  let retryIn = retryMs
  /** @type {NodeJS.Timeout|null} */
  let retryTimer = null
  /** the save on its way to Java @type {Map<string, {type: string, id: string, value: string|null}>|null} */
  let inFlight = null

  /** Whether a drain has work now: values to save that a write waits for, or that no retry timer holds back. */
  const due = () => !discarded && (pending.size > 0 || credsPending) && (waiters.length > 0 || !retryTimer)

  /**
   * Starts a drain on the next turn unless one runs (sets issued in one turn share a save).
   * A write that finds a drain running leaves its values to that drain; the drain's loop has
   * already ended when the write lands in the few microtasks between the loop's last check and
   * `running` being cleared, so the end of every drain checks again and starts the next one.
   * Without that check such a write never resolved (and a receipt held on it never left).
   */
  function start () {
    if (running) return
    running = new Promise((resolve) => setImmediate(resolve)).then(drain).finally(() => {
      running = null
      if (due()) start()
    })
  }

  /** After a failed save nobody waits for: send it again later, so the values reach the database. */
  function retryLater () {
    if (retryTimer || discarded) return
    retryTimer = setTimeout(() => { retryTimer = null; start() }, retryIn)
    retryTimer.unref?.()
    retryIn = Math.min(retryIn * 2, 15000)
  }

  async function drain () {
    while (pending.size > 0 || credsPending) {
      if (discarded) {
        for (const w of waiters) w.reject(new Error('auth state removed'))
        pending = new Map(); credsPending = false; waiters = []
        return
      }
      const batch = pending
      const withCreds = credsPending
      const settle = waiters
      pending = new Map(); credsPending = false; waiters = []
      /** @type {Record<string, any>} */
      const data = { keys: [...batch.values()] }
      if (withCreds) data.creds = JSON.stringify(creds, BufferJSON.replacer)
      inFlight = batch
      try {
        await call(connectionId, 'auth.save', data)
        inFlight = null
        retryIn = retryMs
        for (const w of settle) w.resolve()
      } catch (err) {
        inFlight = null
        if (/: fenced:/.test(String(/** @type {Error} */ (err)?.message))) {
          // another node owns the connection now: this socket's state must never land; stop writing
          logger.info({ connectionId, keys: batch.size }, 'auth.save refused: the connection moved to another node; writes dropped')
          discarded = true
          for (const w of [...settle, ...waiters]) w.reject(/** @type {Error} */ (err))
          pending = new Map(); credsPending = false; waiters = []
          return
        }
        logger.warn({ connectionId, err: String(/** @type {Error} */ (err).message), keys: batch.size }, 'auth.save failed')
        // keep what failed unless something newer replaced it, so the next save carries it again
        for (const [k, v] of batch) if (!pending.has(k)) pending.set(k, v)
        if (withCreds) credsPending = true
        for (const w of settle) w.reject(/** @type {Error} */ (err))
        if (waiters.length === 0) { retryLater(); return } // nobody waits: try again on a timer
      }
    }
  }

  /**
   * @param {Array<{type: string, id: string, value: string|null}>} writes
   * @param {boolean} withCreds
   * @returns {Promise<void>}
   */
  function write (writes, withCreds) {
    if (discarded) return Promise.reject(new Error('auth state removed'))
    for (const w of writes) pending.set(keyOf(w.type, w.id), w)
    if (withCreds) credsPending = true
    const done = new Promise((resolve, reject) => waiters.push({ resolve: () => resolve(undefined), reject }))
    // on the next turn, so sets issued in the same turn (Baileys writes several key types at
    // once) already share the first save
    start()
    return done
  }

  return {
    write,
    saveCreds: () => write([], true),
    /** Whether a value of this "type\0id" is still to be saved or on its way (not durable yet). @param {string} key */
    holds: (key) => pending.has(key) || (inFlight?.has(key) ?? false),
    discard () {
      discarded = true
      if (retryTimer) { clearTimeout(retryTimer); retryTimer = null }
    },
    /** Resolves when no save is in flight (failures included). */
    idle: async () => { while (running) await running.catch(() => {}) }
  }
}
