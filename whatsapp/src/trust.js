import { Boom } from '@hapi/boom'
import { Curve, proto, WA_CERT_DETAILS } from 'baileys'
import SessionBuilder from 'libsignal/src/session_builder.js'
import { xeddsaVerify } from './xeddsa.js'

/*
 * Trust corrections applied to Baileys at engine startup (docs/decisions.md, "Curve.verify
 * honours the signature check" and "The emulator's root is trusted only when hello says so").
 *
 * Baileys 7.0.0-rc14's Curve.verify calls libsignal 6's verifySignature, which *returns* false
 * for a bad signature instead of throwing, and answers true regardless. Its two callers, the
 * Noise certificate check (noise-handler.js) and the pairing account-signature check
 * (validate-connection.js), read `Curve.verify` from the same exported object at call time, so
 * replacing the property here corrects both.
 */

/** WhatsApp's production root, captured before anything could change it. */
const WHATSAPP_ROOT = Object.freeze({ publicKey: Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY), serial: WA_CERT_DETAILS.SERIAL })

/**
 * The corrected check: true only when the XEdDSA signature is valid; malformed keys or
 * signatures are false (as Baileys' own try/catch intended). Takes the keys libsignal's
 * verifySignature takes (32 bytes, or 33 with the 0x05 type byte) and checks on Node's native
 * Ed25519 (xeddsa.js: the same answers, 25× faster than libsignal's pure-JS check).
 * @param {Uint8Array} pubKey 32 bytes (or 33 with the 0x05 type byte) @param {Uint8Array} message @param {Uint8Array} signature
 */
export function honestVerify (pubKey, message, signature) {
  if (!(pubKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false
  if (pubKey.length === 33 && pubKey[0] !== 5) return false
  const key = pubKey.length === 33 ? pubKey.subarray(1) : pubKey
  return xeddsaVerify(key, message, signature)
}

/** Replaces Baileys' Curve.verify with honestVerify. Idempotent. */
export function fixCurveVerify () {
  if (Curve.verify !== honestVerify) Curve.verify = honestVerify
}

const originalSharedKey = Curve.sharedKey
const originalCertChainDecode = proto.CertChain.decode
/** The peer key of the latest Curve.sharedKey call (see installLeafKeyCheck). @type {Buffer|null} */
let lastPeerKey = null

/**
 * Adds the checks Baileys rc14 lacks: the leaf certificate must certify the server's Noise
 * static key (whatsmeow: "cert key doesn't match decrypted static"), and name the intermediate
 * as its issuer (leaf issuerSerial = intermediate serial, as whatsmeow checks). Without the
 * first, anyone can replay WhatsApp's public certificate chain in front of their own static key.
 *
 * How, without forking Baileys: noise-handler.js processHandshake runs synchronously from
 * `Curve.sharedKey(ephemeral, serverStatic)` to `proto.CertChain.decode(cert)` (only an
 * AES-GCM decrypt in between, no await), so the peer key of the latest sharedKey call *is* the
 * decrypted server static when CertChain.decode runs. Both are wrapped on the shared exported
 * objects; the decode wrapper compares the leaf's key with it and throws (Baileys then ends
 * the socket like for any other certificate failure). It fails closed: a decode without a
 * preceding sharedKey is refused, so a Baileys upgrade that reorders the handshake shows up in
 * the emulator tests instead of silently dropping the check. Idempotent.
 */
export function installLeafKeyCheck () {
  if (Curve.sharedKey !== originalSharedKey) return
  Curve.sharedKey = (privateKey, publicKey) => {
    lastPeerKey = Buffer.from(publicKey)
    return originalSharedKey(privateKey, publicKey)
  }
  proto.CertChain.decode = function decode (...args) {
    const chain = originalCertChainDecode.apply(this, args)
    const staticKey = lastPeerKey
    lastPeerKey = null
    const { Details } = proto.CertChain.NoiseCertificate
    const leaf = chain.leaf?.details ? Details.decode(chain.leaf.details) : null
    if (!staticKey || !leaf?.key || !Buffer.from(leaf.key).equals(staticKey)) {
      throw new Boom('noise certificate key does not match the server static key', { statusCode: 400 })
    }
    const intermediate = chain.intermediate?.details ? Details.decode(chain.intermediate.details) : null
    if (!intermediate || leaf.issuerSerial !== intermediate.serial) {
      throw new Boom('noise leaf certificate was not issued by the intermediate', { statusCode: 400 })
    }
    return chain
  }
}

/**
 * Applies every correction above: the honest Curve.verify and the leaf-key check. Called once
 * at engine startup (createEngine), before any socket exists.
 */
export function applyTrustFixes () {
  fixCurveVerify()
  installLeafKeyCheck()
  installSignedPreKeyCheck()
}

const originalInitOutgoing = SessionBuilder.prototype.initOutgoing

/**
 * libsignal 6 never checks a fetched bundle's signed-prekey signature: SessionBuilder.initOutgoing
 * calls `verifySignature(identityKey, signedPreKey, signature, true)`, and with that last
 * argument the function returns true without verifying. A server (or anyone in its place) could
 * then hand out a signed prekey the contact never signed. The Signal protocol requires the check
 * (libsignal-protocol-java's processPreKeyBundle and whatsmeow's ProcessBundle refuse such a
 * bundle with "Signature on device key is invalid"), so the engine adds it in front of every
 * outgoing session: a bad signature throws, and no session is created. Idempotent.
 */
export function installSignedPreKeyCheck () {
  if (SessionBuilder.prototype.initOutgoing !== originalInitOutgoing) return
  SessionBuilder.prototype.initOutgoing = async function initOutgoing (device) {
    const spk = device?.signedPreKey
    if (!spk || !honestVerify(device.identityKey, spk.publicKey, spk.signature)) {
      throw new Error(`signature on the signed prekey of ${this.addr?.toString()} is invalid`)
    }
    return originalInitOutgoing.call(this, device)
  }
}

/**
 * Sets the root the Noise certificate chain must lead to: WhatsApp's own, or (sandbox against
 * the emulator only; config.js enforces mode and loopback URL) the emulator's test root.
 * @param {{publicKey: Buffer, serial: number}|null} root  null = WhatsApp's production root
 */
export function trustServerRoot (root) {
  const r = root ?? WHATSAPP_ROOT
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(r.publicKey)
  WA_CERT_DETAILS.SERIAL = r.serial
}

/** The root currently trusted (a copy). */
export function trustedRoot () {
  return { publicKey: Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY), serial: WA_CERT_DETAILS.SERIAL }
}

export { WHATSAPP_ROOT }
