import { addTransactionCapability } from 'baileys'

/**
 * An in-memory SignalKeyStore with Baileys' own transaction layer on top: what
 * useMultiFileAuthState gives a socket, without the files. `data` is the raw map
 * (`type/id` → value) for tests that inspect it.
 * @param {import('pino').Logger} logger
 */
export function memoryKeyStore (logger) {
  const data = new Map()
  const store = {
    async get (/** @type {string} */ type, /** @type {string[]} */ ids) {
      /** @type {Record<string, any>} */ const out = {}
      for (const id of ids) if (data.has(`${type}/${id}`)) out[id] = data.get(`${type}/${id}`)
      return out
    },
    async set (/** @type {Record<string, Record<string, any>>} */ changes) {
      for (const [type, entries] of Object.entries(changes)) {
        for (const [id, value] of Object.entries(entries)) {
          if (value === null || value === undefined) data.delete(`${type}/${id}`)
          else data.set(`${type}/${id}`, value)
        }
      }
    }
  }
  const keys = addTransactionCapability(/** @type {any} */ (store), logger, { maxCommitRetries: 2, delayBetweenTriesMs: 5 })
  return { keys, data }
}
