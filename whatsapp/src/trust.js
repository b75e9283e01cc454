import { Curve, WA_CERT_DETAILS } from 'baileys'
import curve from 'libsignal/src/curve.js'

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
 * The corrected check: true only when libsignal says the XEdDSA signature is valid; malformed
 * keys or signatures are false (as Baileys' own try/catch intended).
 * @param {Uint8Array} pubKey 32 bytes (or 33 with the 0x05 type byte) @param {Uint8Array} message @param {Uint8Array} signature
 */
export function honestVerify (pubKey, message, signature) {
  try {
    const key = pubKey.length === 33 ? pubKey : Buffer.concat([Buffer.from([5]), pubKey])
    return curve.verifySignature(key, message, signature) === true
  } catch {
    return false
  }
}

/** Replaces Baileys' Curve.verify with honestVerify. Idempotent. */
export function fixCurveVerify () {
  if (Curve.verify !== honestVerify) Curve.verify = honestVerify
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
