import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { PROTOCOL_VERSION, parseHello } from './config.js'
import { applyTrustFixes, trustServerRoot } from './trust.js'
import { EngineError } from './errors.js'
import { attachHandlers } from './handlers.js'
import { SettingsStore, attachBehaviourHandlers, behaviourCommands, isIgnoredChat, parseSettings, socketOptionsFor } from './behaviour.js'
import { mediaCommands } from './media-commands.js'
import { createMediaDownloader } from './media-download.js'
import { baileysLevelFor } from './logger.js'
import { contactCommands } from './contacts.js'
import { attachGroupHandlers, createGroupCache, groupCommands } from './groups.js'
import { forgetUnfinishedPairing, linkingCommands } from './linking.js'
import { messagingCommands } from './messaging.js'
import { Registry, createEntry } from './registry.js'
import { leaseHoldCommands } from './lease-hold.js'
import { createRequests } from './requests.js'
import { sandboxCommands } from './sandbox/commands.js'
import { openEmulatorLink } from './sandbox/emulator-link.js'
import { ensureSessionsDir, sessionFolder } from './sessions.js'
import { AUTH_REQUEST_TIMEOUT_MS, fileAuthBackend, postgresAuthBackend } from './auth-store.js'
import { socketFactoryFor } from './sockets/index.js'
import { createInboundHold, inboundHooksInstalled } from './inbound-hold.js'
import { makeCacheableSignalKeyStore } from 'baileys'

/*
 * The engine's commands (docs/engine-protocol.md, "Commands"). protocol.js has already
 * checked framing, the hello gate and the connectionId; each command here does one thing to
 * one socket or session folder and returns the reply's `result`, or throws an EngineError.
 * Lifecycle commands live here; messaging.js and sandbox/commands.js add the rest.
 */

const require = createRequire(import.meta.url)
const ENGINE_VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
const BAILEYS_VERSION = require('baileys/package.json').version

/** How long a socket gets to close / unlink before the engine moves on without it. */
const CLOSE_TIMEOUT_MS = 3000
const LOGOUT_TIMEOUT_MS = 5000

/**
 * @typedef {object} CommandContext
 * @property {(fn: () => void) => void} afterReply  runs fn right after this command's reply is written
 *
 * @typedef {object} CommandSpec
 * @property {boolean} needsHello       refused with invalid_state before a successful hello
 * @property {boolean} [connection]     args.connectionId must be a valid connection id
 * @property {(args: Record<string, any>, ctx: CommandContext) => Promise<object>} run
 */

/**
 * Creates the engine: settings (after hello), registry, and the command table.
 * @param {object} deps
 * @param {import('pino').Logger} deps.logger
 * @param {(connectionId: string, event: string, data: object) => void} deps.emitEvent
 * @param {(id: string, request: string, connectionId: string, data: object) => void} deps.sendRequest
 */
export function createEngine ({ logger, emitEvent, sendRequest }) {
  // Baileys rc14's signature checks are corrected before any socket exists (src/trust.js).
  applyTrustFixes()
  const registry = new Registry()
  /** Each connection's settings as Java last sent them (behaviour.js). */
  const behaviour = new SettingsStore()
  const requests = createRequests({ sendRequest, logger })
  /** @type {import('./config.js').EngineSettings|null} */
  let settings = null
  /** @type {import('./sockets/index.js').SocketFactory|null} */
  let factory = null
  /** The emulated WhatsApp (sandbox mode only). @type {import('./sandbox/emulator-link.js').EmulatorLink|null} */
  let link = null
  /** Live media downloads, one pool for every socket (null until hello, or when hello has no `media`). */
  let media = /** @type {ReturnType<typeof createMediaDownloader>|null} */ (null)
  /** Where auth state lives (hello `authStore`): session folders or Java's database. @type {import('./auth-store.js').AuthBackend|null} */
  let auth = null
  /** @type {import('pino').Logger} */
  let baileysLogger = logger.child({ class: 'baileys' }, { level: 'warn' })

  const requireSettings = () => /** @type {import('./config.js').EngineSettings} */ (settings)
  /** @param {string} id */
  const folderOf = (id) => sessionFolder(requireSettings().sessionsDir, id)

  /**
   * Closes a socket Java asked to close: no connection.close event will be emitted for it,
   * and it leaves the registry now, so a new socket for the same id can be registered.
   * @param {import('./registry.js').SessionEntry} entry
   * @param {{discardCreds?: boolean}} [opts]  true when the folder is about to be removed
   */
  async function closeQuietly (entry, { discardCreds = false } = {}) {
    entry.stoppedByUs = true
    if (discardCreds) entry.discardCreds = true
    registry.remove(entry)
    try {
      await withTimeout(Promise.resolve(entry.sock.end(undefined)), CLOSE_TIMEOUT_MS)
    } catch (err) {
      logger.warn({ err, connectionId: entry.connectionId }, 'socket did not close cleanly')
    }
  }

  /** @type {Record<string, CommandSpec>} */
  const commands = {
    hello: {
      needsHello: false,
      async run (args) {
        if (settings) throw new EngineError('invalid_state', 'hello already done')
        const parsed = parseHello(args)
        if (parsed.holdReceipts && !inboundHooksInstalled()) {
          throw new EngineError('internal', 'holdReceipts needs the Baileys receive-path patch (whatsapp/scripts/patch-baileys.mjs, run by npm install)')
        }
        logger.level = parsed.logLevel
        baileysLogger = logger.child({ class: 'baileys' }, { level: baileysLevelFor(parsed.logLevel) })
        try {
          await ensureSessionsDir(parsed.sessionsDir)
        } catch (err) {
          throw new EngineError('internal', `cannot create sessionsDir: ${/** @type {Error} */ (err).message}`)
        }
        // WhatsApp's root in production; the sandbox runs the real socket against an emulator
        // (its own, or a standalone one) and trusts that emulator's root.
        if (parsed.mode === 'sandbox') {
          try {
            link = await openEmulatorLink(parsed.sandbox, emulatorTrace(logger))
          } catch (err) {
            if (err instanceof EngineError) throw err
            throw new EngineError('internal', `cannot start the emulator: ${/** @type {Error} */ (err).message}`)
          }
          trustServerRoot(link.root)
          logger.info({ url: link.url, own: link.own, persisted: parsed.sandbox.emulatorDir !== null }, 'emulated WhatsApp ready')
        } else {
          trustServerRoot(null)
        }
        settings = parsed
        auth = parsed.authStore === 'postgres'
          ? postgresAuthBackend({ call: (id, request, data) => requests.call(id, request, data, AUTH_REQUEST_TIMEOUT_MS), logger })
          : fileAuthBackend(parsed.sessionsDir)
        factory = socketFactoryFor(parsed, link)
        media = parsed.media ? createMediaDownloader({ settings: parsed.media, logger }) : null
        logger.info({ mode: parsed.mode, sessionsDir: parsed.sessionsDir, authStore: parsed.authStore }, 'hello')
        return {
          protocol: PROTOCOL_VERSION,
          engine: 'wa-gateway-engine',
          version: ENGINE_VERSION,
          baileys: BAILEYS_VERSION,
          mode: parsed.mode,
          pid: process.pid
        }
      }
    },

    start: {
      needsHello: true,
      connection: true,
      /**
       * Replaces any socket for the id (silently), loads the session from the auth store
       * (auth-store.js), saves fresh creds at once so they exist from the first moment, creates the
       * socket and attaches the shared handlers. Its events are held until the reply is out.
       * With `ifAbsent: true` a live socket for the id is kept instead (`kept: true`): Java's
       * timers and notifications start that way, so two of them that coincide never replace the
       * socket the first one started (the lock orders them: the second sees the first's socket).
       */
      run: (args, ctx) => {
        // the connection's settings (optional; absent keeps what the id had) are checked first
        const settingsGiven = args.settings !== undefined && args.settings !== null ? parseSettings(args.settings) : null
        if (args.ifAbsent !== undefined && typeof args.ifAbsent !== 'boolean') {
          throw new EngineError('bad_request', 'ifAbsent must be a boolean')
        }
        return registry.withLock(args.connectionId, async () => {
          const connectionId = /** @type {string} */ (args.connectionId)
          if (settingsGiven) behaviour.set(connectionId, settingsGiven)
          const previous = registry.get(connectionId)
          if (previous && args.ifAbsent === true) return { hasSession: previous.hadSession, kept: true }
          if (previous) await closeQuietly(previous)

          const folder = folderOf(connectionId)
          const store = /** @type {import('./auth-store.js').AuthBackend} */ (auth)
          await store.settled(connectionId)
          const { state, saveCreds, fresh } = await store.open(connectionId)
          // a pairing code that was never entered left `me` behind: register afresh (linking.js)
          if (fresh || forgetUnfinishedPairing(state.creds)) await saveCreds()
          const hadSession = typeof state.creds.me?.id === 'string'

        const getMessage = requests.getMessageFor(connectionId)
        // sends to a group read its participants from here (groups.js), not one query per message
        const groupCache = createGroupCache()
        // receipts wait for Java's commit (inbound-hold.js): its key wrapper sits outside Baileys' cache
        const hold = requireSettings().holdReceipts
          ? createInboundHold({ keys: state.keys.cached ? state.keys : makeCacheableSignalKeyStore(state.keys, /** @type {any} */ (baileysLogger)), logger: logger.child({ connectionId }) })
          : null
        const { sock, qrTiming } = /** @type {import('./sockets/index.js').SocketFactory} */ (factory)({
          auth: hold ? { creds: state.creds, keys: hold.keys } : state,
          logger: baileysLogger.child({ connectionId }),
          getMessage,
          cachedGroupMetadata: async (/** @type {string} */ jid) => groupCache.get(jid),
          options: { ...socketOptionsFor(behaviour, connectionId), ...(hold?.socketConfig ?? {}) }
        })
        const { entry, release } = createEntry({ connectionId, folder, sock, hadSession, qrTiming, saveCreds, emitEvent })
        attachHandlers(entry, {
          registry, logger, ignoreStatusBroadcast: requireSettings().ignoreStatusBroadcast, getMessage, media, hold,
          ignoreChat: (jid) => isIgnoredChat(behaviour.get(connectionId), jid)
        })
        attachBehaviourHandlers(entry, { settings: behaviour, logger })
        Object.assign(entry, { groupCache })
        attachGroupHandlers(/** @type {any} */ (entry), logger)
        registry.set(entry)
        ctx.afterReply(release)
        logger.info({ connectionId, hasSession: hadSession, fresh }, 'socket started')
        return { hasSession: hadSession }
        })
      }
    },

    stop: {
      needsHello: true,
      connection: true,
      /** Closes the socket, keeps the folder; no close event. */
      run: (args) => registry.withLock(args.connectionId, async () => {
        const entry = registry.get(args.connectionId)
        if (!entry) return { stopped: false }
        await closeQuietly(entry)
        logger.info({ connectionId: args.connectionId }, 'socket stopped')
        return { stopped: true }
      })
    },

    logout: {
      needsHello: true,
      connection: true,
      /**
       * Unlinks the device when the socket is open (Baileys logout()), closes the socket and
       * removes the folder. `loggedOut` is true when there was a socket or session to remove.
       */
      run: (args) => registry.withLock(args.connectionId, async () => {
        const connectionId = /** @type {string} */ (args.connectionId)
        const store = /** @type {import('./auth-store.js').AuthBackend} */ (auth)
        const entry = registry.get(connectionId)
        let existed = await store.has(connectionId)
        if (entry) {
          existed = true
          entry.stoppedByUs = true
          entry.discardCreds = true
          if (entry.state === 'open') {
            try {
              await withTimeout(entry.sock.logout(), LOGOUT_TIMEOUT_MS)
            } catch (err) {
              logger.warn({ err, connectionId }, 'unlink request failed, removing the session anyway')
            }
          }
          await closeQuietly(entry, { discardCreds: true })
        }
        await store.remove(connectionId)
        logger.info({ connectionId, existed }, 'logged out, session removed')
        return { loggedOut: existed }
      })
    },

    purge: {
      needsHello: true,
      connection: true,
      /** Closes the socket if any and removes the folder. */
      run: (args) => registry.withLock(args.connectionId, async () => {
        const entry = registry.get(args.connectionId)
        if (entry) await closeQuietly(entry, { discardCreds: true })
        const removed = await /** @type {import('./auth-store.js').AuthBackend} */ (auth).remove(args.connectionId)
        behaviour.forget(args.connectionId)
        logger.info({ connectionId: args.connectionId, removed }, 'session purged')
        return { removed }
      })
    },

    list: {
      needsHello: true,
      async run () {
        return { connections: registry.all().map((e) => ({ connectionId: e.connectionId, state: e.state })) }
      }
    },

    ...messagingCommands({ registry, requests, logger, settings: requireSettings }),
    ...linkingCommands({ registry, logger }),
    ...contactCommands({ registry, logger }),
    ...behaviourCommands({ registry, settings: behaviour, logger }),
    ...groupCommands({ registry }),
    ...mediaCommands({ registry, media: () => media }),
    ...sandboxCommands({ settings: requireSettings, registry }),
    ...leaseHoldCommands({ registry, closeQuietly, logger })
  }

  /**
   * Closes every socket (sessions kept, no close events) and waits briefly for creds writes
   * in flight, so an exiting engine leaves every session folder consistent.
   */
  async function shutdown () {
    const entries = registry.all()
    await Promise.all(entries.map((e) => closeQuietly(e)))
    requests.cancelAll()
    const writes = entries.flatMap((e) => [...e.pendingWrites])
    await withTimeout(Promise.allSettled(writes), CLOSE_TIMEOUT_MS).catch(() => {})
    // After the sockets: the emulator saves its state a last time as it closes.
    if (link) await withTimeout(link.close(), CLOSE_TIMEOUT_MS).catch((err) => logger.warn({ err }, 'emulator did not close cleanly'))
    logger.info({ closed: entries.length }, 'all sockets closed')
  }

  return {
    commands,
    shutdown,
    isReady: () => settings !== null,
    registry
  }
}

/**
 * The in-process emulator's protocol trace, at debug level (errors at warn).
 * @param {import('pino').Logger} logger
 */
function emulatorTrace (logger) {
  const log = logger.child({ class: 'emulator' })
  return (/** @type {string} */ kind, /** @type {any[]} */ ...args) => {
    if (kind === 'error' || kind === 'refused') log.warn({ kind, args }, 'emulator')
    else if (log.isLevelEnabled('trace')) log.trace({ kind, session: args[0] }, 'emulator')
  }
}

/**
 * Rejects if `promise` has not settled within `ms`.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T>}
 */
function withTimeout (promise, ms) {
  /** @type {NodeJS.Timeout|undefined} */
  let timer
  return Promise.race([
    promise,
    new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms) })
  ]).finally(() => clearTimeout(timer))
}
