/*
 * HTTP control API of a standalone emulator (same port as the WebSocket):
 *   GET  /control/info                      → {url, rootPublicKey (base64), serial, stats}
 *   POST /control/scan         {qr, phone, name?}  → {jid, lid, deviceId} (name: a Business phone with that name)
 *   GET  /control/devices/:phone            → the phone's newest linked device, 404 if none
 *   POST /control/stream-error {phone, code, jid?}→ {sessions}
 *   POST /control/drop         {phone, jid?}      → {sessions}
 * `jid` (a device of that phone) narrows stream-error and drop to that one device.
 *   POST /control/history      {phone, chats, pushnames?, syncType?} → {devices, directPaths}
 *   POST /control/history/seed {phone, chats?, pushnames?, syncType?, held?: {chats}} → {seeded, chats, held}
 *        (what the phone sends its next newly linked device; `held`: older messages kept for on-demand requests)
 *   GET  /control/media                     → {blobs: [...], totalBytes, stats}  (media inspection)
 *   POST /control/media/expire {path}       → {expired}  (the blob at that direct path/URL is gone: 404)
 *   POST /control/pair-code    {phone, code}  → {linked: true, jid, lid, deviceId} or {linked: false, reason: no_request|expired|wrong_code|refused}
 *        (the phone enters a pairing code a companion asked for; a refusal is an answer, not an error)
 *   POST /control/contact      {phone, name?, onWhatsApp?, picture?: set|hidden|none} → {phone, onWhatsApp, picture, pictureUrl}
 * Messaging routes (inbound, receipt, fail, retry-request, reinstall, burst, sent, received):
 * messaging-control.js. Restriction routes (restrict, lift, restrictions): restrictions.js.
 * Errors: {"error": {"code", "message"}} with 400 (bad input), 404 (unknown route or device)
 * or 409 (the operation was refused, e.g. a pairing the companion rejected).
 */

import { historyInputProblem } from './history.js'
import { handleMessagingRoute } from './messaging-control.js'
import { PairingCodeError } from './pairing-code.js'
import { handleRestrictionRoute } from './restrictions.js'

const MAX_BODY = 1024 * 1024
const STREAM_CODES = new Set([401, 403, 408, 428, 440, 500, 503, 515])

/**
 * @param {any} emulator @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
 */
export async function handleControl (emulator, req, res) {
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const error = (status, code, message) => reply(status, { error: { code, message } })
  try {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (req.method === 'GET' && path === '/control/info') {
      const t = emulator.trust()
      return reply(200, { url: emulator.url, rootPublicKey: t.rootPublicKey.toString('base64'), serial: t.serial, stats: emulator.stats })
    }
    const deviceMatch = /^\/control\/devices\/([0-9]{6,15})$/.exec(path)
    if (req.method === 'GET' && deviceMatch) {
      const d = emulator.deviceFor(deviceMatch[1])
      if (!d) return error(404, 'not_found', 'no linked device for this phone')
      return reply(200, {
        jid: d.jid, lid: d.lid, deviceId: d.deviceId, registrationId: d.registrationId,
        identityKey: d.identityKey.toString('base64'), preKeyCount: d.preKeyCount, online: d.online
      })
    }
    if (req.method === 'GET' && path === '/control/media') {
      return reply(200, { blobs: emulator.media.list(), totalBytes: emulator.media.store.totalBytes, stats: emulator.media.stats })
    }
    if (req.method === 'POST' && path === '/control/media/expire') {
      const body = await readJson(req)
      if (typeof body?.path !== 'string' || !body.path) return error(400, 'bad_request', 'path must be a direct path or media URL')
      if (!emulator.media.store.find(body.path)) return error(404, 'not_found', 'no blob at this path')
      return reply(200, { expired: emulator.media.expire(body.path) })
    }
    const routed = await handleMessagingRoute(emulator, req.method ?? 'GET', path, () => readJson(req))
    if (routed) return reply(routed.status, routed.body)
    const restriction = await handleRestrictionRoute(emulator, req.method ?? 'GET', path, () => readJson(req))
    if (restriction) return reply(restriction.status, restriction.body)
    if (req.method === 'POST' && (path === '/control/pair-code' || path === '/control/contact')) {
      const body = await readJson(req)
      if (body === undefined || typeof body.phone !== 'string' || !/^[1-9][0-9]{5,14}$/.test(body.phone)) return error(400, 'bad_request', 'phone must be digits only (6-15)')
      if (path === '/control/pair-code') {
        if (typeof body.code !== 'string' || !body.code) return error(400, 'bad_request', 'code must be a string')
        return reply(200, await enterCode(emulator, body.phone, body.code))
      }
      const problem = contactProblem(body)
      if (problem) return error(400, 'bad_request', problem)
      const { phone: p, ...profile } = body
      return reply(200, emulator.setContact(p, profile))
    }
    if (req.method !== 'POST' || !['/control/scan', '/control/stream-error', '/control/drop', '/control/history', '/control/history/seed'].includes(path)) {
      return error(404, 'not_found', `no route ${req.method} ${path}`)
    }
    const body = await readJson(req)
    if (body === undefined) return error(400, 'bad_request', 'body must be a JSON object')
    const phone = body.phone
    if (typeof phone !== 'string' || !/^[1-9][0-9]{5,14}$/.test(phone)) return error(400, 'bad_request', 'phone must be digits only (6-15)')
    if (path === '/control/scan') {
      if (typeof body.qr !== 'string') return error(400, 'bad_request', 'qr must be a string')
      if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100)) return error(400, 'bad_request', 'name must be 1-100 characters')
      try {
        return reply(200, await emulator.scan(body.qr, phone, body.name ? { businessName: body.name } : {}))
      } catch (err) {
        return error(409, 'scan_refused', /** @type {Error} */ (err).message)
      }
    }
    if (path === '/control/history') {
      const { phone: _, ...input } = body
      const why = historyInputProblem(input)
      if (why) return error(400, 'bad_request', why)
      return reply(200, await emulator.history.send(phone, input))
    }
    if (path === '/control/history/seed') {
      const { phone: _, held, ...input } = body
      const why = historyInputProblem(input) ?? (held === undefined ? null : heldProblem(held))
      if (why) return error(400, 'bad_request', why)
      emulator.history.seed(phone, input, held)
      return reply(200, { seeded: true, chats: (input.chats ?? []).length, held: (held?.chats ?? []).length })
    }
    let who = phone
    if (body.jid !== undefined) {
      if (typeof body.jid !== 'string' || !body.jid.startsWith(`${phone}:`) || !/^[0-9]+:[0-9]+@s\.whatsapp\.net$/.test(body.jid)) {
        return error(400, 'bad_request', 'jid must be a device jid of that phone (phone:device@s.whatsapp.net)')
      }
      who = body.jid
    }
    if (path === '/control/stream-error') {
      if (!STREAM_CODES.has(body.code)) return error(400, 'bad_request', `code must be one of ${[...STREAM_CODES].join(', ')}`)
      return reply(200, { sessions: emulator.streamError(who, body.code) })
    }
    return reply(200, { sessions: emulator.drop(who) })
  } catch (err) {
    return error(500, 'internal', /** @type {Error} */ (err).message)
  }
}

/**
 * The phone enters a pairing code: the link, or why the phone refused it (a refusal is an
 * answer of the phone, not a failure of the control call).
 * @param {any} emulator @param {string} phone @param {string} code
 */
export async function enterCode (emulator, phone, code) {
  try {
    return { linked: true, ...(await emulator.enterPairingCode(phone, code)) }
  } catch (err) {
    if (err instanceof PairingCodeError) return { linked: false, reason: err.code, message: err.message }
    return { linked: false, reason: 'refused', message: /** @type {Error} */ (err).message }
  }
}

/** What is wrong with a /control/contact body, or null. @param {any} body */
function contactProblem (body) {
  const extra = Object.keys(body).filter((k) => !['phone', 'name', 'onWhatsApp', 'picture'].includes(k))
  if (extra.length) return `unknown field(s): ${extra.join(', ')}`
  if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length > 100)) return 'name must be a string of at most 100 characters'
  if (body.onWhatsApp !== undefined && typeof body.onWhatsApp !== 'boolean') return 'onWhatsApp must be a boolean'
  if (body.picture !== undefined && !['set', 'hidden', 'none'].includes(body.picture)) return 'picture must be set, hidden or none'
  return null
}

/**
 * `held` of a seed: only chats (older messages the phone keeps), checked like a history input.
 * @param {any} held @returns {string|null} the reason it is bad, or null
 */
function heldProblem (held) {
  if (typeof held !== 'object' || held === null || Array.isArray(held)) return 'held must be an object {chats}'
  const extra = Object.keys(held).filter((k) => k !== 'chats')
  if (extra.length) return `held takes only chats, not ${extra.join(', ')}`
  return historyInputProblem(held)
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<any>} object, or undefined if not a JSON object */
async function readJson (req) {
  let size = 0
  const chunks = []
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY) return undefined
    chunks.push(chunk)
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined
  } catch {
    return undefined
  }
}
