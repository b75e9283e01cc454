import { access, mkdir, open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { BufferJSON } from 'baileys'

/** The only shape of id that may ever become a path component (docs/engine-protocol.md). */
export const CONNECTION_ID_RE = /^[A-Za-z0-9_-]{1,64}$/

/**
 * `${sessionsDir}/${connectionId}`. Re-checks the id even though protocol.js validated it,
 * so no code path can build a session path from anything else.
 * @param {string} sessionsDir
 * @param {string} connectionId
 */
export function sessionFolder (sessionsDir, connectionId) {
  if (!CONNECTION_ID_RE.test(connectionId)) throw new Error(`refusing session path for invalid id ${JSON.stringify(connectionId)}`)
  return join(sessionsDir, connectionId)
}

/**
 * Creates the sessions root (and parents) if missing, owner-only.
 * @param {string} sessionsDir
 */
export async function ensureSessionsDir (sessionsDir) {
  await mkdir(sessionsDir, { recursive: true, mode: 0o700 })
}

/**
 * Makes sure the session folder exists (mode 0o700) and tells whether it is fresh, i.e. has
 * no creds.json yet — the caller then writes one at once so it exists from the first moment.
 * @param {string} folder
 * @returns {Promise<{fresh: boolean}>}
 */
export async function prepareSessionFolder (folder) {
  await mkdir(folder, { recursive: true, mode: 0o700 })
  return { fresh: !(await exists(join(folder, 'creds.json'))) }
}

/**
 * Removes a session folder and everything in it. Retries briefly because a creds/key write
 * that was already in flight may drop a file in while the tree is being removed.
 * @param {string} folder
 * @returns {Promise<boolean>} whether there was a folder to remove
 */
export async function removeSessionFolder (folder) {
  const existed = await exists(folder)
  await rm(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 })
  return existed
}

/** @param {string} path */
export async function exists (path) {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

/**
 * A saveCreds for `creds` in `folder` that replaces creds.json atomically: written to a temp
 * file (0600), then renamed over creds.json (atomic against a killed process; no fsync per
 * write, which under load would delay every creds update by a disk flush). Baileys' own saveCreds truncates and
 * rewrites in place, so a process killed mid-write (kill -9, power loss) leaves an empty
 * creds.json, which Baileys then reads as a fresh, unlinked session. Writes are chained, each
 * writing the creds as they are when it runs, so the file always ends with the latest state.
 * @param {string} folder @param {any} creds  the live creds object (Baileys merges updates into it)
 * @returns {() => Promise<void>}
 */
export function atomicCredsSaver (folder, creds) {
  let n = 0
  const writeOnce = async () => {
    const tmp = join(folder, `creds.json.${process.pid}.${++n}.tmp`)
    const fh = await open(tmp, 'w', 0o600)
    try {
      await fh.writeFile(JSON.stringify(creds, BufferJSON.replacer))
    } finally {
      await fh.close()
    }
    await rename(tmp, join(folder, 'creds.json'))
  }
  return () => {
    const previous = credsWrites.get(folder) ?? Promise.resolve()
    const run = previous.then(writeOnce)
    const tail = run.catch(() => {})
    credsWrites.set(folder, tail)
    tail.then(() => { if (credsWrites.get(folder) === tail) credsWrites.delete(folder) })
    return run
  }
}

/** Per session folder: the tail of its creds writes (shared by every socket of that folder). @type {Map<string, Promise<void>>} */
const credsWrites = new Map()

/**
 * Resolves once every creds write already queued for `folder` has finished, so a `start`
 * right after a close (the 515 restart) reads the creds the previous socket just saved.
 * @param {string} folder
 */
export function credsWritesSettled (folder) {
  return credsWrites.get(folder) ?? Promise.resolve()
}
