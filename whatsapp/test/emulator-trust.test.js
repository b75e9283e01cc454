import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { configureSuccessfulPairing, Curve, getBinaryNodeChild, initAuthCreds } from 'baileys'
import curve from 'libsignal/src/curve.js'
import pino from 'pino'
import { buildPairSuccess, parseQr } from '../emulator/pairing.js'
import { createAccounts } from '../emulator/accounts.js'
import { createEmulator } from '../emulator/emulator.js'
import { createEngine } from '../src/commands.js'
import { parseHello } from '../src/config.js'
import { EngineError } from '../src/errors.js'
import { applyTrustFixes, honestVerify, trustedRoot, trustServerRoot, WHATSAPP_ROOT } from '../src/trust.js'
import { connect, sessionDir, startEmulator } from './support/emulator.js'

/*
 * Trust: Baileys rc14's Curve.verify bug, the engine's correction, and the certificate and
 * account-signature checks it makes effective, through the real socket against the emulator.
 */

// Captured before anything in this process applied the fix (imports above only define functions).
const shippedVerify = Curve.verify

test('repro: Baileys 7.0.0-rc14 Curve.verify answers true for a signature over other bytes', () => {
  const signer = Curve.generateKeyPair()
  const message = randomBytes(64)
  const signature = Curve.sign(signer.private, message)
  const otherBytes = randomBytes(64)
  assert.equal(shippedVerify(signer.public, otherBytes, signature), true, 'the bug: any signature passes')
  assert.equal(curve.verifySignature(Buffer.concat([Buffer.from([5]), signer.public]), otherBytes, signature), false,
    'because libsignal 6 returns false instead of throwing, and Baileys ignores the result')

  applyTrustFixes()
  assert.notEqual(Curve.verify, shippedVerify)
  assert.equal(Curve.verify, honestVerify)
  assert.equal(Curve.verify(signer.public, otherBytes, signature), false)
  assert.equal(Curve.verify(signer.public, message, signature), true, 'a genuine signature still verifies')
  assert.equal(Curve.verify(Curve.generateKeyPair().public, message, signature), false, 'another key does not')
  assert.equal(Curve.verify(signer.public, message, Buffer.alloc(3)), false, 'malformed input is false, not an exception')
})

/** Connects a fresh Baileys client and resolves with its first outcome: a QR, or the close. */
async function handshakeOutcome (t, emulator) {
  const client = await connect(emulator, await sessionDir(t))
  t.after(() => client.end())
  const outcome = await client.waitFor((u) => !!u.qr || u.connection === 'close', 'QR or close')
  return outcome.qr ? 'qr' : outcome.lastDisconnect.error.message
}

test('the Noise certificate chain: genuine accepted; forged leaf, forged intermediate, foreign leaf key, wrong leaf issuer and untrusted root refused', async (t) => {
  applyTrustFixes()
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  assert.equal(await handshakeOutcome(t, emulator), 'qr')

  emulator.forgeCertificates('leaf')
  assert.equal(await handshakeOutcome(t, emulator), 'noise certificate signature invalid')
  emulator.forgeCertificates('intermediate')
  assert.equal(await handshakeOutcome(t, emulator), 'noise intermediate certificate signature invalid')
  emulator.forgeCertificates('leafKey')
  assert.equal(await handshakeOutcome(t, emulator), 'noise certificate key does not match the server static key')
  emulator.forgeCertificates('leafIssuer')
  assert.equal(await handshakeOutcome(t, emulator), 'noise leaf certificate was not issued by the intermediate')

  emulator.forgeCertificates(null)
  trustServerRoot(null) // production trust: WhatsApp's root only
  assert.deepEqual(trustedRoot(), { publicKey: WHATSAPP_ROOT.publicKey, serial: 0 })
  assert.equal(await handshakeOutcome(t, emulator), 'noise intermediate certificate signature invalid')
  trustServerRoot({ publicKey: emulator.trust().rootPublicKey, serial: 5 })
  assert.equal(await handshakeOutcome(t, emulator), 'certification match failed', 'the root serial is checked too')
})

test('the fix is what refuses a forged chain: with the shipped Curve.verify the noise handler accepts it', async (t) => {
  applyTrustFixes()
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  emulator.forgeCertificates('intermediate')
  Curve.verify = shippedVerify
  try {
    assert.equal(await handshakeOutcome(t, emulator), 'qr', 'rc14 as shipped trusts a chain no root signed')
  } finally {
    applyTrustFixes()
  }
  assert.equal(await handshakeOutcome(t, emulator), 'noise intermediate certificate signature invalid')
})

test('the ADV account signature: genuine accepted, forged refused by configureSuccessfulPairing (and accepted as shipped)', () => {
  applyTrustFixes()
  const creds = initAuthCreds()
  const qr = `https://wa.me/settings/linked_devices#2@ref,${Buffer.alloc(32, 1).toString('base64')},${Buffer.from(creds.signedIdentityKey.public).toString('base64')},${creds.advSecretKey},1`
  const { identityKey, advSecret } = parseQr(qr)
  const phone = createAccounts().phoneFor('15550002222')
  const pairSuccess = (signingKey) => buildPairSuccess({ phone, deviceId: 1, keyIndex: 1, identityKey, advSecret, signingKey }).node

  const { creds: linked, reply } = configureSuccessfulPairing(pairSuccess(), creds)
  assert.equal(linked.me.id, '15550002222:1@s.whatsapp.net')
  assert.ok(getBinaryNodeChild(reply, 'pair-device-sign'))

  const forged = pairSuccess(Curve.generateKeyPair().private)
  assert.throws(() => configureSuccessfulPairing(forged, creds), /Failed to verify account signature/)
  Curve.verify = shippedVerify
  try {
    assert.doesNotThrow(() => configureSuccessfulPairing(forged, creds), 'rc14 as shipped links a device the account never signed')
  } finally {
    applyTrustFixes()
  }
})

const base = { protocol: 1, mode: 'sandbox', sessionsDir: '/tmp/s' }
const ROOT = Buffer.alloc(32, 9).toString('base64')

test('hello sandbox.emulator: accepted in sandbox mode with a loopback URL only', () => {
  const s = parseHello({ ...base, sandbox: { emulator: { url: 'ws://127.0.0.1:4100/ws/chat', rootPublicKey: ROOT } } })
  assert.deepEqual(s.sandbox.emulator, { url: 'ws://127.0.0.1:4100/ws/chat', rootPublicKey: Buffer.alloc(32, 9), rootSerial: 0 })
  for (const url of ['ws://localhost:1/ws/chat', 'ws://[::1]:1/ws/chat', 'ws://127.5.0.1:1']) {
    assert.equal(parseHello({ ...base, sandbox: { emulator: { url, rootPublicKey: ROOT, rootSerial: 3 } } }).sandbox.emulator.rootSerial, 3)
  }
  assert.equal('emulator' in parseHello(base).sandbox, false, 'absent unless sent')

  const refused = [
    { ...base, mode: 'baileys', sandbox: { emulator: { url: 'ws://127.0.0.1:4100/ws/chat', rootPublicKey: ROOT } } },
    { ...base, sandbox: { emulator: { url: 'wss://web.whatsapp.com/ws/chat', rootPublicKey: ROOT } } },
    { ...base, sandbox: { emulator: { url: 'ws://10.0.0.5:4100/ws/chat', rootPublicKey: ROOT } } },
    { ...base, sandbox: { emulator: { url: 'ws://127.0.0.1.evil.example/ws', rootPublicKey: ROOT } } },
    { ...base, sandbox: { emulator: { url: 'http://127.0.0.1:4100', rootPublicKey: ROOT } } },
    { ...base, sandbox: { emulator: { url: 'ws://127.0.0.1:4100', rootPublicKey: 'AAAA' } } },
    { ...base, sandbox: { emulator: { url: 'ws://127.0.0.1:4100', rootPublicKey: ROOT, rootSerial: -1 } } },
    { ...base, sandbox: { emulator: 'ws://127.0.0.1:4100' } }
  ]
  for (const args of refused) {
    assert.throws(() => parseHello(args), (err) => err instanceof EngineError && err.code === 'bad_request', JSON.stringify(args.sandbox))
  }
})

test('the engine trusts the emulator root only after a sandbox hello named it (and it is that emulator\'s root); a baileys hello trusts WhatsApp\'s root', async (t) => {
  const dir = await sessionDir(t)
  const quiet = pino({ level: 'silent' })
  const emulator = await createEmulator({ port: 0, host: '127.0.0.1' })
  t.after(() => emulator.close())
  const root = emulator.trust()
  const named = { url: emulator.url, rootPublicKey: root.rootPublicKey.toString('base64'), rootSerial: root.serial }

  // a root that is not the one of the emulator at that URL is refused, and nothing is trusted
  const wrong = createEngine({ logger: quiet, emitEvent: () => {}, sendRequest: () => {} })
  assert.equal(Curve.verify, honestVerify, 'createEngine applies the fix')
  await assert.rejects(wrong.commands.hello.run({ ...base, logLevel: 'silent', sessionsDir: dir, sandbox: { emulator: { ...named, rootPublicKey: ROOT } } }),
    (err) => err instanceof EngineError && err.code === 'bad_request')
  assert.notDeepEqual(trustedRoot()?.publicKey, Buffer.alloc(32, 9))

  const sandbox = createEngine({ logger: quiet, emitEvent: () => {}, sendRequest: () => {} })
  t.after(() => sandbox.shutdown())
  await sandbox.commands.hello.run({ ...base, logLevel: 'silent', sessionsDir: dir, sandbox: { emulator: named } })
  assert.deepEqual(trustedRoot(), { publicKey: root.rootPublicKey, serial: root.serial })

  const production = createEngine({ logger: quiet, emitEvent: () => {}, sendRequest: () => {} })
  await production.commands.hello.run({ ...base, logLevel: 'silent', mode: 'baileys', sessionsDir: dir })
  assert.deepEqual(trustedRoot(), { publicKey: WHATSAPP_ROOT.publicKey, serial: 0 })
})
