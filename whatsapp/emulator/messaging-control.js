import { INBOUND_TYPES } from './messaging-inbound.js'
import { ledgerView, inboundView } from './messaging-ledger.js'
import { MessagingError } from './messaging.js'

/*
 * HTTP routes of the messaging controls (same port as the emulator's WebSocket), mirroring the
 * in-process methods of emulator.messaging:
 *   POST /control/inbound        {phone, from, type?, text?, replyTo?, asLid?, pushName?, messageId?, redeliver?}
 *   POST /control/receipt        {phone, id, status: delivered|read|played, from?}
 *   POST /control/fail           {phone, count, code?}
 *   POST /control/hold-acks      {phone, count, ms, to?}
 *   POST /control/retry-request  {phone, id, to?}
 *   POST /control/reinstall      {phone, contact}
 *   POST /control/burst          {phone, count, batch?, senders?, timeoutMs?, mediaPercent?, mediaBytes?}
 *   GET  /control/sent/:phone    → {messages: ledger}
 *   GET  /control/received/:phone → {messages: what contacts sent, with the device's acks/receipts}
 * Bad input is a 400 {"error": {"code": "bad_request", "message"}} and changes nothing; unknown
 * fields are refused too, so a typo never passes silently.
 */

const PHONE = /^[1-9][0-9]{5,14}$/
const MESSAGE_ID = /^[0-9A-Za-z]{1,64}$/

const ROUTES = {
  '/control/inbound': ['phone', 'from', 'type', 'text', 'replyTo', 'asLid', 'pushName', 'messageId', 'redeliver'],
  '/control/receipt': ['phone', 'id', 'status', 'from'],
  '/control/fail': ['phone', 'count', 'code'],
  '/control/hold-acks': ['phone', 'count', 'ms', 'to'],
  '/control/retry-request': ['phone', 'id', 'to'],
  '/control/reinstall': ['phone', 'contact'],
  '/control/burst': ['phone', 'count', 'batch', 'senders', 'timeoutMs', 'mediaPercent', 'mediaBytes']
}

class BadInput extends Error {}

/**
 * Answers a messaging route, or returns null when `path` is not one.
 * @param {any} emulator @param {string} method @param {string} path
 * @param {() => Promise<any>} readBody  the JSON object body, or undefined when it is not one
 * @returns {Promise<{status: number, body: any}|null>}
 */
export async function handleMessagingRoute (emulator, method, path, readBody) {
  const m = emulator.messaging
  const view = /^\/control\/(sent|received)\/([^/]+)$/.exec(path)
  if (view && method === 'GET') {
    if (!PHONE.test(view[2])) return bad('phone must be digits only (6-15)')
    const state = m.stateOf(view[2])
    return ok({ messages: view[1] === 'sent' ? ledgerView(state) : inboundView(state) })
  }
  const fields = ROUTES[path]
  if (!fields || method !== 'POST') return null
  const body = await readBody()
  if (body === undefined) return bad('body must be a JSON object')
  try {
    const extra = Object.keys(body).filter((k) => !fields.includes(k))
    if (extra.length) throw new BadInput(`unknown field(s): ${extra.join(', ')}`)
    const phone = phoneField(body, 'phone')
    switch (path) {
      case '/control/inbound': {
        const type = body.type ?? 'text'
        if (!INBOUND_TYPES.includes(type)) throw new BadInput(`type must be one of ${INBOUND_TYPES.join(', ')}`)
        if (body.asLid !== undefined && typeof body.asLid !== 'boolean') throw new BadInput('asLid must be a boolean')
        if (body.redeliver !== undefined && typeof body.redeliver !== 'boolean') throw new BadInput('redeliver must be a boolean')
        if (body.redeliver === true && body.messageId === undefined) throw new BadInput('redeliver needs messageId (the id to deliver again)')
        return ok(await m.inbound(phone, {
          from: phoneField(body, 'from'),
          type,
          text: stringField(body, 'text', 65536),
          replyTo: idField(body, 'replyTo'),
          asLid: body.asLid === true,
          pushName: stringField(body, 'pushName', 100),
          messageId: idField(body, 'messageId'),
          redeliver: body.redeliver === true
        }))
      }
      case '/control/receipt': {
        if (!['delivered', 'read', 'played'].includes(body.status)) throw new BadInput('status must be delivered, read or played')
        return ok(m.receipt(phone, { id: idField(body, 'id', true), status: body.status, from: phoneField(body, 'from', false) }))
      }
      case '/control/hold-acks':
        return ok(m.holdAcks(phone, { count: intField(body, 'count', 1, 1000, true), ms: intField(body, 'ms', 1, 60000, true), to: body.to }))
      case '/control/fail': {
        const code = body.code === undefined ? '479' : body.code
        if ((typeof code !== 'string' && typeof code !== 'number') || !/^[0-9]{3}$/.test(String(code))) throw new BadInput('code must be a 3-digit error code')
        return ok(m.fail(phone, { count: intField(body, 'count', 1, 1000, true), code: String(code) }))
      }
      case '/control/retry-request':
        return ok(await m.retryRequest(phone, { id: idField(body, 'id', true), to: phoneField(body, 'to', false) }))
      case '/control/reinstall':
        return ok(m.reinstall(phone, { contact: phoneField(body, 'contact') }))
      case '/control/burst':
        return ok(await m.burst(phone, {
          count: intField(body, 'count', 1, 1000000, true),
          batch: intField(body, 'batch', 1, 10000, false),
          senders: intField(body, 'senders', 1, 10000, false),
          timeoutMs: intField(body, 'timeoutMs', 0, 600000, false),
          mediaPercent: intField(body, 'mediaPercent', 0, 100, false),
          mediaBytes: intField(body, 'mediaBytes', 4, emulator.media?.store.maxBlobBytes ?? 16 * 1024 * 1024, false)
        }))
    }
    return null
  } catch (err) {
    if (err instanceof BadInput) return bad(err.message)
    if (err instanceof MessagingError) {
      const status = { bad_request: 400, not_found: 404, conflict: 409 }[err.code] ?? 500
      return { status, body: { error: { code: err.code, message: err.message } } }
    }
    throw err
  }
}

const ok = (body) => ({ status: 200, body })
const bad = (message) => ({ status: 400, body: { error: { code: 'bad_request', message } } })

/** @param {any} body @param {string} name @param {boolean} [required] */
function phoneField (body, name, required = true) {
  const v = body[name]
  if (v === undefined && !required) return undefined
  if (typeof v !== 'string' || !PHONE.test(v)) throw new BadInput(`${name} must be a phone number, digits only (6-15)`)
  return v
}

/** @param {any} body @param {string} name @param {number} max */
function stringField (body, name, max) {
  const v = body[name]
  if (v === undefined) return undefined
  if (typeof v !== 'string' || v.length > max || v.includes('\u0000')) throw new BadInput(`${name} must be a string of at most ${max} characters without NUL`)
  return v
}

/** @param {any} body @param {string} name @param {boolean} [required] */
function idField (body, name, required = false) {
  const v = body[name]
  if (v === undefined && !required) return undefined
  if (typeof v !== 'string' || !MESSAGE_ID.test(v)) throw new BadInput(`${name} must be a message id (1-64 letters and digits)`)
  return v
}

/** @param {any} body @param {string} name @param {number} min @param {number} max @param {boolean} required */
function intField (body, name, min, max, required) {
  const v = body[name]
  if (v === undefined && !required) return undefined
  if (!Number.isInteger(v) || v < min || v > max) throw new BadInput(`${name} must be an integer from ${min} to ${max}`)
  return v
}
