import { jidDecode, jidNormalizedUser, proto } from 'baileys'
import { EngineError } from './errors.js'

/*
 * Per-connection behaviour (issue 16 parts 4 and 5; docs/engine-protocol.md, "Settings, presence
 * and calls"): the settings Java holds for a connection (`start` `settings`, the `settings`
 * command), the presence and read-receipt commands, and the handlers for incoming calls and
 * contacts' presence. Java owns the settings (table connection_settings); the engine keeps the
 * latest copy per connection id (across socket restarts) and applies what only the socket can
 * do: reject a call at once, go online, skip history, drop ignored chats before they are mapped.
 */

/**
 * @typedef {object} ConnectionSettings
 * @property {boolean} rejectCalls       reject incoming calls (Baileys rejectCall)
 * @property {boolean} ignoreGroups      drop messages of group chats (`@g.us`) before reporting them
 * @property {boolean} ignoreBroadcasts  drop messages of broadcast chats (`@broadcast`: status posts, broadcast lists)
 * @property {boolean} alwaysOnline      markOnlineOnConnect; applied live with sendPresenceUpdate available/unavailable
 * @property {boolean} syncHistory       process WhatsApp's history syncs (shouldSyncHistoryMessage)
 */

/** @type {ConnectionSettings} what a connection has until Java says otherwise (the table's defaults) */
export const DEFAULT_SETTINGS = Object.freeze({ rejectCalls: false, ignoreGroups: false, ignoreBroadcasts: false, alwaysOnline: false, syncHistory: true })

/** What `presence.send` accepts (Baileys' WAPresence). */
export const PRESENCE_STATES = ['composing', 'recording', 'paused', 'available', 'unavailable']
/** At most this many message keys per `messages.read`. */
export const MAX_READ_KEYS = 1000

/**
 * Validates the `settings` object of `start` / `settings`: every field a boolean, no other
 * field; absent fields keep their default. @param {unknown} v @returns {ConnectionSettings}
 */
export function parseSettings (v) {
  if (v === undefined || v === null) return { ...DEFAULT_SETTINGS }
  if (typeof v !== 'object' || Array.isArray(v)) throw new EngineError('bad_request', 'settings must be an object')
  /** @type {Record<string, boolean>} */
  const out = { ...DEFAULT_SETTINGS }
  for (const [k, value] of Object.entries(v)) {
    if (!(k in DEFAULT_SETTINGS)) throw new EngineError('bad_request', `unknown setting ${k}`)
    if (typeof value !== 'boolean') throw new EngineError('bad_request', `setting ${k} must be a boolean`)
    out[k] = value
  }
  return /** @type {ConnectionSettings} */ (out)
}

/**
 * The latest settings per connection id. Kept across socket restarts (a `start` without
 * `settings` keeps what the id had), forgotten on purge.
 */
export class SettingsStore {
  constructor () { /** @type {Map<string, ConnectionSettings>} */ this.byId = new Map() }
  /** @param {string} id @returns {ConnectionSettings} */
  get (id) { return this.byId.get(id) ?? DEFAULT_SETTINGS }
  /** @param {string} id @param {ConnectionSettings} s */
  set (id, s) { this.byId.set(id, Object.freeze({ ...s })) }
  /** @param {string} id */
  forget (id) { this.byId.delete(id) }
}

/**
 * The makeWASocket options that follow a connection's settings. `shouldSyncHistoryMessage`
 * reads the store at each history notification, so turning sync_history off takes effect on the
 * running socket; `markOnlineOnConnect` applies at the next open (and the `settings` command
 * sends the presence at once).
 * @param {SettingsStore} store @param {string} id
 */
export function socketOptionsFor (store, id) {
  return {
    markOnlineOnConnect: store.get(id).alwaysOnline,
    shouldSyncHistoryMessage: (/** @type {any} */ msg) =>
      store.get(id).syncHistory && msg?.syncType !== proto.HistorySync.HistorySyncType.FULL
  }
}

/**
 * Whether a chat's messages are dropped by this connection's settings.
 * @param {ConnectionSettings} s @param {unknown} chatJid
 */
export function isIgnoredChat (s, chatJid) {
  if (typeof chatJid !== 'string') return false
  if (s.ignoreGroups && chatJid.endsWith('@g.us')) return true
  if (s.ignoreBroadcasts && chatJid.endsWith('@broadcast')) return true
  return false
}

/**
 * @param {object} deps
 * @param {import('./registry.js').Registry} deps.registry
 * @param {SettingsStore} deps.settings
 * @param {import('pino').Logger} deps.logger
 * @returns {Record<string, import('./commands.js').CommandSpec>}
 */
export function behaviourCommands ({ registry, settings, logger }) {
  /** @param {string} id */
  const openSocket = (id) => {
    const entry = registry.get(id)
    if (!entry || entry.state !== 'open') throw new EngineError('not_ready', `connection ${id} is not open`)
    return /** @type {any} */ (entry.sock)
  }

  return {
    /**
     * Replaces the connection's settings (all fields; absent = default). When the socket is
     * open and `alwaysOnline` changed, the presence goes out at once (available / unavailable),
     * so no relink is needed. Replies `{applied: true, presence}` (`presence`: what was sent,
     * null when nothing, `"no_name"` when WhatsApp has not told this device its push name yet).
     */
    settings: {
      needsHello: true,
      connection: true,
      async run (args) {
        const next = parseSettings(args.settings)
        const id = /** @type {string} */ (args.connectionId)
        const before = settings.get(id)
        settings.set(id, next)
        let presence = null
        const entry = registry.get(id)
        if (entry?.state === 'open' && before.alwaysOnline !== next.alwaysOnline) {
          presence = await sendOwnPresence(entry.sock, next.alwaysOnline ? 'available' : 'unavailable', logger)
        }
        return { applied: true, presence }
      }
    },

    /**
     * Shows `state` to `jid`: composing / recording / paused in that chat, or available /
     * unavailable for everyone. Subscribes to `jid`'s presence first, so the contact's own
     * updates come back as `presence.update`. available / unavailable need the push name
     * WhatsApp gives the device (Baileys silently drops them otherwise): `invalid_state`.
     */
    'presence.send': {
      needsHello: true,
      connection: true,
      async run (args) {
        const state = args.state
        if (!PRESENCE_STATES.includes(state)) throw new EngineError('bad_request', `state must be one of ${PRESENCE_STATES.join(', ')}`)
        const jid = userJid(args.jid)
        const sock = openSocket(args.connectionId)
        try {
          await sock.presenceSubscribe(jid)
          if (state === 'available' || state === 'unavailable') {
            if ((await sendOwnPresence(sock, state, logger)) === 'no_name') {
              throw new EngineError('invalid_state', 'WhatsApp has not told this device its push name yet; available/unavailable need it')
            }
          } else {
            await sock.sendPresenceUpdate(state, jid)
          }
        } catch (err) {
          if (err instanceof EngineError) throw err
          throw new EngineError('send_failed', `presence update failed: ${/** @type {Error} */ (err).message}`)
        }
        return { sent: true, subscribed: true }
      }
    },

    /**
     * Sends read receipts for these messages of contacts (Baileys readMessages: one receipt per
     * chat and sender; `read`, or `read-self` when the account hides its read receipts).
     */
    'messages.read': {
      needsHello: true,
      connection: true,
      async run (args) {
        const keys = args.keys
        if (!Array.isArray(keys) || keys.length < 1 || keys.length > MAX_READ_KEYS) throw new EngineError('bad_request', `keys must be 1-${MAX_READ_KEYS} message keys`)
        const clean = keys.map((k) => {
          if (typeof k?.id !== 'string' || !k.id || k.id.length > 128) throw new EngineError('bad_request', 'each key needs an id')
          const remoteJid = chatJid(k.remoteJid)
          const participant = k.participant === undefined || k.participant === null ? undefined : userJid(k.participant)
          return { id: k.id, remoteJid, fromMe: false, ...(participant ? { participant } : {}) }
        })
        const sock = openSocket(args.connectionId)
        try {
          await sock.readMessages(clean)
        } catch (err) {
          throw new EngineError('send_failed', `read receipts failed: ${/** @type {Error} */ (err).message}`)
        }
        return { read: clean.length }
      }
    }
  }
}

/**
 * available / unavailable for everyone. Baileys drops both without a push name (me.name), so
 * this says so instead of pretending: `"no_name"`, else the state sent.
 * @param {any} sock @param {'available'|'unavailable'} state @param {import('pino').Logger} logger
 */
async function sendOwnPresence (sock, state, logger) {
  if (!sock.authState?.creds?.me?.name) {
    logger.warn({ state }, 'no push name from WhatsApp yet; presence not sent')
    return 'no_name'
  }
  await sock.sendPresenceUpdate(state)
  return state
}

/**
 * Subscribes the call and presence handlers of one socket (call after attachHandlers).
 * - `call` (Baileys): each new offer is reported once as a `call` event; with `rejectCalls` the
 *   engine rejects it first (Baileys rejectCall) and reports `rejected: true` (or the failure).
 *   Later states of a call (timeout, terminate …) are not reported.
 * - `presence.update` (Baileys, after a presenceSubscribe or a contact's chat state): one
 *   `presence.update` event per participant.
 * @param {import('./registry.js').SessionEntry} entry
 * @param {{settings: SettingsStore, logger: import('pino').Logger}} ctx
 */
export function attachBehaviourHandlers (entry, { settings, logger }) {
  const log = logger.child({ connectionId: entry.connectionId })
  const emit = (/** @type {string} */ event, /** @type {object} */ data) => { if (!entry.stoppedByUs) entry.emit(event, data) }
  entry.sock.ev.on('call', (/** @type {any[]} */ calls) => {
    for (const call of Array.isArray(calls) ? calls : []) {
      if (call?.status !== 'offer' || typeof call.id !== 'string' || typeof call.from !== 'string') continue
      void onOffer(entry, call, settings.get(entry.connectionId), log).then((data) => emit('call', data), (err) => log.error({ err }, 'call handling failed'))
    }
  })
  entry.sock.ev.on('presence.update', (/** @type {any} */ update) => {
    try {
      for (const data of mapPresence(update)) emit('presence.update', data)
    } catch (err) {
      log.error({ err }, 'presence handler failed')
    }
  })
}

/**
 * A call offer → the `call` event's data, after rejecting it when the settings say so.
 * @param {import('./registry.js').SessionEntry} entry @param {any} call
 * @param {ConnectionSettings} s @param {import('pino').Logger} log
 */
async function onOffer (entry, call, s, log) {
  let rejected = false
  let error = null
  if (s.rejectCalls && !call.offline) {
    try {
      await /** @type {any} */ (entry.sock).rejectCall(call.id, call.from)
      rejected = true
    } catch (err) {
      error = /** @type {Error} */ (err).message
      log.warn({ err, callId: call.id }, 'rejecting a call failed')
    }
  }
  const from = jidNormalizedUser(call.from)
  const pn = typeof call.callerPn === 'string' ? call.callerPn : from
  const d = jidDecode(pn)
  log.info({ callId: call.id, video: !!call.isVideo, rejected }, 'incoming call')
  return {
    callId: call.id,
    from,
    fromPhone: d?.server === 's.whatsapp.net' ? d.user : null,
    isVideo: !!call.isVideo,
    isGroup: !!call.isGroup,
    groupJid: typeof call.groupJid === 'string' ? call.groupJid : null,
    offline: !!call.offline,
    timestamp: call.date instanceof Date && !Number.isNaN(call.date.getTime()) ? Math.floor(call.date.getTime() / 1000) : null,
    rejected,
    error
  }
}

/**
 * Baileys `presence.update` `{id, presences: {[participant]: {lastKnownPresence, lastSeen?}}}` →
 * one event data per participant: `{chatJid, jid, phone, state, lastSeen}` (`phone` digits of a
 * phone JID, else null; `lastSeen` epoch seconds or null).
 * @param {any} update @returns {Array<{chatJid: string, jid: string, phone: string|null, state: string, lastSeen: number|null}>}
 */
export function mapPresence (update) {
  const out = []
  if (typeof update?.id !== 'string' || typeof update.presences !== 'object' || update.presences === null) return out
  for (const [participant, p] of Object.entries(update.presences)) {
    const state = /** @type {any} */ (p)?.lastKnownPresence
    if (typeof state !== 'string') continue
    const jid = jidNormalizedUser(participant)
    const d = jidDecode(jid)
    const lastSeen = /** @type {any} */ (p)?.lastSeen
    out.push({
      chatJid: update.id,
      jid,
      phone: d?.server === 's.whatsapp.net' ? d.user : null,
      state,
      lastSeen: Number.isFinite(lastSeen) ? lastSeen : null
    })
  }
  return out
}

/** A user JID (phone or LID), no device. @param {unknown} v */
function userJid (v) {
  const d = typeof v === 'string' ? jidDecode(v) : undefined
  if (!d?.user || !['s.whatsapp.net', 'lid'].includes(d.server) || d.device) throw new EngineError('bad_request', 'jid must be a user JID (phone or LID) without device')
  return /** @type {string} */ (v)
}

/** A chat JID: a user or a group. @param {unknown} v */
function chatJid (v) {
  const d = typeof v === 'string' ? jidDecode(v) : undefined
  if (!d?.user || !['s.whatsapp.net', 'lid', 'g.us'].includes(d.server) || d.device) throw new EngineError('bad_request', 'remoteJid must be a user or group JID')
  return /** @type {string} */ (v)
}
