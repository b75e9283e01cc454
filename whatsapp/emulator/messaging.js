import { getBinaryNodeChild, getBinaryNodeChildBuffer, getBinaryNodeChildren, getBinaryNodeChildUInt, jidDecode } from 'baileys'
import { createContacts } from './contacts.js'
import { createAccountState, entriesWithId, openSentMedia, recordArrival, statesFromJSON, statesToJSON } from './messaging-ledger.js'
import { createInboundControls } from './messaging-inbound.js'
import { createDelivery } from './messaging-delivery.js'
import { IqError, serverId, unixTime } from './nodes.js'
import {
  buildIdentityChangeNotification, buildKeyFetchResult, buildPreKeyLowNotification, buildReceipt, buildRetryReceipt,
  buildUSyncResult, decryptFromDevice, encryptToDevice
} from './signal/index.js'

/*
 * Signal messaging through the emulator, both ways (docs/emulator.md "Messaging"):
 *   - usync (devices, contact, lid) and prekey key-fetch IQs for contacts, the account's own
 *     phone and its companion devices;
 *   - device `message` stanzas: server ack (or the error ack a `fail` asked for; late after
 *     `holdAcks`), then every
 *     addressed contact and the account's own phone decrypt; the ledger records what they got;
 *     the contact sends a delivery receipt after `deliveryDelayMs`;
 *   - device `receipt`s and `ack`s for inbound messages are recorded; a device retry receipt
 *     makes the contact re-encrypt on a fresh session and resend;
 *   - inbound messages, receipts, retries, identity changes and bursts from contacts
 *     (messaging-inbound.js), delivered to live sessions or queued until the next login, and
 *     owed until the device acks them (messaging-delivery.js).
 */

/** One-time prekeys left on the server below which it tells the device to upload more (Baileys' MIN_PREKEY_COUNT). */
const PREKEY_LOW = 5

export class MessagingError extends Error {
  /** @param {'bad_request'|'not_found'|'conflict'} code @param {string} message */
  constructor (code, message) { super(message); this.code = code }
}

/**
 * Plugs messaging into an emulator and returns the controls (also set as `emulator.messaging`).
 * @param {any} emulator
 * @param {{deliveryDelayMs?: number|null, readDelayMs?: number|null}} [opts] delay before a contact's automatic delivery
 *   receipt (default 200 ms; null = no automatic delivery receipts); readDelayMs: the contact then
 *   reads the message after this delay from the arrival (default null = never by itself)
 */
export function installMessaging (emulator, opts = {}) {
  const accounts = emulator.accounts
  const contacts = createContacts(accounts)
  /** @type {Map<string, ReturnType<typeof createAccountState>>} */
  let states = new Map()
  const timers = new Set()
  const deliveryDelayMs = opts.deliveryDelayMs === undefined ? 200 : opts.deliveryDelayMs
  const readDelayMs = opts.readDelayMs ?? null
  /** @type {Set<(e: any) => void>} */ const listeners = new Set()

  /** @param {string} phone */
  const stateOf = (phone) => {
    let s = states.get(phone)
    if (!s) { s = createAccountState(); states.set(phone, s) }
    return s
  }
  const notify = (event) => { for (const l of [...listeners]) l(event) }

  /** A timer that does not keep the process alive and is cleared on close. @param {() => void} fn @param {number} ms */
  function later (fn, ms) {
    const t = setTimeout(() => { timers.delete(t); fn() }, ms)
    t.unref?.()
    timers.add(t)
  }

  const { deliver, deliverToAccount, settled } = createDelivery({ emulator, accounts, stateOf, peekState: (phone) => states.get(phone), notify })

  /**
   * The bundle of a companion device, consuming its lowest one-time prekey (each is served
   * once). When the stock runs low the server tells the live device to upload more.
   * @param {any} device
   */
  function deviceBundle (device) {
    if (!device.signedPreKey) return undefined
    const [preKeyId] = [...device.preKeys.keys()].sort((a, b) => a - b)
    const bundle = {
      registrationId: device.registrationId,
      identityKey: device.identityKey,
      signedPreKey: { keyId: device.signedPreKey.id, publicKey: device.signedPreKey.public, signature: device.signedPreKey.signature }
    }
    if (preKeyId !== undefined) {
      bundle.preKey = { keyId: preKeyId, publicKey: device.preKeys.get(preKeyId) }
      device.preKeys.delete(preKeyId)
      if (device.preKeys.size === PREKEY_LOW - 1) emulator.sendTo(device.jid, buildPreKeyLowNotification({ id: serverId(), count: device.preKeys.size }))
    }
    return bundle
  }

  /** The phone number behind a user jid (phone or LID, any device), or null. @param {string} jid */
  function phoneOf (jid) {
    const d = jidDecode(jid)
    if (!d?.user) return null
    if (d.server === 's.whatsapp.net') return d.user
    if (d.server === 'lid') return contacts.find(`${d.user}@lid`)?.phone ?? accounts.findPhoneByLid(d.user)?.phone ?? null
    return null
  }

  // usync: who is on WhatsApp, their devices (a linked account: its phone plus companions), LIDs.
  emulator.iq.register({ xmlns: 'usync', type: 'get' }, ({ node, device }) => {
    if (!device) throw new IqError(401, 'not-authorized')
    return buildUSyncResult(node, ({ jid, phone }) => {
      let user = null
      if (jid) {
        const d = jidDecode(jid)
        user = d ? contacts.resolve(`${d.user}@${d.server}`) : null
      } else if (phone) {
        const digits = phone.replace(/\D/g, '')
        user = contacts.isAbsent(digits) || !/^[1-9][0-9]{5,14}$/.test(digits) ? null : contacts.contactFor(digits)
      }
      if (!user) return undefined
      const companions = accounts.devicesOf(user.phone).map((c) => ({ id: c.deviceId, keyIndex: c.keyIndex }))
      return { pnJid: user.pnJid, lidJid: user.lidJid, devices: [{ id: 0 }, ...companions] }
    }).content
  })

  // Prekey bundles: a contact's (or the own phone's) primary device, or a companion device.
  emulator.iq.register({ xmlns: 'encrypt', type: 'get', child: 'key' }, ({ node, device }) => {
    if (!device) throw new IqError(401, 'not-authorized')
    return buildKeyFetchResult(node, (jid) => {
      const d = jidDecode(jid)
      if (!d?.user) return undefined
      if (!d.device) return contacts.find(`${d.user}@${d.server}`)?.takeBundle()
      const phone = phoneOf(jid)
      const companion = phone ? accounts.findDevice(phone, d.device) : null
      return companion && !companion.removed ? deviceBundle(companion) : undefined
    }).content
  })

  // Privacy tokens (tctoken) Baileys issues after a send: accepted, none handed back.
  emulator.iq.register({ xmlns: 'privacy', type: 'set', child: 'tokens' }, () => undefined)

  // A message the linked device sends.
  emulator.onStanza('message', async ({ session, node, device }) => {
    const ack = { class: 'message', id: node.attrs.id, t: unixTime(), from: node.attrs.to ?? 's.whatsapp.net' }
    if (!device) { session.send({ tag: 'ack', attrs: ack }); return }
    const s = stateOf(device.phone)
    if (s.fail.left > 0) {
      s.fail.left--
      session.send({ tag: 'ack', attrs: { ...ack, error: s.fail.code } })
      notify({ kind: 'failed', phone: device.phone, id: node.attrs.id })
      return
    }
    // a restricted account reaching a new contact: WhatsApp's 463 (restrictions.js)
    if (emulator.restrictions?.refuses(device.phone, node)) {
      session.send({ tag: 'ack', attrs: { ...ack, error: '463' } })
      notify({ kind: 'failed', phone: device.phone, id: node.attrs.id, code: '463' })
      return
    }
    // a group message: the groups part checks membership, acks and fans out (groups.js)
    if (node.attrs.to?.endsWith('@g.us') && emulator.groups) return emulator.groups.deviceMessage({ session, device, state: s, node, ack })
    const plainAck = { tag: 'ack', attrs: node.attrs.type ? { ...ack, type: node.attrs.type } : ack }
    const recipients = recipientsOf(node)
    if (s.holdAcks.left > 0 && (!s.holdAcks.to || recipients.some((c) => c.phone === s.holdAcks.to))) {
      // a slow server ack (holdAcks): the contacts get the message now, the device its ack later
      s.holdAcks.left--
      later(() => session.send(plainAck), s.holdAcks.ms)
    } else {
      session.send(plainAck)
    }
    for (const contact of recipients) await contactReceives(session, device, s, contact, node)
  })

  /** The users (contacts, the own phone) with an enc in this stanza. @param {any} node */
  function recipientsOf (node) {
    const jids = getBinaryNodeChildren(node, 'enc').length
      ? [node.attrs.to]
      : getBinaryNodeChildren(getBinaryNodeChild(node, 'participants'), 'to').map((t) => t.attrs.jid)
    const found = new Map()
    for (const jid of jids) {
      const c = jid && contacts.find(jid)
      if (c) found.set(c.phone, c)
    }
    // The own phone's DSM copy last, so it is counted on the ledger entry the contact made.
    return [...found.values()].sort((a, b) => Number(accounts.findPhone(a.phone) !== null) - Number(accounts.findPhone(b.phone) !== null))
  }

  /**
   * One recipient decrypts the stanza. Success: ledger (or the own phone's copy count), and a
   * delivery receipt later on first arrival. Failure: nothing recorded; the contact asks for
   * a resend with a retry receipt, as a phone does.
   */
  async function contactReceives (session, device, s, contact, node) {
    let record
    try {
      record = await decryptFromDevice(contact, node, { senderJid: device.jid })
    } catch (err) {
      s.undecryptable++
      emulator.log('undecryptable', session.id, { id: node.attrs.id, contact: contact.phone, error: err.message })
      deliver(device, buildRetryReceipt(contact, { id: node.attrs.id, addressing: node.attrs.to?.endsWith('@lid') ? 'lid' : 'pn' }))
      return
    }
    if (contact.phone === device.phone) {
      if (node.attrs.category === 'peer') {
        s.peer.push({ id: record.id, message: record.message })
        // the phone answers an on-demand history request (history.js); other peer requests are ignored
        emulator.history?.answerPeerRequest(device, record)
          .catch((err) => emulator.log('peer-request', session.id, { id: record.id, error: err.message }))
        return
      }
      let copied = false
      for (const e of entriesWithId(s, record.id)) if (e.contact !== contact.phone) { e.phoneCopies++; copied = true }
      // a copy with no contact entry is a message to the account's own chat: the phone is its recipient
      if (copied) return
    }
    const { entry, first } = recordArrival(s, contact.phone, record)
    // the contact's phone downloads and decrypts the media, as a phone does (the ledger keeps its SHA-256)
    if (first && emulator.media) await openSentMedia(emulator.media, entry)
    notify({ kind: 'sent', phone: device.phone, entry })
    // (no delivery receipt in the account's own chat: the phone is the sender's own device)
    if (first && deliveryDelayMs !== null && contact.phone !== device.phone) {
      later(() => controls.receipt(device.phone, { id: entry.id, status: 'delivered', from: contact.phone }), deliveryDelayMs)
      // a contact who reads: the read receipt follows the delivery one, never before it
      if (readDelayMs !== null) {
        later(() => controls.receipt(device.phone, { id: entry.id, status: 'read', from: contact.phone }), Math.max(readDelayMs, deliveryDelayMs))
      }
    }
  }

  // Receipts the device sends: for inbound messages (delivery, read, played…) and retry receipts.
  emulator.onStanza('receipt', async ({ session, node, device }) => {
    session.send({ tag: 'ack', attrs: { class: 'receipt', id: node.attrs.id, t: unixTime(), from: node.attrs.to ?? 's.whatsapp.net', ...(node.attrs.type ? { type: node.attrs.type } : {}) } })
    if (!device) return
    const s = stateOf(device.phone)
    const type = node.attrs.type ?? 'delivery'
    const list = getBinaryNodeChild(node, 'list')
    const ids = [node.attrs.id, ...getBinaryNodeChildren(list, 'item').map((i) => i.attrs.id)]
    for (const id of ids) s.inbound.get(id)?.receipts.push({ type, t: node.attrs.t })
    // the device has them (a retry receipt says it could not read one: the resend is owed instead)
    if (type !== 'retry') settled(device, ids)
    notify({ kind: 'receipt', phone: device.phone, ids, type })
    if (type === 'retry') await resendAfterRetry(device, s, node)
  })

  /**
   * The device could not decrypt a contact's message and asked for it again: the contact drops
   * its session, starts a fresh one (from the keys in the receipt, or a bundle fetched from
   * the server) and re-encrypts the same message under the same id.
   */
  async function resendAfterRetry (device, s, node) {
    const original = s.inbound.get(node.attrs.id)
    const contact = node.attrs.to ? contacts.find(node.attrs.to) : null
    if (!original || !contact || contact.phone !== original.from || !original.message) return
    contact.forgetSession(device.jid)
    const keys = bundleFromRetryReceipt(node)
    const { stanza } = await encryptToDevice(contact, {
      deviceJid: device.jid, bundle: keys ?? (() => deviceBundle(device)), message: original.message, id: original.id, addressing: original.addressing
    })
    original.resent++
    deliver(device, stanza)
    notify({ kind: 'resent', phone: device.phone, id: original.id })
  }

  // Acks the device sends for what the server delivered (messages, receipts, notifications).
  emulator.onStanza('ack', ({ node, device }) => {
    if (!device) return
    const entry = node.attrs.class === 'message' ? stateOf(device.phone).inbound.get(node.attrs.id) : undefined
    if (entry) entry.acks++
    if (node.attrs.class === 'message') settled(device, [node.attrs.id])
    notify({ kind: 'ack', phone: device.phone, class: node.attrs.class, id: node.attrs.id, error: node.attrs.error })
  })

  const controls = {
    contacts,
    deliveryDelayMs,
    /** @param {string} phone */
    stateOf,
    /** Events: {kind: sent|failed|receipt|ack|resent|delivered|offline, phone, …}. @param {(e: any) => void} fn */
    subscribe (fn) { listeners.add(fn); return () => listeners.delete(fn) },
    notify,
    deliver,
    deliverToAccount,
    deviceBundle,

    /**
     * The contact sends a receipt for one of the device's messages. @param {string} phone
     * @param {{id: string, status: 'delivered'|'read'|'played', from?: string}} r
     */
    receipt (phone, { id, status, from }) {
      const s = stateOf(phone)
      const entry = entriesWithId(s, id).find((e) => !from || e.contact === from)
      const contactPhone = entry?.contact ?? from
      if (!contactPhone) throw new MessagingError('not_found', `no message ${id} in the ledger of ${phone}; pass from`)
      const contact = contacts.contactFor(contactPhone)
      const type = status === 'delivered' ? 'delivery' : status
      const addressing = entry?.to?.endsWith('@lid') ? 'lid' : 'pn'
      deliverToAccount(phone, () => buildReceipt(contact, { ids: [id], type, addressing }))
      entry?.receipts.push(status)
      notify({ kind: 'delivered', phone, id, status })
      return { id, status, to: contactPhone }
    },

    /** The next `count` device messages get an error ack `code` and reach nobody. @param {string} phone */
    fail (phone, { count, code = '479' }) {
      if (!Number.isInteger(count) || count < 1) throw new MessagingError('bad_request', 'count must be a positive integer')
      const s = stateOf(phone)
      s.fail.left += count
      s.fail.code = String(code)
      return { left: s.fail.left, code: s.fail.code }
    },

    /**
     * The next `count` device messages (to the contact `to` only, when given) get their (plain)
     * server ack `ms` late, as a slow server would answer; they reach their contacts at once.
     * @param {string} phone @param {{count: number, ms: number, to?: string}} h
     */
    holdAcks (phone, { count, ms, to }) {
      if (!Number.isInteger(count) || count < 1) throw new MessagingError('bad_request', 'count must be a positive integer')
      if (!Number.isInteger(ms) || ms < 1 || ms > 60000) throw new MessagingError('bad_request', 'ms must be an integer 1-60000')
      const s = stateOf(phone)
      if (to !== undefined && (typeof to !== 'string' || !/^[0-9]{5,20}$/.test(to))) throw new MessagingError('bad_request', 'to must be a phone number (digits)')
      s.holdAcks = { left: s.holdAcks.left + count, ms, to }
      return { left: s.holdAcks.left, ms }
    },

    /**
     * The contact `to` asks for message `id` again with a retry receipt (fresh keys inside);
     * resolves once the resend was decrypted ({resent: true, resends}) or after `timeoutMs`.
     * @param {string} phone @param {{id: string, to?: string, timeoutMs?: number}} r
     */
    async retryRequest (phone, { id, to, timeoutMs = 5000 }) {
      const s = stateOf(phone)
      const entry = entriesWithId(s, id).find((e) => !to || e.contact === to)
      if (!entry) throw new MessagingError('not_found', `no message ${id} in the ledger of ${phone}`)
      const contact = contacts.contactFor(entry.contact)
      const before = entry.resends
      s.retryAsked.add(`${id}|${entry.contact}`)
      const arrived = waitFor((e) => e.kind === 'sent' && e.entry === entry && entry.resends > before, timeoutMs)
      deliverToAccount(phone, () => buildRetryReceipt(contact, { id, addressing: entry.to.endsWith('@lid') ? 'lid' : 'pn' }))
      const resent = await arrived
      if (!resent) s.retryAsked.delete(`${id}|${entry.contact}`)
      return { resent, resends: entry.resends, count: entry.count }
    },

    /**
     * The contact reinstalled WhatsApp: new identity and keys, and the server tells the
     * account's devices (encrypt notification with `identity`), so they refetch its keys.
     * @param {string} phone @param {{contact: string}} r
     */
    reinstall (phone, { contact: who }) {
      const contact = contacts.contactFor(who)
      contact.reinstall()
      const id = serverId()
      deliverToAccount(phone, () => buildIdentityChangeNotification({ from: contact.pnJid, id }))
      return { contact: contact.phone, installs: contact.installs, notification: id }
    },

    /** The ledger of one account. @param {string} phone */
    sent: (phone) => [...stateOf(phone).ledger.values()],

    /** State for persistence: contacts and per-account messaging state (docs/emulator.md). */
    toJSON: () => ({ version: 1, contacts: contacts.toJSON(), messaging: statesToJSON(states) }),
    /** @param {any} json */
    fromJSON (json) {
      if (json?.version !== 1) throw new Error('unknown emulator messaging state version')
      contacts.fromJSON(json.contacts)
      states = statesFromJSON(json.messaging)
    },

    /** Stops pending receipt timers. */
    close () { for (const t of timers) clearTimeout(t); timers.clear() }
  }

  /** Resolves true at the first event matching `pred`, false after `ms`. */
  function waitFor (pred, ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { off(); resolve(false) }, ms)
      const off = controls.subscribe((e) => { if (pred(e)) { clearTimeout(timer); off(); resolve(true) } })
    })
  }
  controls.waitFor = waitFor

  Object.assign(controls, createInboundControls({ emulator, controls, contacts, stateOf, MessagingError }))
  emulator.messaging = controls
  // History sync and messaging share one Signal identity for the account's own phone.
  emulator.phoneContact = (phone) => contacts.contactFor(phone)
  return controls
}

/** The device's keys from a retry receipt (32-byte wire keys), or null when it carries none. @param {any} node */
function bundleFromRetryReceipt (node) {
  const keys = getBinaryNodeChild(node, 'keys')
  if (!keys) return null
  const skey = getBinaryNodeChild(keys, 'skey')
  const key = getBinaryNodeChild(keys, 'key')
  const identity = getBinaryNodeChildBuffer(keys, 'identity')
  if (!skey || !identity) return null
  return {
    registrationId: getBinaryNodeChildUInt(node, 'registration', 4),
    identityKey: Buffer.from(identity),
    signedPreKey: {
      keyId: getBinaryNodeChildUInt(skey, 'id', 3),
      publicKey: Buffer.from(getBinaryNodeChildBuffer(skey, 'value')),
      signature: Buffer.from(getBinaryNodeChildBuffer(skey, 'signature'))
    },
    ...(key ? { preKey: { keyId: getBinaryNodeChildUInt(key, 'id', 3), publicKey: Buffer.from(getBinaryNodeChildBuffer(key, 'value')) } } : {})
  }
}

