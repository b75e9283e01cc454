import { EngineError } from '../errors.js'
import { emulatorMessagingControls } from '../sandbox/emulator-messaging.js'
import { emulatorInitialHistory } from '../sandbox/seed-history.js'
import { createBaileysSocket } from './baileys.js'
import { emulatorGroupControls } from '../sandbox/emulator-groups.js'

/*
 * The sandbox socket: the REAL Baileys socket (createBaileysSocket, the production path)
 * dialing the emulated WhatsApp (sandbox/emulator-link.js), plus the `sandbox` controls the
 * sandbox.* commands drive. Nothing is simulated on the client side: pairing, login, prekeys,
 * messaging and stream errors are Baileys talking to the emulator.
 */

/**
 * What the sandbox.* commands drive (sandbox/commands.js validates the arguments first).
 * @typedef {object} SandboxControls
 * @property {() => boolean} isShowingQr
 * @property {(a: {phone: string, name: string|null}) => Promise<{linked: true, jid: string}>} scan
 * @property {(a: {phone: string, code: string}) => Promise<{linked: boolean, jid: string|null, reason: string|null}>} pairWithCode
 * @property {(a: {phone: string, name?: string, onWhatsApp?: boolean, picture?: string}) => Promise<any>} contact
 * @property {(code: number) => Promise<void>} drop
 * @property {(a: {type: string, from: string, message: string|null, replyTo: string|null, asLid: boolean, pushName: string|null, messageId: string|null, media?: Buffer|null, fileName?: string|null, mimeType?: string|null, seconds?: number|null}) => Promise<{providerMessageId: string, remoteJid: string}>} inbound
 * @property {(a: {id: string, status: string, remoteJid: string|null}) => Promise<any>} receipt
 * @property {(count: number, code: number) => Promise<number>} fail
 * @property {(a: {id: string, remoteJid: string|null}) => Promise<{found: boolean, message: any}>} retryRequest
 * @property {(a: {count: number, batch: number, senders: number}) => Promise<{emitted: number, ms: number}>} burst
 * @property {() => Promise<{messages: Array<{id: string, jid: string, count: number}>}>} sentLog
 * @property {(a: {from: string, state: string}) => Promise<{sent: number}>} contactPresence
 * @property {(a: {from: string, video: boolean}) => Promise<{callId: string, sent: number}>} call
 * @property {(contact: string) => Promise<any>} contactView
 * @property {(a: {kind: string, untilMs: number|null, enforcementType: string|null, silent?: boolean}) => Promise<any>} restrict
 * @property {(kind: string) => Promise<{kind: string, lifted: boolean}>} lift
 */

/** Baileys' own QR schedule (socket.js): first ref 60 s, later ones 20 s, when qrTimeout is unset. */
const BAILEYS_QR = { firstMs: 60000, nextMs: 20000 }

/**
 * The QR lifetime to hand Baileys. Baileys has one knob (`qrTimeout`) for every ref; with the
 * sandbox defaults (60 s / 20 s) it is left unset so Baileys runs its own schedule, otherwise
 * every ref lives `qrNextMs` (docs/decisions.md, "QR timing through the real socket").
 * @param {import('../config.js').SandboxSettings} sandbox
 * @returns {number|undefined}
 */
export function qrTimeoutFor (sandbox) {
  if (sandbox.qrFirstMs === BAILEYS_QR.firstMs && sandbox.qrNextMs === BAILEYS_QR.nextMs) return undefined
  return sandbox.qrNextMs
}

/**
 * @param {object} opts
 * @param {{creds: any, keys: any}} opts.auth
 * @param {import('pino').Logger} opts.logger
 * @param {import('../config.js').EngineSettings} opts.settings
 * @param {import('../sandbox/emulator-link.js').EmulatorLink} opts.link
 * @param {(key: any) => Promise<any>} opts.getMessage
 * @param {object} [opts.options]  makeWASocket settings that follow the connection's settings
 * @returns {{sock: import('../registry.js').EngineSocket, qrTiming: import('../registry.js').QrTiming}}
 */
export function createEmulatorSocket ({ auth, logger, settings, link, getMessage, cachedGroupMetadata, options = {} }) {
  const qrTimeoutMs = qrTimeoutFor(settings.sandbox)
  const { sock, qrTiming } = createBaileysSocket({
    auth,
    logger,
    baileys: { ...settings.baileys, waWebSocketUrl: link.url, qrTimeoutMs },
    getMessage,
    cachedGroupMetadata,
    extraConfig: { ...link.socketConfig, ...options }
  })
  // The QR currently showing (Baileys' connection.update `qr`): what the emulated phone scans.
  /** @type {string|null} */ let qr = null
  let closed = false
  let open = false
  sock.ev.on('connection.update', (/** @type {any} */ u) => {
    if (typeof u.qr === 'string') qr = u.qr
    if (u.connection === 'open' || u.isNewLogin) qr = null
    if (u.connection === 'open') open = true
    if (u.connection === 'close') { qr = null; closed = true; open = false }
  })

  /** The jid of this socket's linked device, or invalid_state when it has none yet. */
  const deviceJid = () => {
    const id = sock.user?.id
    if (typeof id !== 'string') throw new EngineError('invalid_state', 'this connection has no linked device yet')
    return id
  }

  /** The in-process emulator (presence and calls have no control route on a standalone one). */
  const ownEmulator = () => {
    if (!link.emulator) throw new EngineError('invalid_state', 'presence and calls need the engine\'s own emulator (not a standalone one)')
    return link.emulator
  }
  /** This account's phone, once the socket is open. */
  const openPhone = () => {
    if (!open) throw new EngineError('invalid_state', 'the connection is not open')
    return deviceJid().split(/[:@]/)[0]
  }

  sock.sandbox = /** @type {any} */ ({
    isShowingQr: () => qr !== null,
    /** The phone scans the QR showing now; resolves once the emulator linked the device (the 515 restart follows). */
    async scan ({ phone, name }) {
      if (!qr) throw new EngineError('invalid_state', 'no QR is showing on this connection')
      // The phone's history (sandbox.historyChats chats): the emulator sends it at the new
      // device's first login, so it must be set before the scan.
      // Seeded on both kinds of emulator (in-process, or a standalone one's /control/history/seed),
      // so both give the same history; historyChats 0 seeds an empty one, so an earlier seed of
      // this phone (another gateway, an earlier test) is not what the new device gets.
      const { bootstrap, held } = emulatorInitialHistory({ chats: settings.sandbox.historyChats })
      await link.seedHistory(phone, bootstrap, held)
      try {
        // a name makes the phone a Business account: its pair-success names it (Baileys' me.name)
        const paired = await link.scan(qr, phone, name)
        return { linked: true, jid: paired.jid }
      } catch (err) {
        if (err instanceof EngineError) throw err
        throw new EngineError('invalid_state', `scan refused: ${/** @type {Error} */ (err).message}`)
      }
    },
    /**
     * The phone enters the pairing code this socket asked for (pairing.request). Resolves with
     * the link (the 515 restart follows, as after a scan) or the phone's refusal: `wrong_code`,
     * `expired` (the registration this code belonged to is over), `no_request` (no companion
     * asked for a code for this phone). The phone's history is seeded first, as for a scan.
     */
    async pairWithCode ({ phone, code }) {
      if (!qr) throw new EngineError('invalid_state', 'this connection is not waiting to be linked')
      const { bootstrap, held } = emulatorInitialHistory({ chats: settings.sandbox.historyChats })
      await link.seedHistory(phone, bootstrap, held)
      const r = await link.enterPairingCode(phone, code)
      return r.linked ? { linked: true, jid: r.jid ?? null, reason: null } : { linked: false, jid: null, reason: r.reason ?? 'refused' }
    },
    /** What a simulated contact shows other users: name, on WhatsApp or not, profile picture. */
    async contact ({ phone, ...profile }) {
      return link.setContact(phone, profile)
    },
    /**
     * The server ends this device's connection with a stream error for `code` (401 also unlinks
     * the device on the emulator, as when the phone removes it).
     */
    async drop (code) {
      if (closed) throw new EngineError('invalid_state', 'socket already closed')
      const ended = await link.streamError(deviceJid(), code)
      if (ended === 0) throw new EngineError('invalid_state', 'the emulator holds no live session for this connection')
    },
    /**
     * WhatsApp restricts this connection's account (reach-out time lock or message capping):
     * the emulator sends the notification Baileys parses, and refuses new contacts with 463.
     */
    async restrict ({ kind, untilMs, enforcementType, silent = false }) {
      const phone = deviceJid().split(/[:@]/)[0]
      return link.restrict(phone, { kind, untilMs, ...(enforcementType ? { enforcementType } : {}), ...(silent ? { silent } : {}) })
    },
    /** WhatsApp lifts that restriction (the notification saying it is over). */
    async lift (kind) {
      return link.lift(deviceJid().split(/[:@]/)[0], kind)
    },
    ...emulatorMessagingControls({ link, phone: () => deviceJid().split(/[:@]/)[0], isOpen: () => open }),
    // Presence, calls and what a contact got (emulator/presence.js; in-process emulator only).
    async contactPresence ({ from, state }) {
      return ownEmulator().presence.contactPresence(openPhone(), { from, state })
    },
    async call ({ from, video }) {
      return ownEmulator().presence.call(openPhone(), { from, video })
    },
    /** What one contact got from this account: chat states, subscription, calls, read receipts. */
    async contactView (contact) {
      const emulator = ownEmulator()
      const account = deviceJid().split(/[:@]/)[0]
      const seen = emulator.presence.seenBy(account, contact)
      const received = emulator.messaging.received(account)
        .filter((/** @type {any} */ m) => m.from === contact)
        .map((/** @type {any} */ m) => ({ id: m.id, receipts: m.receipts.map((/** @type {any} */ r) => r.type) }))
      return { ...seen, messages: received }
    },
    ...emulatorGroupControls({ link, phone: () => deviceJid().split(/[:@]/)[0], isOpen: () => open })
  })
  return { sock, qrTiming }
}
