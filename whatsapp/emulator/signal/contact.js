// A simulated WhatsApp contact: one user with one primary device (device id 0),
// a phone number and optionally a LID, holding real Signal keys and an
// in-memory libsignal store. Transport-free: the emulator's server owns the
// contact and calls into it (see README.md in this folder).
import libsignal from 'libsignal'
import { jidDecode, WAJIDDomains } from 'baileys'

const { ProtocolAddress, SessionRecord, keyhelper } = libsignal

/** How many one-time prekeys a fresh install publishes (WhatsApp phones publish 812; a small pool keeps tests fast). */
export const DEFAULT_PREKEY_COUNT = 30

/**
 * The Signal address a Baileys client uses for a jid ("user.device", with "_<domain>" for LID users).
 * Guarantees the same string Baileys' own jidToSignalProtocolAddress builds, so sessions the contact keeps
 * are named like the client names them (useful when comparing both sides in tests and logs).
 */
export function signalAddressOf (jid) {
  const decoded = jidDecode(jid)
  if (!decoded?.user) throw new Error(`not a user jid: ${jid}`)
  const user = decoded.domainType && decoded.domainType !== WAJIDDomains.WHATSAPP
    ? `${decoded.user}_${decoded.domainType}`
    : decoded.user
  return new ProtocolAddress(user, decoded.device || 0)
}

/** Drops the 0x05 type byte: the wire (prekey bundles, uploads) carries 32-byte Curve25519 keys. */
export function wireKey (pubKey) {
  return pubKey.length === 33 ? Buffer.from(pubKey.subarray(1)) : Buffer.from(pubKey)
}

/**
 * A simulated contact. Keys are generated at construction (an "install"); `reinstall()` throws them all
 * away like a phone that reinstalled WhatsApp, which makes every peer re-establish its session.
 */
export class Contact {
  /**
   * @param {object} opts
   * @param {string} opts.phone digits only, e.g. '15550001111'
   * @param {string} [opts.lid] LID user digits, e.g. '201234567890123' (without '@lid')
   * @param {string} [opts.pushName] the name the contact's messages carry in `notify`
   * @param {number} [opts.preKeyCount] size of the one-time prekey pool per install
   */
  constructor ({ phone, lid, pushName, preKeyCount = DEFAULT_PREKEY_COUNT }) {
    if (!/^\d{5,20}$/.test(String(phone || ''))) throw new Error(`contact phone must be digits: ${phone}`)
    if (lid !== undefined && !/^\d{5,20}$/.test(String(lid))) throw new Error(`contact lid must be digits: ${lid}`)
    this.phone = String(phone)
    this.lid = lid === undefined ? undefined : String(lid)
    this.pushName = pushName || `Contact ${this.phone.slice(-4)}`
    this.preKeyCount = preKeyCount
    this.installs = 0
    this.nextPreKeyId = 1
    this.install()
  }

  /** The contact's primary-device PN jid, e.g. 15550001111@s.whatsapp.net. */
  get pnJid () { return `${this.phone}@s.whatsapp.net` }

  /** The contact's LID jid, or undefined when the contact has no LID. */
  get lidJid () { return this.lid ? `${this.lid}@lid` : undefined }

  /** True when `jid` names this contact's primary device, by phone or by LID (device 0 or unset). */
  owns (jid) {
    const decoded = jidDecode(jid)
    if (!decoded || (decoded.device || 0) !== 0) return false
    if (decoded.server === 's.whatsapp.net') return decoded.user === this.phone
    if (decoded.server === 'lid') return !!this.lid && decoded.user === this.lid
    return false
  }

  /**
   * Generates a whole new Signal identity: identity key pair, registration id, signed prekey, one-time
   * prekey pool; forgets every session and every peer identity. Guarantees that nothing from the previous
   * install can decrypt or be decrypted afterwards (the prekey ids keep counting up, like a server would see).
   */
  install () {
    this.installs += 1
    this.identityKeyPair = keyhelper.generateIdentityKeyPair()
    this.registrationId = keyhelper.generateRegistrationId()
    this.signedPreKey = keyhelper.generateSignedPreKey(this.identityKeyPair, this.installs)
    /** @type {Map<number, {pubKey: Buffer, privKey: Buffer}>} private halves, until a pkmsg consumes them */
    this.preKeys = new Map()
    /** @type {number[]} ids published on the server and not yet handed out in a bundle */
    this.publishedPreKeyIds = []
    this.sessions = new Map()
    this.identities = new Map()
    this.topUpPreKeys()
  }

  /** Same as install(): a reinstall (new identity). Kept as a separate name for readability at call sites. */
  reinstall () { this.install() }

  /** Publishes fresh one-time prekeys until the pool holds `preKeyCount` (a phone refilling its server stock). */
  topUpPreKeys () {
    while (this.publishedPreKeyIds.length < this.preKeyCount) {
      const { keyId, keyPair } = keyhelper.generatePreKey(this.nextPreKeyId++)
      this.preKeys.set(keyId, keyPair)
      this.publishedPreKeyIds.push(keyId)
    }
  }

  /**
   * The public bundle a server hands out for this contact, consuming one published one-time prekey
   * (as WhatsApp's server does: each prekey is served once). Refills the pool when it runs dry, so a
   * bundle always carries a one-time prekey. Keys are 32 bytes, as on the wire.
   */
  takeBundle () {
    if (!this.publishedPreKeyIds.length) this.topUpPreKeys()
    const preKeyId = this.publishedPreKeyIds.shift()
    return {
      registrationId: this.registrationId,
      identityKey: wireKey(this.identityKeyPair.pubKey),
      signedPreKey: {
        keyId: this.signedPreKey.keyId,
        publicKey: wireKey(this.signedPreKey.keyPair.pubKey),
        signature: Buffer.from(this.signedPreKey.signature)
      },
      preKey: { keyId: preKeyId, publicKey: wireKey(this.preKeys.get(preKeyId).pubKey) }
    }
  }

  /** True when the contact holds an open Signal session with the peer device `peerJid`. */
  hasSession (peerJid) {
    const serialized = this.sessions.get(signalAddressOf(peerJid).toString())
    return !!serialized && SessionRecord.deserialize(serialized).haveOpenSession()
  }

  /**
   * Drops the session with the peer device (e.g. the server saw that device re-pair with a new identity), so
   * the contact's next message to it starts a new session from a fresh bundle.
   */
  forgetSession (peerJid) {
    this.sessions.delete(signalAddressOf(peerJid).toString())
  }

  /** The identity key (33 bytes) last seen from the peer device, or undefined. */
  peerIdentity (peerJid) {
    return this.identities.get(signalAddressOf(peerJid).toString())
  }

  /**
   * The libsignal storage interface for this contact. Sessions are stored serialized (like a real store),
   * so a record is never shared between ciphers by accident. Trust is WhatsApp's: trust on first use, and a
   * changed identity is accepted (the app shows "security code changed") and replaces the old one.
   */
  get store () {
    if (this._store) return this._store
    const contact = this
    this._store = {
      async loadSession (id) {
        const serialized = contact.sessions.get(id)
        return serialized ? SessionRecord.deserialize(serialized) : undefined
      },
      async storeSession (id, record) {
        contact.sessions.set(id, record.serialize())
      },
      async isTrustedIdentity (id, identityKey) {
        // libsignal passes "user.device" on incoming prekey messages and bare "user" elsewhere; only the
        // former names one device, so only it is recorded (outgoing sessions record it in startSession).
        if (id.includes('.')) contact.identities.set(id, Buffer.from(identityKey))
        return true
      },
      async loadIdentityKey (id) { return contact.identities.get(id) },
      async loadPreKey (id) {
        const pair = contact.preKeys.get(Number(id))
        return pair ? { pubKey: pair.pubKey, privKey: pair.privKey } : undefined
      },
      async removePreKey (id) { contact.preKeys.delete(Number(id)) },
      async loadSignedPreKey (id) {
        if (Number(id) !== contact.signedPreKey.keyId) return undefined
        return contact.signedPreKey.keyPair
      },
      getOurRegistrationId () { return contact.registrationId },
      getOurIdentity () { return contact.identityKeyPair }
    }
    return this._store
  }
}
