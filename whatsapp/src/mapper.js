import { DisconnectReason, WAMessageStubType, isJidStatusBroadcast } from 'baileys'
import { contentText, isStatusBroadcast, parseMessage, statusName } from './messages.js'
import { jidToPhone, jsonSafe, str, text, toNumberOrNull } from './values.js'

export { jidToPhone, jsonSafe, toNumberOrNull }

/*
 * Baileys objects → protocol event data. Nothing Baileys-shaped leaves the engine except
 * through these functions, and everything they return is plain JSON (no Buffer, no Long,
 * no class instances), so `JSON.stringify` of an event is always one clean line.
 */

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
    participant: text(key?.participant), // Baileys 7 leaves '' on received 1:1 messages
    remoteJidAlt: text(key?.remoteJidAlt),
    participantAlt: text(key?.participantAlt)
  }
}

/**
 * What the message mappers need besides the Baileys objects.
 * @typedef {object} MapContext
 * @property {{id?: string|null, lid?: string|null}|null} [me]  creds.me of this socket
 * @property {Map<string, string>} [lidToPn]  normalized LID jid → PN jid (LID mapping store)
 * @property {boolean} [ignoreStatusBroadcast]  drop `status@broadcast` messages and receipts (hello, default true)
 * @property {(chatJid: string) => boolean} [ignoreChat]  drop messages (and history chats) of chats the connection's settings ignore (groups, broadcasts)
 */

/**
 * The "mapped message" of the protocol (messages.upsert, history.set): the key, Baileys'
 * content made JSON-safe (what Java stores and hands back for getMessage), the status name
 * Baileys recorded (own messages in history carry one), and `parsed` — what the message says.
 * @param {any} msg  a Baileys WAMessage
 * @param {MapContext} [ctx]
 */
export function mapMessage (msg, ctx = {}) {
  return {
    key: mapKey(msg?.key),
    pushName: str(msg?.pushName),
    timestamp: toNumberOrNull(msg?.messageTimestamp),
    message: msg?.message ? jsonSafe(msg.message) : null,
    messageStubType: toNumberOrNull(msg?.messageStubType),
    status: statusName(msg?.status),
    parsed: parseMessage(msg, ctx)
  }
}

/**
 * `messages.upsert` → event data, or null when nothing is left to report (every message was a
 * `status@broadcast` post and those are ignored).
 * @param {{messages: any[], type: string}} upsert Baileys `messages.upsert` payload
 * @param {MapContext} [ctx]
 */
export function mapMessagesUpsert (upsert, ctx = {}) {
  const messages = keepMessages(upsert?.messages ?? [], ctx).map((m) => mapMessage(m, ctx))
  if (messages.length === 0) return null
  return { type: String(upsert?.type ?? 'notify'), messages }
}

/**
 * `messages.update` → `{updates:[{key, status, timestamp, userJid, edit?, revoked?, error?}]}`.
 * `status` is the protocol name (sent/delivered/read/played/failed/pending) or null when the
 * update carries none; `edit` is present for an edit (new text + content), `revoked` for a
 * delete, `error` for a failed send when Baileys gave a reason. Null when nothing is left.
 * @param {any[]} updates Baileys `messages.update` payload (WAMessageUpdate[])
 * @param {MapContext} [ctx]
 */
export function mapMessagesUpdate (updates, ctx = {}) {
  const out = keepByKey(updates, ctx).map((u) => {
    const upd = u?.update ?? {}
    /** @type {Record<string, any>} */
    const mapped = {
      key: mapKey(u?.key),
      status: statusName(upd.status),
      timestamp: toNumberOrNull(upd.messageTimestamp),
      userJid: null
    }
    const edited = upd.message?.editedMessage?.message
    if (edited) mapped.edit = { text: contentText(edited), message: jsonSafe(edited) }
    if (toNumberOrNull(upd.messageStubType) === WAMessageStubType.REVOKE) mapped.revoked = true
    if (mapped.status === 'failed') mapped.error = str(upd.messageStubParameters?.[0])
    return mapped
  })
  return out.length === 0 ? null : { updates: out }
}

/**
 * `message-receipt.update` (per-recipient receipts in groups and broadcasts) → the same
 * `messages.update` shape, one update per receipt: played > read > delivered, from the
 * timestamp the receipt carries; `userJid` is who sent the receipt.
 * @param {any[]} receipts Baileys MessageUserReceiptUpdate[]
 * @param {MapContext} [ctx]
 */
export function mapReceiptUpdates (receipts, ctx = {}) {
  const out = keepByKey(receipts, ctx).map((r) => {
    const rc = r?.receipt ?? {}
    const played = toNumberOrNull(rc.playedTimestamp)
    const read = toNumberOrNull(rc.readTimestamp)
    const delivered = toNumberOrNull(rc.receiptTimestamp)
    const [status, timestamp] = played !== null ? ['played', played] : read !== null ? ['read', read] : delivered !== null ? ['delivered', delivered] : [null, null]
    return { key: mapKey(r?.key), status, timestamp, userJid: str(rc.userJid) }
  })
  return out.length === 0 ? null : { updates: out }
}

/**
 * `messaging-history.set` → event data. Chats lose their embedded messages (they are in
 * `messages`); `status@broadcast` is dropped like in upserts. `peerDataRequestSessionId` and
 * `chunkOrder` are passed through (null when absent) for on-demand fetches.
 * @param {any} set Baileys `messaging-history.set` payload
 * @param {MapContext} [ctx]
 */
export function mapHistorySet (set, ctx = {}) {
  const ignore = ctx.ignoreStatusBroadcast !== false
  return {
    chats: (set?.chats ?? [])
      .filter((/** @type {any} */ c) => !(ignore && typeof c?.id === 'string' && isJidStatusBroadcast(c.id)))
      .filter((/** @type {any} */ c) => !(ctx.ignoreChat && typeof c?.id === 'string' && ctx.ignoreChat(c.id)))
      .map((/** @type {any} */ { messages, ...chat }) => jsonSafe(chat)),
    messages: keepMessages(set?.messages ?? [], ctx).map((m) => mapMessage(m, ctx)),
    isLatest: typeof set?.isLatest === 'boolean' ? set.isLatest : null,
    progress: toNumberOrNull(set?.progress),
    syncType: toNumberOrNull(set?.syncType),
    chunkOrder: toNumberOrNull(set?.chunkOrder),
    peerDataRequestSessionId: str(set?.peerDataRequestSessionId)
  }
}

/**
 * LID ↔ phone mappings (`lid-mapping.update` carries one `{lid, pn}`; history sets carry a
 * list) → `contacts.lid` data, or null when none is usable.
 * @param {unknown} mappings  one mapping or an array of them
 */
export function mapLidMappings (mappings) {
  const list = Array.isArray(mappings) ? mappings : [mappings]
  const out = list
    .filter((m) => typeof m?.lid === 'string' && typeof m?.pn === 'string')
    .map((m) => ({ lid: m.lid, pn: m.pn }))
  return out.length === 0 ? null : { mappings: out }
}

/** @param {any[]} messages @param {MapContext} ctx */
function keepMessages (messages, ctx) {
  const kept = ctx.ignoreStatusBroadcast === false ? messages : messages.filter((m) => !isStatusBroadcast(m))
  const ignoreChat = ctx.ignoreChat
  return ignoreChat ? kept.filter((m) => !ignoreChat(m?.key?.remoteJid)) : kept
}

/** @param {any} list @param {MapContext} ctx @returns {any[]} */
function keepByKey (list, ctx) {
  if (!Array.isArray(list)) throw new TypeError('expected an array of updates')
  return ctx.ignoreStatusBroadcast === false ? list : list.filter((u) => !isStatusBroadcast(u?.key))
}
