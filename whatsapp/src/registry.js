/*
 * The session registry: which socket the engine holds for which connectionId, and the few
 * facts about that socket the handlers need to report honestly. One typed entry per socket
 * (not per connectionId): when `start` replaces a socket, the old entry keeps its own flags,
 * so a late event from the old socket can never be mistaken for the new one.
 */

/**
 * @typedef {'connecting'|'qr'|'authenticated'|'open'} ConnectionState
 *   What the engine last saw on this socket (reported by `list`; Java owns the real state).
 */

/**
 * The part of a Baileys socket the engine uses: the real Baileys socket in both modes
 * (sockets/baileys.js; the sandbox's sockets/emulator.js adds `sandbox`).
 * @typedef {object} EngineSocket
 * @property {import('node:events').EventEmitter & {process?: Function}} ev  Baileys' event emitter
 * @property {{id: string, name?: string}|undefined} user                    creds.me
 * @property {{creds: any, keys: any}} authState
 * @property {(error?: Error) => Promise<void>|void} end                     close, emits connection.update close once
 * @property {(msg?: string) => Promise<void>} logout                        unlink the device, then end(401)
 * @property {(jid: string, content: any, options?: any) => Promise<any>} sendMessage  Baileys sendMessage (resolves with the WAMessage)
 * @property {(count: number, oldestKey: any, oldestTimestampMs: number) => Promise<string>} fetchMessageHistory  resolves with the request id
 * @property {{lidMapping?: {getPNsForLIDs: (lids: string[]) => Promise<Array<{lid: string, pn: string}>|null>, getLIDsForPNs?: (pns: string[]) => Promise<Array<{lid: string, pn: string}>|null>}}} [signalRepository]  Baileys' LID ↔ PN store
 * @property {(phone: string) => Promise<string>} [requestPairingCode]       asks WhatsApp for a linking code (after the first QR)
 * @property {(...jids: string[]) => Promise<Array<{jid: string, exists: boolean}>|undefined>} [onWhatsApp]  one usync contact query
 * @property {(jid: string, type?: string) => Promise<string|undefined>} [profilePictureUrl]  w:profile:picture
 * @property {import('node:events').EventEmitter} [ws]                      Baileys' socket client (frame callbacks `CB:…`)
 * @property {import('./sockets/emulator.js').SandboxControls} [sandbox]    only on sandbox sockets
 */

/**
 * How long QR refs live on this socket, so `connection.qr` can carry `expiresAt`.
 * @typedef {{firstMs: number, nextMs: number}} QrTiming
 */

/**
 * @typedef {object} SessionEntry
 * @property {string} connectionId       validated, also the session folder name
 * @property {string} folder             `${sessionsDir}/${connectionId}`
 * @property {EngineSocket} sock
 * @property {ConnectionState} state
 * @property {boolean} hadSession        creds held a registered login when this socket was created
 * @property {boolean} authenticated     this socket has emitted connection.authenticated
 * @property {boolean} wasOpen           this socket has reached connection 'open'
 * @property {boolean} stoppedByUs       Java asked for the close (start/stop/logout/purge/shutdown): emit no close event
 * @property {boolean} discardCreds      the folder is being removed: stop persisting creds
 * @property {number} qrCount            QR refs emitted so far (the `ref` of connection.qr)
 * @property {QrTiming} qrTiming
 * @property {number|null} qrFirstAt    epoch ms of this socket's first QR ref, null before it
 * @property {number|null} qrRefs       QR refs the server handed out (pair-device), null before
 * @property {() => Promise<void>} saveCreds
 * @property {Set<Promise<unknown>>} pendingWrites  creds writes in flight (awaited on shutdown)
 * @property {(event: string, data: object) => void} emit  emits a protocol event for this connection
 */

/** Holds the live sockets, one per connectionId, and serialises lifecycle commands per id. */
export class Registry {
  constructor () {
    /** @type {Map<string, SessionEntry>} */
    this.entries = new Map()
    /** @type {Map<string, Promise<unknown>>} */
    this.locks = new Map()
  }

  /** @param {string} connectionId */
  get (connectionId) {
    return this.entries.get(connectionId)
  }

  /** @param {SessionEntry} entry */
  set (entry) {
    this.entries.set(entry.connectionId, entry)
  }

  /**
   * Removes the entry only if it is still the registered one, so an old socket closing late
   * cannot evict the socket that replaced it.
   * @param {SessionEntry} entry
   * @returns {boolean} whether it was removed
   */
  remove (entry) {
    if (this.entries.get(entry.connectionId) !== entry) return false
    this.entries.delete(entry.connectionId)
    return true
  }

  /** @returns {SessionEntry[]} */
  all () {
    return [...this.entries.values()]
  }

  /**
   * Runs `fn` after every earlier lifecycle command for the same connectionId has settled.
   * Guarantees start/stop/logout/purge for one connection never interleave (two `start`s
   * would otherwise race on the same folder and leak a socket); different ids run in parallel.
   * @template T
   * @param {string} connectionId
   * @param {() => Promise<T>} fn
   * @returns {Promise<T>}
   */
  withLock (connectionId, fn) {
    const previous = this.locks.get(connectionId) ?? Promise.resolve()
    const run = previous.then(fn, fn)
    const tail = run.catch(() => {})
    this.locks.set(connectionId, tail)
    tail.then(() => { if (this.locks.get(connectionId) === tail) this.locks.delete(connectionId) })
    return run
  }
}

/**
 * Creates the entry for a freshly made socket. Events emitted through `entry.emit` are held
 * until `release()` is called (after the `start` reply is written), so Java always sees the
 * reply to `start` before any event of the socket it created.
 * @param {object} init
 * @param {string} init.connectionId
 * @param {string} init.folder
 * @param {EngineSocket} init.sock
 * @param {boolean} init.hadSession
 * @param {QrTiming} init.qrTiming
 * @param {() => Promise<void>} init.saveCreds
 * @param {(connectionId: string, event: string, data: object) => void} init.emitEvent
 * @returns {{entry: SessionEntry, release: () => void}}
 */
export function createEntry ({ connectionId, folder, sock, hadSession, qrTiming, saveCreds, emitEvent }) {
  /** @type {Array<[string, object]>|null} */
  let held = []
  /** @type {SessionEntry} */
  const entry = {
    connectionId,
    folder,
    sock,
    state: /** @type {ConnectionState} */ ('connecting'),
    hadSession,
    authenticated: false,
    wasOpen: false,
    stoppedByUs: false,
    discardCreds: false,
    qrCount: 0,
    qrFirstAt: null,
    qrRefs: null,
    qrTiming,
    saveCreds,
    pendingWrites: new Set(),
    /** @param {string} event @param {object} data */
    emit (event, data) {
      if (held) held.push([event, data])
      else emitEvent(connectionId, event, data)
    }
  }
  const release = () => {
    const queue = held ?? []
    held = null
    for (const [event, data] of queue) emitEvent(connectionId, event, data)
  }
  return { entry, release }
}
