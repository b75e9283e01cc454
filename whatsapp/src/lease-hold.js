/**
 * The engine's half of lease fencing (issue 17, docs/engine-protocol.md `lease.hold`).
 *
 * Java owns each connection through a lease in PostgreSQL that it renews every TTL/3. After
 * every successful renewal it sends `lease.hold {forMs}`: "what you run is mine for forMs more".
 * If no new hold arrives before that deadline (the JVM is paused, or cannot reach the database),
 * the engine closes every socket itself before the lease can expire and another node open the same
 * account: WhatsApp never sees two live logins of one device. Each is then reported as a transient
 * `connection.close` (reason `lease_hold_expired`, no code), so a Java that still owns the
 * connection (it was only slow) dials it again, and a Java that lost it ignores the event.
 *
 * An engine that never got a hold (a single node from before issue 17, engine tests) has no
 * deadline: nothing changes for it.
 */
import { EngineError } from './errors.js'

/**
 * @param {object} deps
 * @param {import('./registry.js').Registry} deps.registry
 * @param {(entry: any) => Promise<void>} deps.closeQuietly
 * @param {import('pino').Logger} deps.logger
 * @param {() => number} [deps.now]
 */
export function leaseHoldCommands ({ registry, closeQuietly, logger, now = Date.now }) {
  /** @type {NodeJS.Timeout|null} */
  let timer = null
  let deadline = 0

  async function expire () {
    timer = null
    const entries = registry.all()
    logger.warn({ sockets: entries.length, overdueMs: now() - deadline },
      'lease hold expired without renewal: closing every socket before the lease can move to another node')
    await Promise.all(entries.map((e) => registry.withLock(e.connectionId, async () => {
      await closeQuietly(e)
      // told as a transient close: a Java that is merely slow (not frozen) and still owns the
      // connection dials it again; a Java that lost the lease ignores it
      e.emit?.('connection.close', {
        code: null, reason: 'lease_hold_expired', message: 'the lease hold ran out before Java renewed it',
        wasOpen: Boolean(e.wasOpen), wasAuthenticated: Boolean(e.authenticated)
      })
    })))
  }

  return {
    'lease.hold': {
      needsHello: true,
      /** Moves the deadline to now + forMs (0 < forMs <= 10 min); answers it. */
      async run (/** @type {any} */ args) {
        const forMs = args.forMs
        if (!Number.isInteger(forMs) || forMs <= 0 || forMs > 600000) {
          throw new EngineError('bad_request', 'forMs must be an integer of milliseconds between 1 and 600000')
        }
        if (timer) clearTimeout(timer)
        deadline = now() + forMs
        timer = setTimeout(() => { expire().catch((err) => logger.error({ err }, 'closing sockets after the lease hold failed')) }, forMs)
        return { until: deadline }
      }
    }
  }
}
