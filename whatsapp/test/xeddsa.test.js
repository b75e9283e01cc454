import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import curve from 'libsignal/src/curve.js'
import { honestVerify } from '../src/trust.js'
import { xeddsaVerify } from '../src/xeddsa.js'

/** libsignal's own (pure-JS) answer: true, or false for a bad signature or a throw. */
function libsignalSays (pub32, message, signature) {
  try {
    return curve.verifySignature(Buffer.concat([Buffer.from([5]), pub32]), message, signature) === true
  } catch {
    return false
  }
}

test('the native XEdDSA check answers as libsignal does: genuine, other message, other key, flipped bit, top key bit set', () => {
  const stranger = curve.generateKeyPair().pubKey.subarray(1)
  let genuine = 0
  for (let i = 0; i < 64; i++) {
    const pair = curve.generateKeyPair()
    const pub = pair.pubKey.subarray(1)
    const message = randomBytes(1 + (i % 40))
    const signature = curve.calculateSignature(pair.privKey, message)
    const flipped = Buffer.from(signature)
    flipped[i] ^= 1 << (i % 8) // every byte once, the sign bit (byte 63, bit 7) included
    const topBit = Buffer.from(pub)
    topBit[31] |= 0x80 // both ignore bit 255 of the Montgomery u
    const cases = [
      [pub, message, signature], [pub, randomBytes(message.length), signature], [stranger, message, signature],
      [pub, message, flipped], [topBit, message, signature]
    ]
    for (const [key, m, s] of cases) {
      const expected = libsignalSays(key, m, s)
      assert.equal(xeddsaVerify(key, m, s), expected, `case ${cases.findIndex((c) => c[0] === key && c[1] === m && c[2] === s)} of pair ${i}`)
      if (expected) genuine++
    }
  }
  assert.equal(genuine, 128) // the genuine and the top-bit cases, and nothing else
})

test('malformed input is false, never a throw; honestVerify takes 33-byte keys with the 0x05 type byte only', () => {
  const pair = curve.generateKeyPair()
  const message = randomBytes(32)
  const signature = curve.calculateSignature(pair.privKey, message)
  assert.equal(honestVerify(pair.pubKey, message, signature), true)
  assert.equal(honestVerify(pair.pubKey.subarray(1), message, signature), true)
  const wrongType = Buffer.from(pair.pubKey)
  wrongType[0] = 6
  assert.equal(honestVerify(wrongType, message, signature), false)
  assert.equal(xeddsaVerify(pair.pubKey.subarray(2), message, signature), false)
  assert.equal(xeddsaVerify(pair.pubKey.subarray(1), message, signature.subarray(1)), false)
  assert.equal(honestVerify(undefined, message, signature), false)
  // u = p - 1: u + 1 has no inverse; both map it to y = 0 and refuse the signature
  const minusOne = Buffer.alloc(32, 0xff)
  minusOne[0] = 0xec
  minusOne[31] = 0x7f
  assert.equal(xeddsaVerify(minusOne, message, signature), libsignalSays(minusOne, message, signature))
})
