import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { configureSuccessfulPairing, Curve, initAuthCreds, proto, WA_ADV_DEVICE_SIG_PREFIX } from 'baileys'
import WebSocket from 'ws'
import { createAccounts } from '../emulator/accounts.js'
import { encodeFrame } from '../emulator/noise.js'
import { buildPairSuccess, checkPairDeviceSign, parseQr } from '../emulator/pairing.js'
import { applyTrustFixes } from '../src/trust.js'
import { connect, PHONE, sessionDir, startEmulator } from './support/emulator.js'

/*
 * The emulator's own checks and robustness: the server-side device-signature check (unit and
 * through the real socket), and connections that break the protocol.
 */

test('checkPairDeviceSign accepts the companion\'s genuine answer and refuses altered ones', () => {
  applyTrustFixes()
  const creds = initAuthCreds()
  const { identityKey, advSecret } = parseQr(`x#2@r,${Buffer.alloc(32, 1).toString('base64')},${Buffer.from(creds.signedIdentityKey.public).toString('base64')},${creds.advSecretKey}`)
  const phone = createAccounts().phoneFor(PHONE)
  const { node, details } = buildPairSuccess({ phone, deviceId: 1, keyIndex: 1, identityKey, advSecret })
  const { reply } = configureSuccessfulPairing(node, creds)
  const expected = { details, identityKey, accountPublic: phone.accountKey.public }
  assert.equal(checkPairDeviceSign(reply, expected), null)

  const identityNode = reply.content[0].content[0]
  const signed = proto.ADVSignedDeviceIdentity.decode(identityNode.content)
  const withContent = (obj) => ({ ...reply, content: [{ ...reply.content[0], content: [{ ...identityNode, content: Buffer.from(proto.ADVSignedDeviceIdentity.encode(obj).finish()) }] }] })
  assert.equal(checkPairDeviceSign(withContent({ ...signed, deviceSignature: randomBytes(64) }), expected), 'device signature invalid')
  assert.equal(checkPairDeviceSign(withContent({ ...signed, details: randomBytes(20) }), expected), 'device identity details changed')
  assert.equal(checkPairDeviceSign(withContent({ ...signed, deviceSignature: null }), expected), 'no device signature')
  assert.equal(checkPairDeviceSign({ ...reply, attrs: { ...reply.attrs, type: 'error' } }, expected), 'client answered error')
  assert.equal(checkPairDeviceSign(reply, { ...expected, accountPublic: Curve.generateKeyPair().public }), 'device signature invalid')
})

test('a companion whose device signature is wrong is not linked: scan fails, the client gets 401', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const client = await connect(emulator, await sessionDir(t))
  const qr = await client.qr()
  // Make the real Baileys client sign its device identity with a key that is not its identity.
  const sign = Curve.sign
  const stranger = Curve.generateKeyPair().private
  Curve.sign = (key, msg) => sign(Buffer.from(msg).subarray(0, 2).equals(WA_ADV_DEVICE_SIG_PREFIX) ? stranger : key, msg)
  try {
    await assert.rejects(emulator.scan(qr, PHONE), /pairing refused by the server: device signature invalid/)
  } finally {
    Curve.sign = sign
  }
  assert.equal((await client.closed()).code, 401)
  assert.equal(emulator.deviceFor(PHONE), null)
  assert.equal(emulator.stats.refused, 1)
})

/** Opens a raw WebSocket to the emulator; resolves when it closes (bounded). */
function rawClient (emulator, onOpen) {
  const ws = new WebSocket(emulator.url)
  ws.on('open', () => onOpen(ws))
  ws.on('error', () => {})
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the emulator did not close the connection within 5 s')), 5000)
    ws.on('close', (code) => { clearTimeout(timer); resolve(code) })
  })
}

test('a client that sends garbage, or no intro, is disconnected; others are still served', async (t) => {
  const emulator = await startEmulator({ handshakeTimeoutMs: 300 })
  t.after(() => emulator.close())
  await rawClient(emulator, (ws) => ws.send(Buffer.concat([Buffer.from([87, 65, 6, 3]), encodeFrame(randomBytes(40))])))
  await rawClient(emulator, (ws) => ws.send(Buffer.from('GET / HTTP/1.1\r\n\r\n')))
  await rawClient(emulator, () => {}) // silent: dropped by the handshake timeout

  const client = await connect(emulator, await sessionDir(t))
  t.after(() => client.end())
  assert.match(await client.qr(), /linked_devices#2@/)
})

test('the WebSocket endpoint is /ws/chat only, and the emulator listens on loopback only', async (t) => {
  const emulator = await startEmulator()
  t.after(() => emulator.close())
  const other = new WebSocket(emulator.url.replace('/ws/chat', '/other'))
  const failed = await new Promise((resolve) => { other.on('error', (err) => resolve(err.message)); other.on('open', () => resolve('open')) })
  assert.match(failed, /Unexpected server response: 404/)
  await assert.rejects(startEmulator({ host: '0.0.0.0' }), /loopback only/)
})
