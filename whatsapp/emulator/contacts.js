import { randomInt } from 'node:crypto'
import { BufferJSON, jidDecode } from 'baileys'
import { Contact } from './signal/index.js'

/*
 * The emulated WhatsApp's directory of users other than the linked companions: simulated
 * contacts (one primary device each, real Signal keys) and, for every account that linked a
 * device, the account's own phone (a Contact with the account's number and LID, which receives
 * the device-sent "DSM" copies). Users are global, like on WhatsApp: one contact talking to two
 * accounts keeps one identity and one session per peer device.
 *
 * Every phone number is "on WhatsApp" (a contact is created on first use, with a random LID),
 * except numbers listed with `notOnWhatsApp`.
 */

/**
 * @param {ReturnType<import('./accounts.js').createAccounts>} accounts
 */
export function createContacts (accounts) {
  /** @type {Map<string, Contact>} phone → contact (simulated contacts and account phones) */
  const byPhone = new Map()
  /** @type {Map<string, string>} LID user → phone */
  const byLid = new Map()
  /** @type {Set<string>} numbers a usync answers as not on WhatsApp */
  const absent = new Set()
  /** @type {Map<string, {picture: 'set'|'hidden'|'none', pictureId: number}>} phone → profile picture state (default none) */
  const pictures = new Map()

  /** @param {Contact} c */
  function add (c) {
    byPhone.set(c.phone, c)
    if (c.lid) byLid.set(c.lid, c.phone)
    return c
  }

  const contacts = {
    /**
     * The user behind a phone number, created on first use. For a phone with a linked account
     * it is the account's phone (same LID as the account), so DSM copies and the account's
     * primary device share one identity. @param {string} phone
     */
    contactFor (phone) {
      const known = byPhone.get(phone)
      if (known) return known
      const account = accounts.findPhone(phone)
      let lid = account?.lidUser
      if (!lid) do { lid = String(randomInt(1e14, 2.8e14)) } while (byLid.has(lid))
      return add(new Contact({ phone, lid }))
    },

    /** The existing user for a phone or LID jid of a primary device (device 0), or null. @param {string} jid */
    find (jid) {
      const d = jidDecode(jid)
      if (!d?.user || (d.device || 0) !== 0) return null
      if (d.server === 's.whatsapp.net') return byPhone.get(d.user) ?? null
      if (d.server === 'lid') {
        const phone = byLid.get(d.user)
        if (phone) return byPhone.get(phone) ?? null
        const account = accounts.findPhoneByLid(d.user)
        return account ? contacts.contactFor(account.phone) : null
      }
      return null
    },

    /**
     * Like find, but creates the contact for a phone jid that is on WhatsApp (a send to a new
     * number). LIDs are never invented: an unknown LID is nobody. @param {string} jid
     */
    resolve (jid) {
      const hit = contacts.find(jid)
      if (hit) return hit
      const d = jidDecode(jid)
      if (d?.server === 's.whatsapp.net' && !(d.device) && /^[1-9][0-9]{5,14}$/.test(d.user) && !absent.has(d.user)) {
        return contacts.contactFor(d.user)
      }
      return null
    },

    /** Marks a number as not on WhatsApp (usync contact type=out, devices empty). @param {string} phone */
    notOnWhatsApp (phone) { absent.add(phone) },
    /** Puts a number (back) on WhatsApp. @param {string} phone */
    onWhatsApp (phone) { absent.delete(phone) },

    /**
     * The profile picture a number shows: `set` (a picture, a new id each time it is set),
     * `hidden` (its privacy settings hide it: 401) or `none` (no picture: 404).
     * @param {string} phone @param {'set'|'hidden'|'none'} picture
     */
    setPicture (phone, picture) {
      const before = pictures.get(phone)
      pictures.set(phone, { picture, pictureId: picture === 'set' ? (before?.pictureId ?? 0) + 1 : before?.pictureId ?? 0 })
    },
    /** @param {string} phone */
    pictureOf: (phone) => pictures.get(phone) ?? { picture: 'none', pictureId: 0 },
    /** @param {string} phone */
    isAbsent: (phone) => absent.has(phone),

    /** All users known so far. */
    all: () => [...byPhone.values()],

    /**
     * Plain JSON-able state (see docs/emulator.md "State format"): every contact with its keys,
     * prekeys, sessions and peer identities. Buffers use Baileys' BufferJSON encoding.
     */
    toJSON () {
      return { version: 1, contacts: [...byPhone.values()].map(contactToJSON), notOnWhatsApp: [...absent], pictures: [...pictures.entries()] }
    },

    /** Replaces the directory with a state from toJSON. @param {any} state */
    fromJSON (state) {
      if (state?.version !== 1 || !Array.isArray(state.contacts)) throw new Error('unknown contacts state version')
      byPhone.clear(); byLid.clear(); absent.clear(); pictures.clear()
      for (const c of state.contacts) add(contactFromJSON(c))
      for (const p of state.notOnWhatsApp ?? []) absent.add(p)
      for (const [phone, pic] of state.pictures ?? []) pictures.set(phone, pic)
    }
  }
  return contacts
}

/**
 * One contact as plain JSON: identity, registration id, signed prekey, one-time prekeys (private
 * halves and which are published), libsignal sessions (already serialized records) and the peer
 * identities it has seen. Guarantees contactFromJSON(contactToJSON(c)) encrypts and decrypts
 * exactly like c.
 * @param {Contact} c
 */
export function contactToJSON (c) {
  return JSON.parse(JSON.stringify({
    phone: c.phone,
    lid: c.lid,
    pushName: c.pushName,
    preKeyCount: c.preKeyCount,
    installs: c.installs,
    nextPreKeyId: c.nextPreKeyId,
    identityKeyPair: c.identityKeyPair,
    registrationId: c.registrationId,
    signedPreKey: c.signedPreKey,
    preKeys: [...c.preKeys.entries()],
    publishedPreKeyIds: c.publishedPreKeyIds,
    sessions: [...c.sessions.entries()],
    identities: [...c.identities.entries()]
  }, BufferJSON.replacer))
}

/** Rebuilds a Contact from contactToJSON's output (no new keys are generated). @param {any} json */
export function contactFromJSON (json) {
  const d = JSON.parse(JSON.stringify(json), BufferJSON.reviver)
  const c = Object.create(Contact.prototype)
  Object.assign(c, {
    phone: d.phone,
    lid: d.lid ?? undefined,
    pushName: d.pushName,
    preKeyCount: d.preKeyCount,
    installs: d.installs,
    nextPreKeyId: d.nextPreKeyId,
    identityKeyPair: d.identityKeyPair,
    registrationId: d.registrationId,
    signedPreKey: d.signedPreKey,
    preKeys: new Map(d.preKeys),
    publishedPreKeyIds: d.publishedPreKeyIds,
    sessions: new Map(d.sessions),
    identities: new Map(d.identities)
  })
  return c
}
