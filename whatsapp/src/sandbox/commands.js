import { isSendableJid, MESSAGE_ID_RE } from '../content.js'
import { getHeapStatistics } from 'node:v8'
import { ENFORCEMENT_TYPES } from '../../emulator/restrictions.js'
import { EngineError } from '../errors.js'

/*
 * `sandbox.*` commands (docs/engine-protocol.md): the emulated phone, contacts and server,
 * driven by Java (its /api/sandbox endpoints) and by tests. Arguments are validated here; the
 * socket's SandboxControls (sockets/emulator.js) drive the emulator. In mode "baileys" every one
 * of them is invalid_state.
 */

/** Largest file a simulated contact sends (the emulator's media host limit for one blob). */
export const MAX_INBOUND_MEDIA_BYTES = 16 * 1024 * 1024
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'ptt', 'sticker', 'document'])
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * The media arguments of sandbox.inbound: `mediaBase64` (the file the contact sends, else a tiny
 * sample), `fileName`, `mimeType`, `seconds`; only for media types.
 * @param {Record<string, any>} args @param {string} type
 * @returns {{media: Buffer|null, fileName: string|null, mimeType: string|null, seconds: number|null}}
 */
function mediaArgs (args, type) {
  const given = ['mediaBase64', 'fileName', 'mimeType', 'seconds'].filter((k) => args[k] !== undefined && args[k] !== null)
  if (given.length > 0 && !MEDIA_TYPES.has(type)) throw bad(`${given[0]} is only accepted for media types (${[...MEDIA_TYPES].join(', ')})`)
  let media = null
  if (args.mediaBase64 !== undefined && args.mediaBase64 !== null) {
    const b64 = args.mediaBase64
    if (typeof b64 !== 'string' || b64.length === 0 || b64.length % 4 !== 0 || !BASE64_RE.test(b64)) throw bad('mediaBase64 must be non-empty standard base64')
    if (b64.length / 4 * 3 > MAX_INBOUND_MEDIA_BYTES + 2) throw bad(`mediaBase64 is larger than ${MAX_INBOUND_MEDIA_BYTES} bytes`)
    media = Buffer.from(b64, 'base64')
  }
  const seconds = args.seconds ?? null
  if (seconds !== null && (!Number.isInteger(seconds) || seconds < 0 || seconds > 86400)) throw bad('seconds must be an integer 0-86400')
  return { media, fileName: optionalString(args.fileName, 'fileName', 255), mimeType: optionalString(args.mimeType, 'mimeType', 255), seconds }
}

/** What a contact can send (sandbox.inbound `type`). */
export const INBOUND_TYPES = ['text', 'image', 'video', 'audio', 'ptt', 'sticker', 'document', 'location', 'contact', 'poll', 'reaction', 'edit', 'revoke', 'undecryptable', 'poll_vote',
  'live_location', 'list', 'forwarded', 'view_once']
/** Types that act on another message (`replyToProviderMessageId` is their target). */
export const TARGETED_TYPES = ['reaction', 'edit', 'revoke', 'poll_vote']

/** Baileys 7.0.0-rc14's Signal key types (SignalDataTypeMap). */
const AUTH_KEY_TYPES = ['pre-key', 'session', 'sender-key', 'sender-key-memory', 'app-state-sync-key', 'app-state-sync-version',
  'lid-mapping', 'device-list', 'tctoken', 'identity-key']

const RECEIPT_STATUSES = new Set(['delivered', 'read', 'played'])
/** What a simulated contact can show (Baileys' WAPresence). */
const CONTACT_PRESENCE = ['available', 'unavailable', 'composing', 'recording', 'paused']

/**
 * @param {object} deps
 * @param {() => import('../config.js').EngineSettings} deps.settings
 * @param {import('../registry.js').Registry} deps.registry
 * @returns {Record<string, import('../commands.js').CommandSpec>}
 */
export function sandboxCommands ({ settings, registry }) {
  /** @param {string} connectionId @returns {import('../sockets/emulator.js').SandboxControls} */
  function controls (connectionId) {
    if (settings().mode !== 'sandbox') throw new EngineError('invalid_state', 'sandbox commands need mode "sandbox"')
    const entry = registry.get(connectionId)
    if (!entry) throw new EngineError('not_found', `no socket for ${connectionId}`)
    if (!entry.sock.sandbox) throw new EngineError('invalid_state', 'not a sandbox socket')
    return entry.sock.sandbox
  }

  /** @param {(args: Record<string, any>) => Promise<object>|object} run @returns {import('../commands.js').CommandSpec} */
  const spec = (run) => ({ needsHello: true, connection: true, run: async (args) => run(args) })

  return {
    /** The emulated phone scans the QR showing on this connection. */
    'sandbox.scan': spec((args) => {
      const phone = phoneArg(args.phone, 'phone')
      const name = optionalString(args.name, 'name', 100)
      return controls(args.connectionId).scan({ phone, name })
    }),

    /**
     * The emulated phone `phone` enters the pairing code `code` this connection asked for:
     * `{linked: true, jid}`, or `{linked: false, reason}` when the phone refused the code
     * (`wrong_code`, `expired`, `no_request`, `refused`).
     */
    'sandbox.pair': spec((args) => {
      const phone = phoneArg(args.phone, 'phone')
      const code = typeof args.code === 'string' ? args.code.replace(/[\s-]/g, '') : ''
      if (!/^[0-9A-Za-z]{8}$/.test(code)) throw bad('code must be the 8-character pairing code (a dash may separate its halves)')
      return controls(args.connectionId).pairWithCode({ phone, code: code.toUpperCase() })
    }),

    /** What a simulated contact shows: `name`, `onWhatsApp` (false: not on WhatsApp), `picture` (set, hidden, none). */
    'sandbox.contact': spec((args) => {
      const phone = phoneArg(args.phone, 'phone')
      const name = optionalString(args.name, 'name', 100)
      if (args.onWhatsApp !== undefined && args.onWhatsApp !== null && typeof args.onWhatsApp !== 'boolean') throw bad('onWhatsApp must be a boolean')
      if (args.picture !== undefined && args.picture !== null && !['set', 'hidden', 'none'].includes(args.picture)) throw bad('picture must be set, hidden or none')
      return controls(args.connectionId).contact({
        phone,
        ...(name !== null ? { name } : {}),
        ...(typeof args.onWhatsApp === 'boolean' ? { onWhatsApp: args.onWhatsApp } : {}),
        ...(args.picture ? { picture: args.picture } : {})
      })
    }),

    /** The emulated server ends this device's stream with the given code. */
    'sandbox.drop': spec(async (args) => {
      if (!Number.isInteger(args.code) || args.code < 100 || args.code > 999) throw bad('code must be an integer status code (100-999)')
      await controls(args.connectionId).drop(args.code)
      return { dropped: true }
    }),

    /** A contact sends a message (messages.upsert notify, like a real inbound message). */
    'sandbox.inbound': spec(async (args) => {
      const type = args.type ?? 'text'
      if (!INBOUND_TYPES.includes(type)) throw bad(`type must be one of ${INBOUND_TYPES.join(', ')}`)
      const from = phoneArg(args.from, 'from')
      const message = optionalString(args.message, 'message', 65536)
      if (type === 'text' && !message) throw bad('message must be a non-empty string for type text')
      const replyTo = optionalString(args.replyToProviderMessageId, 'replyToProviderMessageId', 128)
      if (TARGETED_TYPES.includes(type) && !replyTo) throw bad(`type ${type} needs replyToProviderMessageId (the target message)`)
      if (args.asLid !== undefined && args.asLid !== null && typeof args.asLid !== 'boolean') throw bad('asLid must be a boolean')
      const pushName = optionalString(args.pushName, 'pushName', 100)
      const messageId = args.messageId ?? null
      if (messageId !== null && (typeof messageId !== 'string' || !MESSAGE_ID_RE.test(messageId))) throw bad('messageId must be 8-64 letters/digits')
      // poll_vote: `options` are the option names the contact now chooses on the poll `replyToProviderMessageId`
      const options = args.options ?? null
      if (type === 'poll_vote' && (!Array.isArray(options) || options.length > 12 || !options.every((o) => typeof o === 'string'))) throw bad('type poll_vote needs options: the chosen option names ([] withdraws the vote)')
      const media = mediaArgs(args, type)
      return controls(args.connectionId).inbound({ type, from, message, replyTo, asLid: args.asLid === true, pushName, messageId, ...(type === 'poll_vote' ? { options } : {}), ...media })
    }),

    /**
     * A member of a group writes a text in it (the device receives a group message with the
     * member as `participant`): `group` (a group JID), `from` (a member's phone), `message`.
     */
    'sandbox.groupInbound': spec(async (args) => {
      const group = groupJidArg(args.group)
      const from = phoneArg(args.from, 'from')
      const message = optionalString(args.message, 'message', 65536)
      if (!message) throw bad('message must be a non-empty string')
      const pushName = optionalString(args.pushName, 'pushName', 100)
      const messageId = args.messageId ?? null
      if (messageId !== null && (typeof messageId !== 'string' || !MESSAGE_ID_RE.test(messageId))) throw bad('messageId must be 8-64 letters/digits')
      return controls(args.connectionId).groupInbound({ group, from, message, pushName, messageId })
    }),

    /**
     * A member changes a group's `subject` and/or `description` (null removes it) on their phone,
     * or, an admin, does `action` (add, remove, promote, demote) to `participants` (phones).
     */
    'sandbox.groupUpdate': spec(async (args) => {
      const group = groupJidArg(args.group)
      const by = phoneArg(args.by, 'by')
      const subject = optionalString(args.subject, 'subject', 100)
      if (args.description !== undefined && args.description !== null && (typeof args.description !== 'string' || args.description.length > 2048)) throw bad('description must be a string of at most 2048 characters')
      const action = args.action ?? null
      if (action !== null && !['add', 'remove', 'promote', 'demote'].includes(action)) throw bad('action must be add, remove, promote or demote')
      const participants = action === null ? [] : (Array.isArray(args.participants) && args.participants.length > 0 && args.participants.length <= 256 ? args.participants.map((/** @type {any} */ p) => phoneArg(p, 'participants')) : null)
      if (participants === null) throw bad('action needs participants: 1-256 phone numbers')
      if (subject === null && args.description === undefined && action === null) throw bad('give subject, description and/or action with participants')
      return controls(args.connectionId).groupUpdate({ group, by, ...(subject !== null ? { subject } : {}), ...(args.description !== undefined ? { description: args.description } : {}), ...(action ? { action, participants } : {}) })
    }),

    /** The recipient's phone sends a receipt for one of our messages. */
    'sandbox.receipt': spec(async (args) => {
      const id = requiredString(args.providerMessageId, 'providerMessageId')
      if (!RECEIPT_STATUSES.has(args.status)) throw bad('status must be delivered, read or played')
      const remoteJid = optionalJid(args.remoteJid)
      await controls(args.connectionId).receipt({ id, status: args.status, remoteJid })
      return { sent: true }
    }),

    /** The server refuses the next `count` messages with an error ack `code` (default 500). */
    'sandbox.fail': spec(async (args) => {
      if (!Number.isInteger(args.count) || args.count < 1 || args.count > 1000) throw bad('count must be an integer 1-1000')
      const code = args.code ?? 500
      if (!Number.isInteger(code) || code < 100 || code > 999) throw bad('code must be an integer status code (100-999)')
      return { pending: await controls(args.connectionId).fail(args.count, code) }
    }),

    /**
     * The server acks the next `count` messages (to the phone `to` only, when given) `ms` late
     * (1-60000); they reach their contacts at once.
     */
    'sandbox.holdAcks': spec(async (args) => {
      if (!Number.isInteger(args.count) || args.count < 1 || args.count > 1000) throw bad('count must be an integer 1-1000')
      if (!Number.isInteger(args.ms) || args.ms < 1 || args.ms > 60000) throw bad('ms must be an integer 1-60000')
      if (args.to !== undefined && (typeof args.to !== 'string' || !/^[0-9]{5,20}$/.test(args.to))) throw bad('to must be a phone number (digits)')
      return { pending: await controls(args.connectionId).holdAcks(args.count, args.ms, args.to) }
    }),

    /**
     * WhatsApp restricts this connection's account: `kind` reachout_timelock | message_capping,
     * `until` epoch ms (future) or null, `enforcementType` (time lock) as Baileys names them;
     * `silent`: no notification (the device learns it from a 463 and its own query).
     */
    'sandbox.restrict': spec((args) => {
      const kind = restrictionKind(args.kind)
      const until = args.until ?? null
      if (until !== null && (!Number.isSafeInteger(until) || until <= Date.now())) throw bad('until must be a future time in epoch milliseconds, or null')
      const enforcementType = args.enforcementType ?? null
      if (enforcementType !== null && !ENFORCEMENT_TYPES.includes(enforcementType)) throw bad(`enforcementType must be one of ${ENFORCEMENT_TYPES.join(', ')}`)
      if (args.silent !== undefined && args.silent !== null && typeof args.silent !== 'boolean') throw bad('silent must be a boolean')
      return controls(args.connectionId).restrict({ kind, untilMs: until, enforcementType, silent: args.silent === true })
    }),

    /** WhatsApp lifts this connection's restriction of `kind`. */
    'sandbox.lift': spec((args) => controls(args.connectionId).lift(restrictionKind(args.kind))),

    /** Benchmarks: a flood of inbound text messages (count, batch per upsert, distinct senders). */
    'sandbox.burst': spec((args) => {
      const count = intArg(args.count, 'count', 1, 1000000)
      const batch = intArg(args.batch ?? 1, 'batch', 1, 1000)
      const senders = intArg(args.senders ?? 100, 'senders', 1, 1000000)
      return controls(args.connectionId).burst({ count, batch, senders })
    }),

    /**
     * Benchmarks: the engine process's memory (bytes; process.memoryUsage() and V8's heap limit),
     * so a benchmark can tell how close its sockets bring the engine to the heap limit. Named
     * by one open sandbox connection like every sandbox command; the figures are the process's.
     */
    'sandbox.memory': spec((args) => {
      controls(args.connectionId)
      const m = process.memoryUsage()
      return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, heapLimit: getHeapStatistics().heap_size_limit }
    }),

    /**
     * A contact shows a presence to this account: `available`, `unavailable`, or in its chat
     * `composing`, `recording`, `paused` (Baileys reports presence.update).
     */
    'sandbox.presence': spec((args) => {
      const from = phoneArg(args.from, 'from')
      if (!CONTACT_PRESENCE.includes(args.state)) throw bad(`state must be one of ${CONTACT_PRESENCE.join(', ')}`)
      return controls(args.connectionId).contactPresence({ from, state: args.state })
    }),

    /** A contact calls this account (a voice call, or video with `video: true`). Replies `{callId, sent}`. */
    'sandbox.call': spec((args) => {
      const from = phoneArg(args.from, 'from')
      if (args.video !== undefined && args.video !== null && typeof args.video !== 'boolean') throw bad('video must be a boolean')
      return controls(args.connectionId).call({ from, video: args.video === true })
    }),

    /**
     * What one contact got from this account: the chat states shown to it (`states`), whether
     * the device subscribed to its presence, the account's last own presence (`online`), its
     * calls (`rejectedAt` when the device rejected), its messages with the device's receipts.
     */
    'sandbox.contactView': spec((args) => controls(args.connectionId).contactView(phoneArg(args.phone, 'phone'))),

    /** Test-only: every message of this account the emulator's contacts decrypted, with how many times. */
    'sandbox.sent': spec((args) => controls(args.connectionId).sentLog()),

    /**
     * Test-only: writes one Signal key through the live socket's key store exactly as Baileys
     * does (`authState.keys.set`) and replies once that set returned, so a test can kill the
     * engine right after and look for the value where the store keeps it (AUTH_STORE=postgres:
     * PostgreSQL). `type` is a Baileys key type, `id` a short id, `value` any JSON.
     */
    'sandbox.authSet': spec(async (args) => {
      controls(args.connectionId)
      const type = requiredString(args.type, 'type')
      if (!AUTH_KEY_TYPES.includes(type)) throw bad(`type must be one of ${AUTH_KEY_TYPES.join(', ')}`)
      const id = requiredString(args.id, 'id')
      if (args.value === undefined || args.value === null) throw bad('value is required')
      const entry = /** @type {import('../registry.js').SessionEntry} */ (registry.get(args.connectionId))
      await entry.sock.authState.keys.set({ [type]: { [id]: args.value } })
      return { set: true }
    }),

    /**
     * Test-only: a recipient sends a retry receipt for one of our messages, so Baileys resends it
     * (from its recent-message cache, else getMessage → a `getMessage` request to Java). Replies
     * whether the resend reached the recipient and what it decrypted.
     */
    'sandbox.retryRequest': spec((args) => {
      const id = requiredString(args.providerMessageId, 'providerMessageId')
      return controls(args.connectionId).retryRequest({ id, remoteJid: optionalJid(args.remoteJid) })
    })
  }
}

/** @param {unknown} v @returns {string} a restriction kind */
function restrictionKind (v) {
  if (v !== 'reachout_timelock' && v !== 'message_capping') throw bad('kind must be reachout_timelock or message_capping')
  return v
}

/** @param {unknown} v @param {string} name @param {number} min @param {number} max */
function intArg (v, name, min, max) {
  if (!Number.isInteger(v) || v < min || v > max) throw bad(`${name} must be an integer ${min}-${max}`)
  return /** @type {number} */ (v)
}

/** @param {unknown} v @param {string} name */
function phoneArg (v, name) {
  const phone = typeof v === 'string' ? v.replace(/^\+/, '') : ''
  if (!/^\d{5,20}$/.test(phone)) throw bad(`${name} must be 5-20 digits`)
  return phone
}

/** @param {unknown} v @param {string} name @param {number} max @returns {string|null} */
function optionalString (v, name, max) {
  if (v === undefined || v === null) return null
  if (typeof v !== 'string' || v.length > max) throw bad(`${name} must be a string of at most ${max} characters`)
  return v
}

/** @param {unknown} v @param {string} name */
function requiredString (v, name) {
  if (typeof v !== 'string' || v === '' || v.length > 128) throw bad(`${name} must be a non-empty string`)
  return v
}

/** @param {unknown} v @returns {string|null} */
function optionalJid (v) {
  if (v === undefined || v === null) return null
  if (!isSendableJid(v)) throw bad('remoteJid must be a user or group JID')
  return /** @type {string} */ (v)
}

/** @param {string} msg */
function bad (msg) {
  return new EngineError('bad_request', msg)
}

/** A group JID argument (digits, optionally -digits, @g.us). @param {any} v */
function groupJidArg (v) {
  if (typeof v !== 'string' || !/^[0-9]{1,32}(-[0-9]{1,16})?@g\.us$/.test(v)) throw bad('group must be a group JID (digits@g.us)')
  return v
}
