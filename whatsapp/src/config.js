import { isAbsolute, resolve } from 'node:path'
import { EngineError } from './errors.js'
import { LOG_LEVELS } from './logger.js'

/** Protocol version this engine speaks (docs/engine-protocol.md). */
export const PROTOCOL_VERSION = 1

/**
 * Typed engine settings, read once from `hello` (the engine reads no env for these).
 * @typedef {object} EngineSettings
 * @property {'baileys'|'sandbox'} mode
 * @property {string} sessionsDir       absolute path; session folders are `${sessionsDir}/${connectionId}`
 * @property {'files'|'postgres'} authStore  where Baileys' auth state lives: session folders, or Java's
 *   database through `auth.*` requests (auth-store.js)
 * @property {string|null} mediaDir     absolute path of Java's media store: a media `send` reads its
 *   file only from inside it; null = media sends by path are refused
 * @property {string} logLevel
 * @property {boolean} ignoreStatusBroadcast  drop `status@broadcast` messages (WhatsApp Status posts)
 * @property {boolean} holdReceipts  a received message's receipt waits until Java confirms it stored the message (inbound-hold.js)
 * @property {import('./media-download.js').MediaSettings|null} media  where and how live media are downloaded; null = not downloaded
 * @property {BaileysSettings} baileys
 * @property {SandboxSettings} sandbox
 *
 * @typedef {object} BaileysSettings
 * @property {string|null} waWebSocketUrl  null = Baileys' default (wss://web.whatsapp.com/ws/chat)
 * @property {number} connectTimeoutMs
 *
 * @typedef {object} SandboxSettings
 * @property {number} qrFirstMs       lifetime of the first QR ref
 * @property {number} qrNextMs        lifetime of every later ref
 * @property {number} qrRefs          refs per QR session before it closes with 408
 * @property {number} connectDelayMs  accepted for compatibility; no effect (the emulator's network is real loopback)
 * @property {number} receiptDelayMs  a sent message is delivered after this, read after twice this; 0 = no automatic receipts
 * @property {number} historyChats    chats in the history sync after a fresh pairing (60, 12, 5, 5 … messages); 0 = none
 * @property {'emulator'} socket  the sandbox's only socket: the real Baileys socket against the emulated
 *   WhatsApp (sockets/emulator.js); the fake socket "simulated" was removed and is refused
 * @property {string|null} emulatorUrl  socket "emulator": a standalone emulator's WebSocket URL (loopback); null = the engine starts its own
 * @property {string|null} emulatorDir  socket "emulator", own emulator: where it persists its state (absolute); null = in memory
 * @property {EmulatorSettings} [emulator]  present only when hello carried `sandbox.emulator`
 *
 * @typedef {object} EmulatorSettings  the emulated WhatsApp a sandbox engine trusts (docs/emulator.md)
 * @property {string} url              its WebSocket URL; always loopback
 * @property {Buffer} rootPublicKey    32-byte Curve25519 root its certificate chain leads to
 * @property {number} rootSerial       the root's serial (the intermediate's issuerSerial)
 */

const DEFAULTS = {
  logLevel: 'info',
  ignoreStatusBroadcast: true,
  baileys: { waWebSocketUrl: null, connectTimeoutMs: 20000 },
  sandbox: { qrFirstMs: 60000, qrNextMs: 20000, qrRefs: 6, connectDelayMs: 50, receiptDelayMs: 300, historyChats: 3 }
}

/** Upper bound for sandbox.historyChats (each chat is a few dozen generated messages). */
const MAX_HISTORY_CHATS = 50

/**
 * Validates `hello` args and fills defaults. Throws EngineError('bad_request') on anything
 * it cannot use, so a misconfigured JVM learns it from the reply instead of from a crash.
 * @param {any} args
 * @returns {EngineSettings}
 */
export function parseHello (args) {
  if (!isObject(args)) throw bad('args must be an object')
  if (args.protocol !== PROTOCOL_VERSION) {
    throw bad(`protocol ${JSON.stringify(args.protocol)} not supported, engine speaks ${PROTOCOL_VERSION}`)
  }
  if (args.mode !== 'baileys' && args.mode !== 'sandbox') throw bad('mode must be "baileys" or "sandbox"')
  if (typeof args.sessionsDir !== 'string' || args.sessionsDir.trim() === '') throw bad('sessionsDir must be a non-empty string')
  const logLevel = args.logLevel ?? DEFAULTS.logLevel
  if (!LOG_LEVELS.includes(logLevel)) throw bad(`logLevel must be one of ${LOG_LEVELS.join(', ')}`)

  const authStore = args.authStore ?? 'files'
  if (authStore !== 'files' && authStore !== 'postgres') throw bad('authStore must be "files" or "postgres"')

  const ignoreStatusBroadcast = args.ignoreStatusBroadcast ?? DEFAULTS.ignoreStatusBroadcast
  if (typeof ignoreStatusBroadcast !== 'boolean') throw bad('ignoreStatusBroadcast must be a boolean')
  const holdReceipts = args.holdReceipts ?? false
  if (typeof holdReceipts !== 'boolean') throw bad('holdReceipts must be a boolean')

  const b = args.baileys ?? {}
  const s = args.sandbox ?? {}
  if (!isObject(b) || !isObject(s)) throw bad('baileys and sandbox must be objects')
  const waWebSocketUrl = b.waWebSocketUrl ?? null
  if (waWebSocketUrl !== null) {
    if (typeof waWebSocketUrl !== 'string' || !/^wss?:\/\//.test(waWebSocketUrl)) throw bad('baileys.waWebSocketUrl must be a ws:// or wss:// URL or null')
    try { new URL(waWebSocketUrl) } catch { throw bad('baileys.waWebSocketUrl is not a valid URL') } // eslint-disable-line no-new
  }

  return {
    mode: args.mode,
    sessionsDir: isAbsolute(args.sessionsDir) ? args.sessionsDir : resolve(args.sessionsDir),
    authStore,
    mediaDir: args.mediaDir === undefined || args.mediaDir === null ? null : absoluteDir(args.mediaDir, 'mediaDir'),
    logLevel,
    ignoreStatusBroadcast,
    holdReceipts,
    media: mediaSettings(args.media),
    baileys: {
      waWebSocketUrl,
      connectTimeoutMs: positiveInt(b.connectTimeoutMs, DEFAULTS.baileys.connectTimeoutMs, 'baileys.connectTimeoutMs')
    },
    sandbox: {
      qrFirstMs: positiveInt(s.qrFirstMs, DEFAULTS.sandbox.qrFirstMs, 'sandbox.qrFirstMs'),
      qrNextMs: positiveInt(s.qrNextMs, DEFAULTS.sandbox.qrNextMs, 'sandbox.qrNextMs'),
      qrRefs: positiveInt(s.qrRefs, DEFAULTS.sandbox.qrRefs, 'sandbox.qrRefs'),
      connectDelayMs: nonNegativeInt(s.connectDelayMs, DEFAULTS.sandbox.connectDelayMs, 'sandbox.connectDelayMs'),
      receiptDelayMs: nonNegativeInt(s.receiptDelayMs, DEFAULTS.sandbox.receiptDelayMs, 'sandbox.receiptDelayMs'),
      historyChats: historyChats(s.historyChats),
      socket: socketMode(s.socket),
      emulatorUrl: s.emulatorUrl === undefined || s.emulatorUrl === null ? null : loopbackWsUrl(s.emulatorUrl, 'sandbox.emulatorUrl'),
      emulatorDir: s.emulatorDir === undefined || s.emulatorDir === null ? null : absoluteDir(s.emulatorDir, 'sandbox.emulatorDir'),
      ...(s.emulator === undefined || s.emulator === null ? {} : { emulator: emulatorSettings(args.mode, s.emulator) })
    }
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]'])

/**
 * `sandbox.emulator`: the only way to make the engine trust a certificate root other than
 * WhatsApp's. Accepted only in sandbox mode and only for a loopback WebSocket URL, so a
 * production engine can never be pointed at a foreign root (docs/decisions.md).
 * @param {string} mode @param {unknown} e @returns {EmulatorSettings}
 */
function emulatorSettings (mode, e) {
  if (mode !== 'sandbox') throw bad('sandbox.emulator is only accepted in sandbox mode')
  if (!isObject(e)) throw bad('sandbox.emulator must be an object')
  const url = loopbackWsUrl(e.url, 'sandbox.emulator.url')
  const key = typeof e.rootPublicKey === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(e.rootPublicKey) ? Buffer.from(e.rootPublicKey, 'base64') : null
  if (!key || key.length !== 32) throw bad('sandbox.emulator.rootPublicKey must be a base64 32-byte key')
  const rootSerial = e.rootSerial ?? 0
  if (!Number.isInteger(rootSerial) || rootSerial < 0) throw bad('sandbox.emulator.rootSerial must be a non-negative integer')
  return { url, rootPublicKey: key, rootSerial }
}

/**
 * A ws:// or wss:// URL on a loopback address, normalised; anything else is refused (the
 * emulator's root must never be trusted for a remote host).
 * @param {unknown} v @param {string} name @returns {string}
 */
function loopbackWsUrl (v, name) {
  let url
  try { url = new URL(String(v)) } catch { throw bad(`${name} is not a valid URL`) }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw bad(`${name} must be a ws:// or wss:// URL`)
  if (!LOOPBACK_HOSTS.has(url.hostname) && !/^127(\.\d{1,3}){3}$/.test(url.hostname)) {
    throw bad(`${name} must be a loopback address (127.0.0.0/8, [::1], localhost)`)
  }
  return url.toString()
}

/**
 * `sandbox.socket`: "emulator" (also when absent) is the only sandbox socket. The removed fake
 * socket ("simulated") is refused by name rather than silently replaced, so a gateway still
 * configured for it learns at hello that its sandbox now behaves like WhatsApp (docs/decisions.md).
 * @param {unknown} v @returns {'emulator'}
 */
function socketMode (v) {
  if (v === undefined || v === null || v === 'emulator') return 'emulator'
  if (v === 'simulated') {
    throw bad('sandbox.socket "simulated" (the fake socket) was removed: the sandbox runs the real Baileys socket against the emulator; use "emulator" or leave it out')
  }
  throw bad('sandbox.socket must be "emulator"')
}

/** @param {unknown} v @param {string} name */
function absoluteDir (v, name) {
  if (typeof v !== 'string' || v.trim() === '') throw bad(`${name} must be a non-empty string`)
  return isAbsolute(v) ? v : resolve(v)
}

/** @param {unknown} v @returns {v is Record<string, any>} */
export function isObject (v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** @param {unknown} v @param {number} dflt @param {string} name */
function positiveInt (v, dflt, name) {
  if (v === undefined || v === null) return dflt
  if (!Number.isInteger(v) || /** @type {number} */ (v) <= 0) throw bad(`${name} must be a positive integer`)
  return /** @type {number} */ (v)
}

/** @param {unknown} v @param {number} dflt @param {string} name */
function nonNegativeInt (v, dflt, name) {
  if (v === undefined || v === null) return dflt
  if (!Number.isInteger(v) || /** @type {number} */ (v) < 0) throw bad(`${name} must be a non-negative integer`)
  return /** @type {number} */ (v)
}

/**
 * hello `media`: `{dir, maxBytes, concurrency?, maxQueued?}`; absent or null = media are not
 * downloaded (an older service, or tests of other parts).
 * @param {unknown} m @returns {import('./media-download.js').MediaSettings|null}
 */
function mediaSettings (m) {
  if (m === undefined || m === null) return null
  if (!isObject(m)) throw bad('media must be an object or null')
  return {
    dir: absoluteDir(m.dir, 'media.dir'),
    maxBytes: positiveInt(m.maxBytes, 0, 'media.maxBytes') || fail('media.maxBytes is required'),
    concurrency: positiveInt(m.concurrency, 3, 'media.concurrency'),
    maxQueued: positiveInt(m.maxQueued, 10000, 'media.maxQueued')
  }
}

/** @param {string} msg @returns {never} */
function fail (msg) {
  throw bad(msg)
}

/** @param {unknown} v */
function historyChats (v) {
  const n = nonNegativeInt(v, DEFAULTS.sandbox.historyChats, 'sandbox.historyChats')
  if (n > MAX_HISTORY_CHATS) throw bad(`sandbox.historyChats must be at most ${MAX_HISTORY_CHATS}`)
  return n
}

/** @param {string} msg */
function bad (msg) {
  return new EngineError('bad_request', msg)
}
