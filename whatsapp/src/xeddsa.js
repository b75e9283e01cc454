import { createPublicKey, verify } from 'node:crypto'

/*
 * XEdDSA signature check (Signal's "XEdDSA and VXEdDSA", section 2.3) on Node's native Ed25519,
 * instead of libsignal's pure-JS curve25519-js (about 8 ms a check; docs/benchmarks.md, issue 18).
 * Every outgoing Signal session checks its bundle's signed prekey with it (trust.js), so the
 * first message to each new chat paid that in the engine's only thread.
 *
 * What curve25519-js does, and this does the same way:
 * - the Montgomery u of the key (bit 255 cleared, taken mod p) becomes the Edwards
 *   y = (u - 1) / (u + 1) mod p (0 when u + 1 = 0, as its inv25519 gives);
 * - the signature's top bit is the Edwards key's sign bit, and is cleared in the signature;
 * - then a plain Ed25519 verification.
 * OpenSSL's Ed25519 is the stricter one: it also refuses an S not below the group order, which
 * an XEdDSA signer never produces; so it refuses at least what curve25519-js refuses
 * (test/xeddsa.test.js compares both).
 */

const P = (1n << 255n) - 19n
const LOW_255_BITS = (1n << 255n) - 1n
/** DER SubjectPublicKeyInfo prefix of a raw Ed25519 public key (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** base^exp mod p (square and multiply). @param {bigint} base @param {bigint} exp */
function modPow (base, exp) {
  let result = 1n
  base %= P
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % P
    base = (base * base) % P
    exp >>= 1n
  }
  return result
}

/** @param {Uint8Array} bytes little-endian @returns {bigint} */
function readLittleEndian (bytes) {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i])
  return n
}

/** @param {bigint} n below 2^256 @returns {Buffer} 32 bytes, little-endian */
function writeLittleEndian32 (n) {
  const out = Buffer.alloc(32)
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn)
    n >>= 8n
  }
  return out
}

/**
 * Whether `signature` is a valid XEdDSA signature of `message` by the Curve25519 key
 * `publicKey`. Never throws: anything malformed is false.
 * @param {Uint8Array} publicKey 32 bytes (Montgomery u) @param {Uint8Array} message @param {Uint8Array} signature 64 bytes
 * @returns {boolean}
 */
export function xeddsaVerify (publicKey, message, signature) {
  if (publicKey?.length !== 32 || signature?.length !== 64 || !message) return false
  const u = (readLittleEndian(publicKey) & LOW_255_BITS) % P
  const y = (((u - 1n + P) % P) * modPow(u + 1n, P - 2n)) % P
  const edwardsKey = writeLittleEndian32(y)
  edwardsKey[31] |= signature[63] & 0x80
  const ed25519Signature = Buffer.from(signature)
  ed25519Signature[63] &= 0x7f
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, edwardsKey]), format: 'der', type: 'spki' })
    return verify(null, message, key, ed25519Signature)
  } catch {
    return false
  }
}
