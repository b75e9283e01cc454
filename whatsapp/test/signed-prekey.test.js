import assert from 'node:assert/strict'
import { test } from 'node:test'
import { initAuthCreds } from 'baileys'
import { makeLibSignalRepository } from 'baileys/lib/Signal/libsignal.js'
import curve from 'libsignal/src/curve.js'
import pino from 'pino'
import { applyTrustFixes } from '../src/trust.js'
import { memoryKeyStore } from './support/key-store.js'

/*
 * libsignal 6 skips the signed-prekey signature check when it starts an outgoing session
 * (verifySignature(..., isInit = true) returns true unchecked). The engine's trust fixes add it
 * (trust.js installSignedPreKeyCheck); this drives Baileys' own repository with a genuine and a
 * forged bundle.
 */

const logger = pino({ level: 'silent' })

function repository () {
  const creds = initAuthCreds()
  creds.me = { id: '15550009999:7@s.whatsapp.net', name: 'Gateway' }
  const { keys } = memoryKeyStore(logger)
  return makeLibSignalRepository({ creds, keys }, logger, async () => undefined)
}

/** A contact's bundle as parseAndInjectE2ESessions hands it over (33-byte keys); `forge` signs with another key. */
function bundle ({ forge = false } = {}) {
  const identity = curve.generateKeyPair()
  const signer = forge ? curve.generateKeyPair() : identity
  const signedPreKey = curve.generateKeyPair()
  const preKey = curve.generateKeyPair()
  return {
    registrationId: 4242,
    identityKey: Buffer.from(identity.pubKey),
    signedPreKey: { keyId: 1, publicKey: Buffer.from(signedPreKey.pubKey), signature: Buffer.from(curve.calculateSignature(signer.privKey, signedPreKey.pubKey)) },
    preKey: { keyId: 7, publicKey: Buffer.from(preKey.pubKey) }
  }
}

test('as shipped, libsignal starts a session on a signed prekey its identity never signed', async () => {
  const repo = repository()
  await repo.injectE2ESession({ jid: '15550001111@s.whatsapp.net', session: bundle({ forge: true }) })
  assert.ok(await repo.validateSession('15550001111@s.whatsapp.net').then((v) => v.exists), 'a session was created from a forged bundle')
})

test('with the trust fixes a forged signed prekey is refused and no session exists; a genuine one works', async () => {
  applyTrustFixes()
  const repo = repository()
  await assert.rejects(repo.injectE2ESession({ jid: '15550002222@s.whatsapp.net', session: bundle({ forge: true }) }),
    /signature on the signed prekey of .* is invalid/)
  assert.equal((await repo.validateSession('15550002222@s.whatsapp.net')).exists, false)
  await repo.injectE2ESession({ jid: '15550003333@s.whatsapp.net', session: bundle() })
  assert.equal((await repo.validateSession('15550003333@s.whatsapp.net')).exists, true)
})
