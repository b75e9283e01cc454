import { createInterface } from 'node:readline'

/*
 * The test standing in for Java's auth store (PostgresAuthStore) with hello authStore
 * "postgres": a Map answers the engine's auth.* requests, as the database would.
 */

/**
 * Answers every auth.* request of `engine` from `rows` ("type\0id" → JSON text; creds: "creds\0").
 * @param {ReturnType<typeof import('./engine.js').spawnEngine>} engine @param {Map<string, string>} rows
 * @returns {{saves: number}}
 */
export function standInForJava (engine, rows) {
  const stats = { saves: 0 }
  let n = 0
  createInterface({ input: engine.child.stdout }).on('line', (line) => {
    let msg
    try { msg = JSON.parse(line) } catch { return }
    if (msg.type !== 'request' || !msg.request.startsWith('auth.')) return
    const d = msg.data
    /** @type {any} */
    let result
    if (msg.request === 'auth.load' && d.creds) {
      result = { creds: rows.get('creds\u0000') ?? null }
    } else if (msg.request === 'auth.load') {
      const keys = {}
      for (const id of d.ids) if (rows.has(`${d.type}\u0000${id}`)) keys[id] = rows.get(`${d.type}\u0000${id}`)
      result = { keys }
    } else if (msg.request === 'auth.save') {
      stats.saves++
      if (typeof d.creds === 'string') rows.set('creds\u0000', d.creds)
      for (const k of d.keys) {
        if (k.value === null) rows.delete(`${k.type}\u0000${k.id}`)
        else rows.set(`${k.type}\u0000${k.id}`, k.value)
      }
      result = { saved: d.keys.length }
    } else if (msg.request === 'auth.clear') {
      const removed = rows.size > 0
      rows.clear()
      result = { removed }
    }
    engine.writeRaw(JSON.stringify({ id: `java${++n}`, cmd: 'respond', args: { requestId: msg.id, result } }))
  })
  return stats
}

