import { DisconnectReason, jidDecode } from 'baileys'

/*
 * Baileys objects → protocol event data. Nothing Baileys-shaped leaves the engine except
 * through these functions, and everything they return is plain JSON (no Buffer, no Long,
 * no class instances), so `JSON.stringify` of an event is always one clean line.
 */

/** JID servers whose user part is a phone number (LIDs, groups, newsletters are not). */
const PHONE_SERVERS = new Set(['s.whatsapp.net', 'c.us', 'hosted'])

/**
 * Phone digits of a user JID: strips the device (`:N`), agent and `@server` parts.
 * Returns null for anything that does not carry a phone number (an `@lid`, a group, garbage),
 * because a LID is an opaque id and must never be stored as a phone.
 * @param {unknown} jid
 * @returns {string|null}
 */
export function jidToPhone (jid) {
  if (typeof jid !== 'string') return null
  const decoded = jidDecode(jid)
  if (!decoded || !PHONE_SERVERS.has(decoded.server)) return null
  return /^\d{1,20}$/.test(decoded.user) ? decoded.user : null
}

/**
 * The status code of a Baileys close error (a Boom: `error.output.statusCode`), or null
 * when Baileys gave none (e.g. a plain Error, or `end(undefined)`).
 * @param {unknown} error
 * @returns {number|null}
 */
export function disconnectCode (error) {
  const code = /** @type {any} */ (error)?.output?.statusCode
  return Number.isInteger(code) ? code : null
}

/**
 * DisconnectReason name for a code, from Baileys' own enum so the names never drift.
 * 408 is both `connectionLost` and `timedOut` in the enum; the reverse mapping (and so this
 * function) yields `timedOut`. Unknown or missing codes give "unknown".
 * @param {number|null} code
 * @returns {string}
 */
export function disconnectReasonName (code) {
  if (code === null || code === undefined) return 'unknown'
  const name = /** @type {Record<number, string>} */ (/** @type {unknown} */ (DisconnectReason))[code]
  return typeof name === 'string' ? name : 'unknown'
}

/**
 * Data of a `connection.close` event.
 * @param {unknown} error           lastDisconnect.error from connection.update
 * @param {{wasOpen: boolean, wasAuthenticated: boolean}} flags
 */
export function mapClose (error, { wasOpen, wasAuthenticated }) {
  const code = disconnectCode(error)
  const message = /** @type {any} */ (error)?.message
  return {
    code,
    reason: disconnectReasonName(code),
    message: typeof message === 'string' ? message : null,
    wasOpen,
    wasAuthenticated
  }
}

/**
 * `{jid, phone, name}` of our own account (creds.me / sock.user).
 * @param {{id?: string|null, name?: string|null}|undefined|null} me
 */
export function mapMe (me) {
  const jid = typeof me?.id === 'string' ? me.id : null
  return { jid, phone: jidToPhone(jid), name: typeof me?.name === 'string' ? me.name : null }
}

/**
 * Protocol message key. Always has all six fields (null when absent) so Java can bind it to
 * one record type; `remoteJidAlt`/`participantAlt` carry the PN↔LID alternative Baileys 7 adds.
 * @param {any} key
 */
export function mapKey (key) {
  return {
    id: str(key?.id),
    remoteJid: str(key?.remoteJid),
    fromMe: Boolean(key?.fromMe),
    participant: str(key?.participant),
    remoteJidAlt: str(key?.remoteJidAlt),
    participantAlt: str(key?.participantAlt)
  }
}

/**
 * The "mapped message" of the protocol (messages.upsert, history.set).
 * @param {any} msg  a Baileys WAMessage
 */
export function mapMessage (msg) {
  return {
    key: mapKey(msg?.key),
    pushName: str(msg?.pushName),
    timestamp: toNumberOrNull(msg?.messageTimestamp),
    message: msg?.message ? jsonSafe(msg.message) : null,
    messageStubType: Number.isInteger(msg?.messageStubType) ? msg.messageStubType : null
  }
}

/** @param {{messages: any[], type: string}} upsert Baileys `messages.upsert` payload */
export function mapMessagesUpsert (upsert) {
  return { type: String(upsert?.type ?? 'notify'), messages: (upsert?.messages ?? []).map(mapMessage) }
}

/** @param {any[]} updates Baileys `messages.update` payload (WAMessageUpdate[]) */
export function mapMessagesUpdate (updates) {
  return {
    updates: (updates ?? []).map((u) => ({
      key: mapKey(u?.key),
      status: Number.isInteger(u?.update?.status) ? u.update.status : null
    }))
  }
}

/** @param {any} set Baileys `messaging-history.set` payload */
export function mapHistorySet (set) {
  return {
    // a chat may embed its last message under `messages`; it is in `messages` below already
    chats: (set?.chats ?? []).map((/** @type {any} */ { messages, ...chat }) => jsonSafe(chat)),
    messages: (set?.messages ?? []).map(mapMessage),
    isLatest: typeof set?.isLatest === 'boolean' ? set.isLatest : null,
    progress: toNumberOrNull(set?.progress),
    syncType: toNumberOrNull(set?.syncType)
  }
}

/**
 * Number for a protobuf Long / number / numeric string; null otherwise. Longs beyond 2^53
 * cannot occur for timestamps, but would come back as null rather than a wrong number.
 * @param {unknown} v
 * @returns {number|null}
 */
export function toNumberOrNull (v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : null
  if (isLong(v)) {
    const n = /** @type {any} */ (v).toNumber()
    return Number.isSafeInteger(n) ? n : null
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const n = Number(v)
    return Number.isSafeInteger(n) ? n : null
  }
  return null
}

/**
 * Deep copy that JSON can represent faithfully: binary (Buffer/Uint8Array/ArrayBuffer) →
 * base64 string, Long/bigint → number (string when beyond 2^53), Date → epoch ms,
 * undefined/functions dropped, cycles and absurd depth cut to null. Protobuf instances are
 * walked by own enumerable fields, which are exactly the fields that were set.
 * @param {unknown} value
 * @returns {any}
 */
export function jsonSafe (value) {
  return safe(value, 0, new WeakSet())
}

const MAX_DEPTH = 64

/** @param {unknown} v @param {number} depth @param {WeakSet<object>} seen @returns {any} */
function safe (v, depth, seen) {
  if (v === null || v === undefined) return null
  switch (typeof v) {
    case 'string': case 'boolean': return v
    case 'number': return Number.isFinite(v) ? v : null
    case 'bigint': return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()
    case 'function': case 'symbol': return null
  }
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
  if (v instanceof ArrayBuffer) return Buffer.from(v).toString('base64')
  if (isLong(v)) {
    const n = /** @type {any} */ (v).toNumber()
    return Number.isSafeInteger(n) ? n : /** @type {any} */ (v).toString()
  }
  if (v instanceof Date) return v.getTime()
  if (depth >= MAX_DEPTH || seen.has(/** @type {object} */ (v))) return null
  seen.add(/** @type {object} */ (v))
  let out
  if (Array.isArray(v)) {
    out = v.map((x) => safe(x, depth + 1, seen))
  } else {
    out = /** @type {Record<string, any>} */ ({})
    for (const [k, x] of Object.entries(/** @type {object} */ (v))) {
      if (x === undefined || typeof x === 'function') continue
      out[k] = safe(x, depth + 1, seen)
    }
  }
  seen.delete(/** @type {object} */ (v)) // only cycles are cut, shared subtrees are copied
  return out
}

/**
 * Duck-typed check for a `long` (protobufjs) value, without depending on the long package.
 * @param {unknown} v
 */
function isLong (v) {
  const o = /** @type {any} */ (v)
  return typeof o === 'object' && o !== null && typeof o.low === 'number' && typeof o.high === 'number' &&
    typeof o.unsigned === 'boolean' && typeof o.toNumber === 'function'
}

/** @param {unknown} v @returns {string|null} */
function str (v) {
  return typeof v === 'string' ? v : null
}
