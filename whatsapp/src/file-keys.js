import { readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BufferJSON, initAuthCreds, proto } from 'baileys'

/*
 * The files auth store's Signal keys: one JSON file per key in the session folder, under the
 * names and in the format of Baileys' useMultiFileAuthState (`${type}-${id}.json`, BufferJSON),
 * so existing folders, the migrate command and the PostgreSQL store's ids are unchanged.
 *
 * Why not useMultiFileAuthState itself (issue 18, docs/benchmarks.md "Send path: the files store
 * writes its keys itself"): it writes each key with fs/promises (open, write, close: three trips
 * to libuv's thread pool, each answered in a later turn of the event loop) while Baileys'
 * per-account transaction holds every other send of the account; and it truncates the file
 * before writing, so an engine killed between the two leaves a cut session file, which it then
 * reads as no session.
 */

/**
 * The id as useMultiFileAuthState names its file (`/` → `__`, `:` → `-`): both stores use the
 * same names, so a session moves between them without renaming anything.
 * @param {string} id
 */
export function storedKeyId (id) {
  return id.replace(/\//g, '__').replace(/:/g, '-')
}

/**
 * A stored key's value as Baileys wants it back: app-state sync keys as their proto type, the
 * rest as parsed (BufferJSON). Both stores read through this.
 * @param {string} type @param {any} parsed
 */
export function keyValue (type, parsed) {
  return type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(parsed) : parsed
}

/**
 * Reads creds.json of `folder`, or new creds when it is missing or unreadable (as Baileys does:
 * a fresh, unlinked session).
 * @param {string} folder
 */
export function readCreds (folder) {
  return readJson(join(folder, 'creds.json')) ?? initAuthCreds()
}

/**
 * A SignalKeyStore over the files of `folder`. Guarantees:
 * - `set` returns once every named file holds its new value, or is gone for a null value. Each
 *   file is replaced whole: written to a temporary file of this process, then renamed over the
 *   key's file, so a killed engine leaves either the old or the new value, never a cut one. No
 *   fsync (as before): the guarantee covers a killed process, not a lost machine;
 * - the calls are synchronous inside, so no other read or write of the folder by this socket
 *   interleaves with one (useMultiFileAuthState needed a lock per file for that);
 * - `get` answers the ids it found (an unreadable file counts as missing, as in Baileys).
 * A temporary file outlives its write only when the process was killed between writing it and
 * the rename; it ends in `.tmp`, which no reader and not the migrate command looks at.
 * @param {string} folder
 */
export function fileKeyStore (folder) {
  const fileOf = (/** @type {string} */ type, /** @type {string} */ id) => join(folder, `${type}-${storedKeyId(id)}.json`)
  const tmpSuffix = `.${process.pid}.tmp`
  return {
    /** @param {string} type @param {string[]} ids */
    async get (type, ids) {
      /** @type {Record<string, any>} */
      const found = {}
      for (const id of ids) {
        const value = readJson(fileOf(type, id))
        if (value != null) found[id] = keyValue(type, value)
      }
      return found
    },
    /** @param {Record<string, Record<string, any>>} data */
    async set (data) {
      for (const type of Object.keys(data)) {
        for (const [id, value] of Object.entries(data[type] ?? {})) {
          const file = fileOf(type, id)
          if (value == null) removeFile(file)
          else replaceFile(file, file + tmpSuffix, JSON.stringify(value, BufferJSON.replacer))
        }
      }
      await shareTheLoop()
    }
  }
}

/** Longest run of key writes (ms) in one turn of the event loop before the loop is let turn. */
export const TURN_MS = 10
/** When the current turn of the event loop first wrote a key; null once the loop has turned. @type {number|null} */
let turnStartedAt = null

/**
 * Lets the event loop turn when this turn has been writing keys for TURN_MS. Writes are
 * synchronous, so sends queued on the socket would otherwise run back to back without reading
 * the socket: the acks of the first would wait for the last. Within the budget they do run back
 * to back, which is what makes them cheaper than one turn of the loop per write (docs/benchmarks.md).
 */
async function shareTheLoop () {
  const now = performance.now()
  if (turnStartedAt === null) {
    turnStartedAt = now
    setImmediate(() => { turnStartedAt = null })
  } else if (now - turnStartedAt >= TURN_MS) {
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** The parsed JSON of `file`, or null when it is missing or unreadable. @param {string} file */
function readJson (file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'), BufferJSON.reviver)
  } catch {
    return null
  }
}

/** Writes `text` to `tmp` (0600) and renames it over `file`; removes `tmp` when that fails. */
function replaceFile (/** @type {string} */ file, /** @type {string} */ tmp, /** @type {string} */ text) {
  try {
    writeFileSync(tmp, text, { mode: 0o600 })
    renameSync(tmp, file)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw err
  }
}

/** Removes `file`; a file that is not there is already removed. @param {string} file */
function removeFile (file) {
  try {
    unlinkSync(file)
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err
  }
}
