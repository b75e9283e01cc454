import { join } from 'node:path'
import { enterCode } from '../../emulator/control.js'
import { createEmulator } from '../../emulator/emulator.js'
import { EngineError } from '../errors.js'
import { mediaHostsFor } from '../media-hosts.js'

/*
 * The sandbox engine's handle on the emulated WhatsApp (socket mode "emulator"), one per
 * engine: either an emulator this engine runs in its own process (default; persisted under
 * `sandbox.emulatorDir`, so an engine restart finds the same accounts), or a standalone one
 * (`sandbox.emulatorUrl`, `node whatsapp/emulator/server.js`) driven over its HTTP control API.
 * Both answer the same few operations the sandbox commands need, so nothing above this file
 * knows which it is (docs/decisions.md, "The sandbox engine runs its emulator in-process").
 */

/**
 * @typedef {object} EmulatorLink
 * @property {string} url                              WebSocket URL the Baileys sockets dial
 * @property {{publicKey: Buffer, serial: number}} root the certificate root to trust
 * @property {boolean} own                             this engine runs it (and closes it on shutdown)
 * @property {(qr: string, phone: string, name?: string|null) => Promise<{jid: string, lid: string, deviceId: number}>} scan
 *   `name`: the phone is a WhatsApp Business account of that name (WhatsApp then hands the device its name at pairing)
 * @property {(phone: string, code: string) => Promise<{linked: boolean, jid?: string, reason?: string, message?: string}>} enterPairingCode
 *   the phone enters a pairing code (emulator/pairing-code.js); a refusal is `linked: false` with the phone's reason
 * @property {(phone: string, profile: {name?: string, onWhatsApp?: boolean, picture?: string}) => Promise<any>} setContact
 *   what a simulated contact shows (emulator/profiles.js)
 * @property {(jid: string, code: number) => Promise<number>} streamError  ends that device's live sessions
 * @property {(jid: string) => Promise<number>} drop   drops them without a close frame
 * @property {(phone: string, input: any, held?: any) => Promise<void>} seedHistory  what the phone sends the device it links
 *   next (emulator history.seed; a standalone emulator's POST /control/history/seed), `held` the older messages it keeps for on-demand requests
 * @property {(phone: string, r: {kind: string, untilMs?: number|null, enforcementType?: string, silent?: boolean}) => Promise<any>} restrict
 *   WhatsApp restricts the account (emulator/restrictions.js): its devices get the notification
 * @property {(phone: string, kind: string) => Promise<{kind: string, lifted: boolean}>} lift  and lifts it
 * @property {any|null} emulator                       the in-process emulator (null when standalone)
 * @property {any|null} messaging                      the emulator's messaging controls (emulator.messaging, or the same over HTTP); null when it has none
 * @property {object} socketConfig                     extra makeWASocket config for sockets dialing it (e.g. the media host redirect)
 * @property {() => Promise<void>} close
 */

/** How long one control request to a standalone emulator may take (a scan waits for the companion). */
const CONTROL_TIMEOUT_MS = 30000
/**
 * A benchmark burst answers once the device acknowledged every message: with Signal decryption
 * a connection's share of a flood takes longer than 30 s. Below fetch's 300 s headers timeout.
 */
const BURST_TIMEOUT_MS = 280000

/**
 * Opens the link for these sandbox settings (socket mode "emulator").
 * @param {import('../config.js').SandboxSettings} sandbox
 * @param {(kind: string, ...args: any[]) => void} [log]  emulator protocol trace
 * @returns {Promise<EmulatorLink>}
 */
export async function openEmulatorLink (sandbox, log) {
  const standalone = sandbox.emulatorUrl ?? sandbox.emulator?.url ?? null
  const link = standalone ? await standaloneLink(standalone, sandbox.emulator) : await ownLink(sandbox, log)
  // Baileys' media uploads and downloads (WhatsApp's media hosts) go to this emulator instead.
  const media = mediaHostsFor({ mode: 'sandbox', emulatorUrl: link.url })
  if (media) {
    await media.install()
    link.socketConfig = media.socketConfig
    const close = link.close
    link.close = async () => { media.uninstall(); await close() }
  }
  return link
}

/**
 * An emulator in this process, persisted under `sandbox.emulatorDir` (media blobs in its
 * `media` folder) when set.
 * @param {import('../config.js').SandboxSettings} sandbox @param {(kind: string, ...args: any[]) => void} [log]
 * @returns {Promise<EmulatorLink>}
 */
async function ownLink (sandbox, log) {
  const dataDir = sandbox.emulatorDir ?? undefined
  const emulator = await createEmulator({
    qrRefs: sandbox.qrRefs,
    // the contacts' automatic delivery receipts (0 = none), as sandbox.receiptDelayMs promises
    deliveryDelayMs: sandbox.receiptDelayMs > 0 ? sandbox.receiptDelayMs : null,
    // and their reads after twice that (docs/engine-protocol.md)
    readDelayMs: sandbox.receiptDelayMs > 0 ? 2 * sandbox.receiptDelayMs : null,
    dataDir,
    log,
    ...(dataDir ? { media: { dir: join(dataDir, 'media') } } : {})
  })
  const t = emulator.trust()
  return {
    url: emulator.url,
    root: { publicKey: t.rootPublicKey, serial: t.serial },
    own: true,
    emulator,
    messaging: emulator.messaging ?? null,
    socketConfig: {},
    scan: (qr, phone, name) => emulator.scan(qr, phone, name ? { businessName: name } : {}),
    enterPairingCode: (phone, code) => enterCode(emulator, phone, code),
    setContact: async (phone, profile) => emulator.setContact(phone, profile),
    streamError: async (jid, code) => emulator.streamError(jid, code),
    drop: async (jid) => emulator.drop(jid),
    seedHistory: async (phone, input, held) => { emulator.history.seed(phone, input, held) },
    restrict: async (phone, r) => emulator.restrictions.restrict(phone, r),
    lift: async (phone, kind) => emulator.restrictions.lift(phone, kind),
    close: () => emulator.close()
  }
}

/**
 * A standalone emulator: its root comes from `GET /control/info` unless hello named it
 * explicitly (`sandbox.emulator`), in which case the two must agree.
 * @param {string} wsUrl @param {import('../config.js').EmulatorSettings} [explicit]
 * @returns {Promise<EmulatorLink>}
 */
async function standaloneLink (wsUrl, explicit) {
  const u = new URL(wsUrl)
  const base = `${u.protocol === 'wss:' ? 'https' : 'http'}://${u.host}`
  /** @param {string} method @param {string} path @param {object} [body] @param {number} [timeoutMs] */
  const call = async (method, path, body, timeoutMs = CONTROL_TIMEOUT_MS) => {
    let res
    try {
      res = await fetch(base + path, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs)
      })
    } catch (err) {
      const cause = /** @type {any} */ (err)?.cause
      const why = cause ? ` (${cause.code ?? ''} ${cause.message ?? cause})` : ''
      throw new EngineError('internal', `emulator at ${base} unreachable: ${/** @type {Error} */ (err).message}${why}`)
    }
    const json = await res.json().catch(() => null)
    if (!res.ok) {
      const message = json?.error?.message ?? `HTTP ${res.status}`
      const code = { 400: 'bad_request', 404: 'not_found', 409: 'invalid_state' }[res.status] ?? 'internal'
      throw new EngineError(/** @type {any} */ (code), `emulator: ${message}`)
    }
    return json
  }
  const info = await call('GET', '/control/info')
  const root = { publicKey: Buffer.from(String(info.rootPublicKey), 'base64'), serial: Number(info.serial) }
  if (root.publicKey.length !== 32) throw new EngineError('internal', 'emulator /control/info has no 32-byte root key')
  if (explicit && !explicit.rootPublicKey.equals(root.publicKey)) {
    throw new EngineError('bad_request', 'sandbox.emulator.rootPublicKey is not the root of the emulator at that URL')
  }
  const phoneOf = (/** @type {string} */ jid) => jid.split(/[:@]/)[0]
  return {
    url: wsUrl,
    root,
    own: false,
    emulator: null,
    messaging: {
      inbound: (phone, spec) => call('POST', '/control/inbound', stripUndefined({ phone, ...spec })),
      receipt: (phone, r) => call('POST', '/control/receipt', stripUndefined({ phone, ...r })),
      fail: (phone, f) => call('POST', '/control/fail', { phone, ...f }),
      holdAcks: (phone, h) => call('POST', '/control/hold-acks', { phone, ...h }),
      retryRequest: (phone, r) => call('POST', '/control/retry-request', stripUndefined({ phone, ...r })),
      burst: (phone, b) => call('POST', '/control/burst', stripUndefined({ phone, ...b }), BURST_TIMEOUT_MS),
      sent: async (phone) => (await call('GET', `/control/sent/${phone}`)).messages
    },
    socketConfig: {},
    scan: (qr, phone, name) => call('POST', '/control/scan', stripUndefined({ qr, phone, name: name ?? undefined })),
    enterPairingCode: (phone, code) => call('POST', '/control/pair-code', { phone, code }),
    setContact: (phone, profile) => call('POST', '/control/contact', stripUndefined({ phone, ...profile })),
    streamError: async (jid, code) => (await call('POST', '/control/stream-error', { phone: phoneOf(jid), jid, code })).sessions,
    drop: async (jid) => (await call('POST', '/control/drop', { phone: phoneOf(jid), jid })).sessions,
    seedHistory: async (phone, input, held) => { await call('POST', '/control/history/seed', stripUndefined({ phone, ...input, held })) },
    restrict: (phone, r) => call('POST', '/control/restrict', stripUndefined({ phone, ...r })),
    lift: (phone, kind) => call('POST', '/control/lift', { phone, kind }),
    close: async () => {}
  }
}

/** The object without its undefined fields (the control API refuses unknown or null ones). @param {Record<string, any>} o */
function stripUndefined (o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}
