import { WAMessageStubType } from 'baileys'
import { jidToPhone, str, text, toNumberOrNull } from './values.js'

/*
 * `parsed.details` (docs/engine-protocol.md, "Parsed message"; README "Message details"): the
 * structured parts of a message that have no column of their own — an undecryptable message's
 * reason, a group notification's participants, the view-once and forwarded flags, a location's
 * coordinates and caption, a list's title and rows, a reaction's target, a poll's options, a
 * list or button reply's id, and the WhatsApp key name of a message type the gateway does not
 * know. Java stores and shows this object unchanged, so its names are the API's (snake_case) and
 * it is one schema from the engine to the webhook. Pure functions; null fields are left out, and
 * a message with nothing to say has details null.
 */

/**
 * Content keys the gateway knows (parsed by messages.js); any other key is reported as type
 * `unsupported` with the key's name, never given a made-up type and never dropped.
 */
export const KNOWN_CONTENT = new Set([
  'conversation', 'extendedTextMessage', 'imageMessage', 'videoMessage', 'ptvMessage', 'audioMessage',
  'stickerMessage', 'documentMessage', 'locationMessage', 'liveLocationMessage', 'contactMessage',
  'contactsArrayMessage', 'reactionMessage', 'pollCreationMessage', 'pollCreationMessageV2',
  'pollCreationMessageV3', 'pollCreationMessageV5', 'pollUpdateMessage', 'buttonsResponseMessage',
  'listMessage', 'listResponseMessage', 'templateButtonReplyMessage', 'interactiveResponseMessage',
  'groupInviteMessage', 'protocolMessage'
])

/** The largest list WhatsApp shows (10 sections of 10 rows); more is cut, the raw content keeps all. */
const MAX_LIST_ITEMS = 10
/** WhatsApp allows 12 poll options; more (a malformed poll) is cut, the raw content keeps all. */
const MAX_POLL_OPTIONS = 32

/** Group notification stubs → `details.action`. */
const GROUP_ACTIONS = new Map([
  [WAMessageStubType.GROUP_PARTICIPANT_ADD, 'add'],
  [WAMessageStubType.GROUP_PARTICIPANT_REMOVE, 'remove'],
  [WAMessageStubType.GROUP_PARTICIPANT_LEAVE, 'leave'],
  [WAMessageStubType.GROUP_PARTICIPANT_PROMOTE, 'promote'],
  [WAMessageStubType.GROUP_PARTICIPANT_DEMOTE, 'demote'],
  [WAMessageStubType.GROUP_PARTICIPANT_INVITE, 'invite'],
  [WAMessageStubType.GROUP_PARTICIPANT_CHANGE_NUMBER, 'change_number'],
  [WAMessageStubType.GROUP_CHANGE_SUBJECT, 'subject'],
  [WAMessageStubType.GROUP_CHANGE_DESCRIPTION, 'description']
])

/** Readable group notification text, by action. */
const GROUP_VERBS = /** @type {Record<string, string>} */ ({
  add: 'added', remove: 'removed', leave: 'left', promote: 'made admin', demote: 'no longer admin', invite: 'joined by invite', change_number: 'changed number'
})

/** Wrappers that make a message view-once (Baileys normalizes them away, so they are looked for first). */
const VIEW_ONCE_WRAPPERS = ['viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension']
/** Wrappers a view-once wrapper may sit inside. */
const OUTER_WRAPPERS = ['ephemeralMessage', 'documentWithCaptionMessage', 'editedMessage']

/**
 * The object without its null/undefined fields; null when nothing is left, so "no details" is
 * always null rather than `{}`.
 * @param {Record<string, any>} o
 * @returns {Record<string, any>|null}
 */
export function compact (o) {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined))
  return Object.keys(out).length === 0 ? null : out
}

/**
 * True when the message is view-once: wrapped in a viewOnceMessage (v1, v2, v2 extension, also
 * inside an ephemeral wrapper), or its media says `viewOnce`.
 * @param {any} message  WAMessage.message
 * @param {any} inner    the unwrapped content item
 */
export function isViewOnce (message, inner) {
  let m = message
  for (let depth = 0; depth < 5 && m && typeof m === 'object'; depth++) {
    if (VIEW_ONCE_WRAPPERS.some((w) => m[w])) return true
    const outer = OUTER_WRAPPERS.find((w) => m[w]?.message)
    m = outer ? m[outer].message : null
  }
  return inner?.viewOnce === true
}

/**
 * Flags every content type can carry: forwarded (with WhatsApp's forwarding score: 4 or more is
 * shown as "forwarded many times") and view-once.
 * @param {any} message  WAMessage.message
 * @param {any} inner    the unwrapped content item
 */
function flags (message, inner) {
  const ctx = inner?.contextInfo
  const forwarded = ctx?.isForwarded === true || (toNumberOrNull(ctx?.forwardingScore) ?? 0) > 0
  return {
    forwarded: forwarded ? true : null,
    forwarding_score: forwarded ? toNumberOrNull(ctx?.forwardingScore) : null,
    view_once: isViewOnce(message, inner) ? true : null
  }
}

/** A finite number, else null (coordinates and counters). @param {unknown} v */
function num (v) {
  const n = toNumberOrNull(v) ?? (typeof v === 'number' ? v : null)
  return n !== null && Number.isFinite(n) ? n : null
}

/**
 * `details` of one content item, by content key (see the README's "Message details" table).
 * @param {string} key   content key (already known to be in KNOWN_CONTENT)
 * @param {any} c        content[key]
 * @param {any} message  the whole WAMessage.message (for the view-once wrappers)
 * @returns {Record<string, any>|null}
 */
export function contentDetails (key, c, message) {
  return compact({ ...flags(message, c), ...typeDetails(key, c) })
}

/** @param {string} key @param {any} c @returns {Record<string, any>} */
function typeDetails (key, c) {
  switch (key) {
    case 'locationMessage':
      return { latitude: num(c?.degreesLatitude), longitude: num(c?.degreesLongitude), name: text(c?.name), address: text(c?.address), url: text(c?.url) }
    case 'liveLocationMessage':
      return {
        latitude: num(c?.degreesLatitude),
        longitude: num(c?.degreesLongitude),
        caption: text(c?.caption),
        accuracy_meters: num(c?.accuracyInMeters),
        speed_mps: num(c?.speedInMps),
        sequence: num(c?.sequenceNumber)
      }
    case 'listMessage':
      return {
        title: text(c?.title),
        description: text(c?.description),
        button_text: text(c?.buttonText),
        footer: text(c?.footerText),
        sections: list(c?.sections).slice(0, MAX_LIST_ITEMS).map((/** @type {any} */ s) => compact({
          title: text(s?.title),
          rows: list(s?.rows).slice(0, MAX_LIST_ITEMS).map((/** @type {any} */ r) => compact({ row_id: str(r?.rowId), title: text(r?.title), description: text(r?.description) }))
        }))
      }
    case 'listResponseMessage':
      return { row_id: str(c?.singleSelectReply?.selectedRowId), title: text(c?.title), description: text(c?.description) }
    case 'groupInviteMessage':
      return { group_jid: str(c?.groupJid), group_name: text(c?.groupName), invite_code: str(c?.inviteCode), expires_at: num(c?.inviteExpiration), caption: text(c?.caption) }
    case 'buttonsResponseMessage':
      return { button_id: str(c?.selectedButtonId) }
    case 'templateButtonReplyMessage':
      return { button_id: str(c?.selectedId), index: num(c?.selectedIndex) }
    case 'reactionMessage': {
      const emoji = str(c?.text) ?? ''
      return { emoji: emoji === '' ? null : emoji, removed: emoji === '', target: target(c?.key) }
    }
    case 'pollCreationMessage': case 'pollCreationMessageV2': case 'pollCreationMessageV3': case 'pollCreationMessageV5':
      return {
        name: text(c?.name),
        options: list(c?.options).slice(0, MAX_POLL_OPTIONS).map((/** @type {any} */ o) => str(o?.optionName) ?? ''),
        selectable_count: num(c?.selectableOptionsCount) ?? 0
      }
  }
  return {}
}

/**
 * The message a reaction (or vote) is about, from our account's point of view: Baileys'
 * cleanMessage already turned the reactor's `fromMe` into ours. Java adds `message_id` (our
 * stored message) when it has that message.
 * @param {any} key
 */
function target (key) {
  if (!key || !str(key.id)) return null
  return compact({ id: str(key.id), from_me: Boolean(key.fromMe), participant: text(key.participant) })
}

/** @param {unknown} v @returns {any[]} */
function list (v) {
  return Array.isArray(v) ? v : []
}

/**
 * An undecryptable message: why Baileys could not decrypt it (its first stub parameter, e.g.
 * "No session record", "Bad MAC", "Message absent from node" — Signal's and Baileys' own words).
 * @param {any} msg  WAMessage
 */
export function undecryptableDetails (msg) {
  return compact({ reason: str(msg?.messageStubParameters?.[0]) })
}

/**
 * A group notification (participants added, removed, left, promoted, demoted, number changed;
 * subject or description changed) → `{type, text, details}`, or null for any other stub.
 * Baileys 7 puts each participant as a JSON string `{id, phoneNumber?, lid?, admin?}` in
 * messageStubParameters (a changed number: plain JIDs); the subject/description is the first
 * parameter.
 * @param {any} msg  WAMessage
 * @returns {{type: string, text: string, details: Record<string, any>}|null}
 */
export function groupNotification (msg) {
  const action = GROUP_ACTIONS.get(/** @type {any} */ (toNumberOrNull(msg?.messageStubType)))
  if (!action) return null
  const params = list(msg?.messageStubParameters).filter((p) => typeof p === 'string')
  if (action === 'subject' || action === 'description') {
    const value = params[0] ?? null
    return {
      type: 'groupNotification',
      text: value === null ? `[group ${action} removed]` : `[group ${action}: ${value}]`,
      details: /** @type {Record<string, any>} */ (compact({ action, [action]: value }))
    }
  }
  const participants = params.map(participant)
  const who = participants.map((p) => p.phone ?? p.jid).join(', ')
  return {
    type: 'groupNotification',
    text: `[${who || 'participants'} ${GROUP_VERBS[action]}]`,
    details: { action, participants }
  }
}

/**
 * One stub parameter → `{jid, phone, lid?, admin?}`; a parameter that is not JSON is a plain JID.
 * @param {string} raw
 */
function participant (raw) {
  let p
  try {
    p = JSON.parse(raw)
  } catch {
    p = { id: raw }
  }
  if (!p || typeof p !== 'object') p = { id: String(raw) }
  const jid = str(p.id)
  return { jid, phone: jidToPhone(jid) ?? jidToPhone(p.phoneNumber), ...compact({ lid: str(p.lid), admin: str(p.admin) }) }
}
