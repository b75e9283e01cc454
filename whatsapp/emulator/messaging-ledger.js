import { BufferJSON, normalizeMessageContent, proto } from 'baileys'
import { MESSAGE_MEDIA_TYPES } from './media-crypto.js'

/*
 * Per-account memory of the messaging side: the ledger (what each contact got from the linked
 * device), what the device got from contacts (and which acks/receipts it answered with), the
 * pending `fail` budget, the retries a contact asked for, and the stanzas queued for offline
 * devices.
 *
 * Counting (what "exactly once" means here): WhatsApp identifies a message by its id, and a
 * phone shows an id once, however often it arrives from the same device (docs/decisions.md,
 * "A message id arrives once").
 *   count    1 once the contact decrypted this id: the message the contact sees (a second
 *            message is a second id, with its own entry);
 *   resends  later arrivals of the same id: after the contact's retry receipt, or the device
 *            sending the same id again (a retry after a lost ack, a restart) — deduped by id;
 *   asked    how many of those resends the contact asked for with a retry receipt;
 *   phoneCopies  times the account's own phone decrypted the device-sent (DSM) copy.
 */

/**
 * @typedef {object} LedgerEntry
 * @property {string} id
 * @property {string} to         the chat jid the device addressed (phone or LID jid)
 * @property {string} contact    the contact's phone
 * @property {'pkmsg'|'msg'} type  enc type of the first arrival
 * @property {'pkmsg'|'msg'} lastType
 * @property {string} stanzaType text|media|reaction…
 * @property {string|undefined} text
 * @property {any} message       the decoded proto.Message
 * @property {number} count
 * @property {number} resends
 * @property {number} asked      resends the contact asked for (retry receipts)
 * @property {number} phoneCopies
 * @property {string[]} receipts statuses the contact sent for it (delivered, read, played)
 * @property {number} at         ms epoch of the first arrival
 *
 * @typedef {object} InboundEntry
 * @property {string} id
 * @property {string} from       the contact's phone
 * @property {'pn'|'lid'} addressing
 * @property {string} type       inbound type (text, reply, …, undecryptable)
 * @property {any} message       what the contact meant to send (re-encrypted on a retry receipt)
 * @property {number} acks       acks the device sent for it
 * @property {{type: string, t: string|undefined}[]} receipts  receipts the device sent for it
 * @property {number} resent     times the contact re-encrypted it after a device retry receipt
 * @property {number} [redelivered]  times it was delivered again under the same id (inbound `redeliver`)
 */

export function createAccountState () {
  return {
    /** @type {Map<string, LedgerEntry>} `${id}|${contactPhone}` → entry, in arrival order */
    ledger: new Map(),
    /** @type {Map<string, LedgerEntry[]>} message id → its ledger entries (one per contact), so a lookup by id does not scan the ledger */
    byId: new Map(),
    /** @type {Map<string, InboundEntry>} id → what a contact sent to the device */
    inbound: new Map(),
    /** @type {Set<string>} `${id}|${contactPhone}`: the contact asked for a resend of this id */
    retryAsked: new Set(),
    /** @type {{left: number, code: string}} the next `left` device messages get an error ack */
    fail: { left: 0, code: '479' },
    /** @type {{left: number, ms: number, to?: string}} the next `left` device messages (to `to`, if set) get their plain ack `ms` late (not persisted) */
    holdAcks: { left: 0, ms: 0 },
    /** @type {Map<string, any[]>} device jid → stanzas waiting for its next login */
    offline: new Map(),
    /** @type {any[]} peer (category=peer) messages the own phone got, e.g. placeholder-resend requests */
    peer: [],
    /** device messages a contact could not decrypt (answered with a retry receipt) */
    undecryptable: 0
  }
}

/**
 * Records that `contact` decrypted `record` (from decryptFromDevice). Returns the entry and
 * whether this arrival is the first one (the caller then schedules the delivery receipt).
 * @param {ReturnType<typeof createAccountState>} state
 * @param {string} contactPhone @param {any} record
 */
export function recordArrival (state, contactPhone, record) {
  const key = `${record.id}|${contactPhone}`
  const existing = state.ledger.get(key)
  const asked = state.retryAsked.delete(key)
  if (existing) {
    // the same id again is the same message: counted as a resend, never as a second message
    existing.resends++
    if (asked) existing.asked = (existing.asked ?? 0) + 1
    existing.lastType = record.type
    return { entry: existing, first: false }
  }
  /** @type {LedgerEntry} */
  const entry = {
    id: record.id,
    to: record.to,
    contact: contactPhone,
    type: record.type,
    lastType: record.type,
    stanzaType: record.stanzaType,
    text: record.text,
    message: record.message,
    count: 1,
    resends: 0,
    asked: 0,
    phoneCopies: 0,
    receipts: [],
    at: Date.now()
  }
  addEntry(state, entry)
  return { entry, first: true }
}

/** Adds a new entry to the ledger and to its id index. @param {ReturnType<typeof createAccountState>} state @param {LedgerEntry} entry */
function addEntry (state, entry) {
  state.ledger.set(`${entry.id}|${entry.contact}`, entry)
  const same = state.byId.get(entry.id)
  if (same) same.push(entry)
  else state.byId.set(entry.id, [entry])
}

/**
 * The ledger entries of message `id` (one per contact who got it), oldest first; empty when
 * none. An index, not a scan: the own phone's copy of every message looks its entry up, and a
 * scan made that cost grow with the ledger (issue 18: 5.2 s of the emulator's CPU in 20 s of sends).
 * @param {ReturnType<typeof createAccountState>} state @param {string} id @returns {LedgerEntry[]}
 */
export function entriesWithId (state, id) {
  return state.byId.get(id) ?? []
}

/** The entry for message `id` (to `contactPhone` when given), or null. @param {ReturnType<typeof createAccountState>} state */
export function findEntry (state, id, contactPhone) {
  if (contactPhone) return state.ledger.get(`${id}|${contactPhone}`) ?? null
  return entriesWithId(state, id)[0] ?? null
}

/** The ledger as plain objects (message as proto JSON), oldest first. @param {ReturnType<typeof createAccountState>} state */
export function ledgerView (state) {
  return [...state.ledger.values()].map((e) => ({ ...e, message: toPlain(e.message), receipts: [...e.receipts] }))
}

/** What contacts sent to the device, with the device's acks and receipts. @param {ReturnType<typeof createAccountState>} state */
export function inboundView (state) {
  return [...state.inbound.values()].map((e) => ({ ...e, message: toPlain(e.message), receipts: [...e.receipts] }))
}

/** @param {any} m */
function toPlain (m) {
  if (!m) return m
  const msg = m instanceof proto.Message ? m : proto.Message.fromObject(m)
  return proto.Message.toObject(msg, { longs: Number, bytes: String, defaults: false })
}

/**
 * The account states as JSON-able data (docs/emulator.md "State format"). Offline queues are
 * kept (they are messages WhatsApp still owes the device); the fail budget and pending retry
 * markers are kept too, so a restart changes nothing a test or user set up.
 * @param {Map<string, ReturnType<typeof createAccountState>>} states
 */
export function statesToJSON (states) {
  const accounts = {}
  for (const [phone, s] of states) {
    accounts[phone] = {
      ledger: [...s.ledger.values()].map((e) => ({ ...e, message: toPlain(e.message) })),
      inbound: [...s.inbound.values()].map((e) => ({ ...e, message: toPlain(e.message) })),
      retryAsked: [...s.retryAsked],
      fail: s.fail,
      offline: [...s.offline.entries()],
      undecryptable: s.undecryptable
    }
  }
  return JSON.parse(JSON.stringify({ version: 1, accounts }, BufferJSON.replacer))
}

/** Inverse of statesToJSON. @param {any} json @returns {Map<string, ReturnType<typeof createAccountState>>} */
export function statesFromJSON (json) {
  const data = JSON.parse(JSON.stringify(json), BufferJSON.reviver)
  if (data?.version !== 1 || typeof data.accounts !== 'object') throw new Error('unknown messaging state version')
  const states = new Map()
  for (const [phone, a] of Object.entries(data.accounts)) {
    const s = createAccountState()
    for (const e of a.ledger ?? []) addEntry(s, { ...e, message: proto.Message.fromObject(e.message ?? {}) })
    for (const e of a.inbound ?? []) s.inbound.set(e.id, { ...e, message: e.message && proto.Message.fromObject(e.message) })
    for (const k of a.retryAsked ?? []) s.retryAsked.add(k)
    if (a.fail) s.fail = { left: Number(a.fail.left) || 0, code: String(a.fail.code ?? '479') }
    for (const [jid, list] of a.offline ?? []) s.offline.set(jid, list)
    s.undecryptable = Number(a.undecryptable) || 0
    states.set(phone, s)
  }
  return states
}

/**
 * What the contact saw in one ledger entry, in plain fields (docs/emulator.md "sent"): the
 * content type and the parts tests compare with what was sent — text, caption, file name, for
 * media the SHA-256 of the plaintext the contact decrypted from the media host (`media`, set on
 * arrival by messaging.js), a location's coordinates, contacts' vCards, a reaction's emoji and
 * target, a poll's options, an edit's new text and target, a revoke's target, the mentions.
 * @param {LedgerEntry & {media?: any, mediaError?: string}} e
 */
export function describeSent (e) {
  const m = toPlain(e.message) ?? {}
  const inner = m.ephemeralMessage?.message ?? m.viewOnceMessage?.message ?? m.documentWithCaptionMessage?.message ?? m
  /** @type {Record<string, any>} */
  const out = { type: 'unknown' }
  const ctx = (c) => { if (c?.contextInfo?.mentionedJid?.length) out.mentions = c.contextInfo.mentionedJid }
  if (inner.conversation !== undefined || inner.extendedTextMessage) {
    out.type = 'text'
    out.text = inner.conversation ?? inner.extendedTextMessage?.text
    ctx(inner.extendedTextMessage)
  } else if (inner.locationMessage) {
    const l = inner.locationMessage
    Object.assign(out, { type: 'location', location: { latitude: l.degreesLatitude, longitude: l.degreesLongitude, name: l.name ?? null, address: l.address ?? null } })
  } else if (inner.contactMessage) {
    Object.assign(out, { type: 'contacts', displayName: inner.contactMessage.displayName ?? null, vcards: [inner.contactMessage.vcard] })
  } else if (inner.contactsArrayMessage) {
    Object.assign(out, { type: 'contacts', displayName: inner.contactsArrayMessage.displayName ?? null, vcards: (inner.contactsArrayMessage.contacts ?? []).map((c) => c.vcard) })
  } else if (inner.reactionMessage) {
    Object.assign(out, { type: 'reaction', emoji: inner.reactionMessage.text ?? '', targetId: inner.reactionMessage.key?.id ?? null })
  } else if (inner.pollCreationMessage || inner.pollCreationMessageV2 || inner.pollCreationMessageV3) {
    const p = inner.pollCreationMessage ?? inner.pollCreationMessageV2 ?? inner.pollCreationMessageV3
    Object.assign(out, { type: 'poll', poll: { name: p.name, options: (p.options ?? []).map((o) => o.optionName), selectableCount: p.selectableOptionsCount ?? 0 } })
  } else if (inner.protocolMessage) {
    const pm = inner.protocolMessage
    const edited = pm.editedMessage
    if (edited) Object.assign(out, { type: 'edit', targetId: pm.key?.id ?? null, text: edited.conversation ?? edited.extendedTextMessage?.text ?? null })
    else if ((pm.type ?? 0) === 0) Object.assign(out, { type: 'revoke', targetId: pm.key?.id ?? null })
    else out.type = 'protocol'
  } else {
    const field = Object.keys(inner).find((k) => /^(image|video|audio|document|sticker)Message$/.test(k))
    if (field) {
      const c = inner[field]
      out.type = field === 'audioMessage' && c.ptt ? 'voice' : field.replace('Message', '')
      out.mimetype = c.mimetype ?? null
      if (c.caption) out.caption = c.caption
      if (c.fileName) out.fileName = c.fileName
      ctx(c)
    }
  }
  if (e.media) out.sha256 = e.media.sha256
  if (e.media) out.size = e.media.size
  if (e.mediaError) out.mediaError = e.mediaError
  return out
}

/**
 * The contact's phone downloads and decrypts the media of a ledger entry from the media host
 * (MAC and hashes checked), as a phone does, and the entry records what it got: `media`
 * {sha256 hex of the plaintext, size, type, mimetype, fileName, caption}, or `mediaError` when the
 * blob is missing or a check fails. Entries without media are left alone.
 * @param {any} mediaHost  media.js's host @param {any} entry
 */
export async function openSentMedia (mediaHost, entry) {
  const m = normalizeMessageContent(entry.message) ?? entry.message
  if (!m || !Object.keys(MESSAGE_MEDIA_TYPES).some((f) => m[f])) return
  try {
    const out = await mediaHost.decryptDeviceMedia(entry.message)
    entry.media = { sha256: out.sha256.toString('hex'), size: out.bytes.length, type: out.type, mimetype: out.mimetype ?? null, fileName: out.fileName ?? null, caption: out.caption ?? null }
  } catch (err) {
    entry.mediaError = /** @type {Error} */ (err).message
  }
}
