import { createHash } from 'node:crypto'
import curve from 'libsignal/src/curve.js'

/*
 * The emulator's own signature check. It calls libsignal directly and honours its boolean, so
 * it stays correct whatever happens to Baileys' `Curve.verify` (which rc14 gets wrong, see
 * docs/decisions.md "Curve.verify honours the signature check").
 *
 * Checks are remembered: the same key, message and signature always give the same answer, and a
 * linked device repeats its signed identity on every pkmsg it sends (until the contact answers),
 * so without the memory a contact re-verified it, in libsignal's pure-JS curve25519 (~30 ms of
 * CPU each on a loaded core), for every message: the emulator, not the gateway, then set the send
 * benchmark's pace (docs/decisions.md "The emulator remembers signature checks").
 */

/** Most remembered answers; the oldest is forgotten first. */
const REMEMBERED = 4096
/** @type {Map<string, boolean>} */
const answers = new Map()

/**
 * @param {Uint8Array} publicKey 32-byte Curve25519 key (or 33 with the 0x05 type byte)
 * @param {Uint8Array} message @param {Uint8Array} signature
 * @returns {boolean} true only for a valid XEdDSA signature; malformed input is false
 */
export function verifySignature (publicKey, message, signature) {
  try {
    const key = publicKey.length === 33 ? publicKey : Buffer.concat([Buffer.from([5]), publicKey])
    const id = createHash('sha256').update(key).update(Buffer.from([0])).update(message)
      .update(Buffer.from([0])).update(signature).digest('base64') + ':' + key.length + ':' + message.length
    const known = answers.get(id)
    if (known !== undefined) return known
    const valid = curve.verifySignature(key, message, signature) === true
    if (answers.size >= REMEMBERED) answers.delete(answers.keys().next().value)
    answers.set(id, valid)
    return valid
  } catch {
    return false
  }
}
