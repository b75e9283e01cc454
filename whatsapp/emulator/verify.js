import curve from 'libsignal/src/curve.js'

/*
 * The emulator's own signature check. It calls libsignal directly and honours its boolean, so
 * it stays correct whatever happens to Baileys' `Curve.verify` (which rc14 gets wrong, see
 * docs/decisions.md "Curve.verify honours the signature check").
 */

/**
 * @param {Uint8Array} publicKey 32-byte Curve25519 key (or 33 with the 0x05 type byte)
 * @param {Uint8Array} message @param {Uint8Array} signature
 * @returns {boolean} true only for a valid XEdDSA signature; malformed input is false
 */
export function verifySignature (publicKey, message, signature) {
  try {
    const key = publicKey.length === 33 ? publicKey : Buffer.concat([Buffer.from([5]), publicKey])
    return curve.verifySignature(key, message, signature) === true
  } catch {
    return false
  }
}
