import { access, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

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
