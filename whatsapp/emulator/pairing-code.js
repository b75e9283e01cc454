import { createCipheriv, createDecipheriv, hkdfSync, pbkdf2Sync, randomBytes } from 'node:crypto'
import { Curve, getBinaryNodeChild } from 'baileys'
import { childBytes, IqError, serverId, unixTime } from './nodes.js'

/*
 * Linking with a pairing code (WhatsApp's "Link with phone number instead"), both sides of the
 * server plus the phone. Formats follow Baileys 7.0.0-rc14 (Socket/socket.js requestPairingCode
 * and generatePairingKey, Socket/messages-recv.js `link_code_companion_reg`), which is the spec:
 *
 *  1. companion → server  `<iq xmlns=md type=set><link_code_companion_reg stage=companion_hello jid=<phone>@s.whatsapp.net>`
 *     with `link_code_pairing_wrapped_companion_ephemeral_pub` = salt(32) ‖ iv(16) ‖ AES-256-CTR(companion ephemeral public,
 *     PBKDF2-SHA256(code, salt, 2^17 rounds)) and `companion_server_auth_key_pub` (its Noise key). The server
 *     remembers it for that phone and answers with a `link_code_pairing_ref`.
 *  2. The person types the code on the phone (`enterPairingCode`): the phone unwraps the companion's
 *     ephemeral key with the code it was given, makes its own ephemeral key and sends the companion a
 *     `link_code_companion_reg` notification: the ref, `primary_identity_pub` and its ephemeral public key
 *     wrapped the same way.
 *  3. companion → server  `stage=companion_finish`: `link_code_pairing_wrapped_key_bundle` = salt(32) ‖ iv(12) ‖
 *     AES-256-GCM(companion identity ‖ primary identity ‖ random(32)) under HKDF(ECDH(ephemerals), salt,
 *     "link_code_pairing_key_bundle_encryption_key"). The phone opens it; a wrong code gives the two sides
 *     different ephemeral secrets, so it does not open and the link is refused (IQ error 400 to the companion).
 *  4. Both sides derive the ADV secret = HKDF(ECDH(ephemerals) ‖ ECDH(primary identity, companion identity) ‖ random,
 *     "adv_secret"), and pairing ends as with a QR: pair-success HMAC'd with it (emulator.completePairing).
 */

/** How long the phone waits for the companion's `companion_finish` after it sent its notification. */
const FINISH_TIMEOUT_MS = 20000

/** What went wrong when the phone entered a code; `code` lets callers answer precisely. */
export class PairingCodeError extends Error {
  /** @param {'no_request'|'expired'|'wrong_code'|'refused'} code @param {string} message */
  constructor (code, message) { super(message); this.code = code }
}

/** PBKDF2 key of a pairing code, as Baileys' derivePairingCodeKey. @param {string} code @param {Buffer} salt */
export function pairingCodeKey (code, salt) {
  return pbkdf2Sync(Buffer.from(code, 'utf8'), salt, 2 << 16, 32, 'sha256')
}

/** salt ‖ iv ‖ AES-256-CTR(publicKey) under the code's key. @param {string} code @param {Buffer} publicKey */
export function wrapEphemeral (code, publicKey) {
  const salt = randomBytes(32); const iv = randomBytes(16)
  const c = createCipheriv('aes-256-ctr', pairingCodeKey(code, salt), iv)
  return Buffer.concat([salt, iv, c.update(publicKey), c.final()])
}

/** The 32-byte key inside a wrapped ephemeral, read with `code` (garbage for a wrong code). @param {string} code @param {Buffer} wrapped */
export function unwrapEphemeral (code, wrapped) {
  if (wrapped.length < 80) throw new Error('wrapped ephemeral key too short')
  const d = createDecipheriv('aes-256-ctr', pairingCodeKey(code, wrapped.subarray(0, 32)), wrapped.subarray(32, 48))
  return Buffer.concat([d.update(wrapped.subarray(48, 80)), d.final()])
}

/** HKDF-SHA256 (an absent salt is HashLen zero bytes, as RFC 5869 and Baileys' hkdf). @param {Buffer} ikm @param {string} info @param {Buffer} [salt] */
function hkdf (ikm, info, salt = Buffer.alloc(0)) {
  return Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info), 32))
}

/** The code as the phone's keypad takes it: dashes and spaces dropped, upper case. @param {string} code */
export function normalizeCode (code) {
  return String(code).replace(/[\s-]/g, '').toUpperCase()
}

/**
 * Plugs pairing-code linking into an emulator: the two `link_code_companion_reg` IQ stages and
 * `emulator.enterPairingCode(phone, code)`.
 * @param {any} emulator
 */
export function installPairingCode (emulator) {
  /**
   * Per phone: the newest companion that asked for a code. A newer request replaces an older one.
   * @type {Map<string, {session: any, wrapped: Buffer, ref: Buffer, finish: ((n: any) => void)|null}>}
   */
  const requests = new Map()

  emulator.iq.register({ xmlns: 'md', type: 'set', child: 'link_code_companion_reg' }, (ctx) => {
    const reg = getBinaryNodeChild(ctx.node, 'link_code_companion_reg')
    const phone = String(reg?.attrs?.jid ?? '').split('@')[0]
    if (reg.attrs.stage === 'companion_hello') {
      const wrapped = childBytes(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub')
      const noise = childBytes(reg, 'companion_server_auth_key_pub')
      if (ctx.session.state !== 'registering') throw new IqError(409, 'conflict')
      if (!/^[1-9][0-9]{5,14}$/.test(phone) || !wrapped || wrapped.length !== 80) throw new IqError(400, 'bad-request')
      if (!noise || !noise.equals(ctx.session.clientStatic)) throw new IqError(400, 'bad-request')
      const ref = Buffer.from(`2@${randomBytes(18).toString('base64')}`)
      requests.set(phone, { session: ctx.session, wrapped, ref, finish: null })
      ctx.emulator.events.emit('pairing-code-requested', { phone })
      return [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }] }]
    }
    if (reg.attrs.stage === 'companion_finish') {
      const pending = requests.get(phone)
      const ref = childBytes(reg, 'link_code_pairing_ref')
      if (!pending || pending.session !== ctx.session || !ref || !ref.equals(pending.ref) || !pending.finish) throw new IqError(404, 'item-not-found')
      // The phone checks the bundle; a bundle it cannot open is a wrong code (IQ error to the companion).
      return pending.finish(reg)
    }
    throw new IqError(400, 'bad-request')
  })

  /**
   * The person types `code` on the phone `phone` for the companion that asked for a code for it.
   * Resolves like `scan` once the device is linked (the 515 restart follows). Rejects with a
   * PairingCodeError: `no_request` (no companion asked for this phone), `expired` (that companion's
   * connection is gone, e.g. its QR refs ran out), `wrong_code` (the bundle did not open), `refused`.
   * @param {string} phone @param {string} code
   */
  emulator.enterPairingCode = async (phone, code) => {
    const pending = requests.get(phone)
    if (!pending) throw new PairingCodeError('no_request', `no companion asked for a pairing code for ${phone}`)
    const session = pending.session
    if (!session.open || session.state !== 'registering') {
      requests.delete(phone)
      throw new PairingCodeError('expired', 'the pairing code expired (the companion is no longer waiting)')
    }
    const typed = normalizeCode(code)
    const p = emulator.accounts.phoneFor(phone)
    const companionEphemeral = unwrapEphemeral(typed, pending.wrapped)
    const primaryEphemeral = Curve.generateKeyPair()
    const finished = new Promise((resolve, reject) => {
      const timer = setTimeout(() => { pending.finish = null; reject(new PairingCodeError('refused', 'the companion did not finish the link in time')) }, FINISH_TIMEOUT_MS)
      /** @param {any} reg */
      pending.finish = (reg) => {
        clearTimeout(timer)
        pending.finish = null
        try {
          const opened = openKeyBundle(reg, { companionEphemeral, primaryEphemeral, primaryIdentity: p.accountKey, session })
          resolve(opened)
          return undefined
        } catch (err) {
          reject(err)
          throw new IqError(400, 'bad-request')
        }
      }
    })
    session.send({
      tag: 'notification',
      attrs: { from: 's.whatsapp.net', type: 'link_code_companion_reg', id: serverId(), t: unixTime() },
      content: [{
        tag: 'link_code_companion_reg',
        attrs: {},
        content: [
          { tag: 'link_code_pairing_ref', attrs: {}, content: pending.ref },
          { tag: 'primary_identity_pub', attrs: {}, content: p.accountKey.public },
          { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrapEphemeral(typed, primaryEphemeral.public) }
        ]
      }]
    })
    const { identityKey, advSecret } = await finished
    requests.delete(phone)
    // Let the companion have the result of its companion_finish before pair-success arrives.
    await new Promise((resolve) => setImmediate(resolve))
    return emulator.completePairing(session, phone, identityKey, advSecret)
  }

  /** Tests: who asked for a code and is still waiting. @param {string} phone */
  emulator.pairingCodeRequested = (phone) => {
    const r = requests.get(phone)
    return !!r && r.session.open && r.session.state === 'registering'
  }
}

/**
 * The phone opens the companion's key bundle and derives the ADV secret. Throws
 * PairingCodeError `wrong_code` when the bundle does not open (the codes differed), `refused`
 * when it names other identities than the registering companion's and the phone's.
 * @param {any} reg  the companion_finish node
 * @param {{companionEphemeral: Buffer, primaryEphemeral: {public: Buffer, private: Buffer}, primaryIdentity: {public: Buffer, private: Buffer}, session: any}} k
 * @returns {{identityKey: Buffer, advSecret: Buffer}}
 */
function openKeyBundle (reg, { companionEphemeral, primaryEphemeral, primaryIdentity, session }) {
  const bundle = childBytes(reg, 'link_code_pairing_wrapped_key_bundle')
  const companionIdentity = childBytes(reg, 'companion_identity_public')
  if (!bundle || bundle.length < 32 + 12 + 16 + 96 || !companionIdentity) throw new PairingCodeError('refused', 'companion_finish without key bundle')
  const ephemeralShared = Buffer.from(Curve.sharedKey(primaryEphemeral.private, companionEphemeral))
  const key = hkdf(ephemeralShared, 'link_code_pairing_key_bundle_encryption_key', bundle.subarray(0, 32))
  const iv = bundle.subarray(32, 44)
  const sealed = bundle.subarray(44)
  let plain
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv)
    d.setAuthTag(sealed.subarray(sealed.length - 16))
    plain = Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()])
  } catch {
    throw new PairingCodeError('wrong_code', 'the pairing code was wrong: the companion\'s key bundle did not open')
  }
  const bundledCompanion = plain.subarray(0, 32)
  const bundledPrimary = plain.subarray(32, 64)
  const random = plain.subarray(64, 96)
  if (!bundledCompanion.equals(companionIdentity) || !companionIdentity.equals(session.registration.identityKey) || !bundledPrimary.equals(primaryIdentity.public)) {
    throw new PairingCodeError('refused', 'the key bundle names other identities')
  }
  const identityShared = Buffer.from(Curve.sharedKey(primaryIdentity.private, companionIdentity))
  const advSecret = hkdf(Buffer.concat([ephemeralShared, identityShared, random]), 'adv_secret')
  return { identityKey: Buffer.from(companionIdentity), advSecret }
}
