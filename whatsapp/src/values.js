import { jidDecode } from 'baileys'

/*
 * Plain values out of Baileys values: numbers out of protobuf Longs, JSON out of protobuf
 * instances, phone digits out of JIDs. Shared by mapper.js (events) and messages.js (parsing).
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
 * walked by own enumerable fields, which are exactly the fields that were set — except empty
 * repeated fields, which protobufjs pre-fills with `[]` and which mean "unset": they are omitted.
 * The result goes back through `proto.Message.fromObject` unchanged in meaning (base64 for
 * bytes, numbers or decimal strings for 64-bit fields, numbers for enums), which is what lets
 * Java hand stored content back for getMessage.
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
    const proto = Object.getPrototypeOf(v)
    const isInstance = proto !== Object.prototype && proto !== null // a protobuf message, not a plain object
    for (const [k, x] of Object.entries(/** @type {object} */ (v))) {
      if (x === undefined || typeof x === 'function') continue
      if (isInstance && Array.isArray(x) && x.length === 0) continue
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
export function str (v) {
  return typeof v === 'string' ? v : null
}

/** @param {unknown} v @returns {string|null} a non-empty string, else null */
export function text (v) {
  return typeof v === 'string' && v !== '' ? v : null
}
