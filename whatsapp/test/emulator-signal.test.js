import assert from 'node:assert/strict'
import { test } from 'node:test'
import pino from 'pino'
import {
  decodeBinaryNode, decryptMessageNode, encodeBinaryNode, encodeWAMessage, getNextPreKeysNode,
  handleIdentityChange, initAuthCreds, parseAndInjectE2ESessions, proto, Curve, extractE2ESessionFromRetryReceipt
} from 'baileys'
import { makeLibSignalRepository } from 'baileys/lib/Signal/libsignal.js'
import { memoryKeyStore } from './support/key-store.js'
import {
  applyPreKeyUpload, buildIdentityChangeNotification, buildKeyFetchResult, buildRetryReceipt, Contact, decryptFromDevice,
  editMessage, encryptToDevice, reactionMessage, replyMessage, revokeMessage, takeDeviceBundle, textMessage, undecryptableStanza
} from '../emulator/signal/index.js'

/*
 * The Signal side of the emulator against Baileys' real client-side Signal code (makeLibSignalRepository,
 * parseAndInjectE2ESessions, decryptMessageNode, handleIdentityChange), without a network socket. Every node
 * crosses Baileys' WABinary encoder and decoder, as it would on the wire.
 */

const logger = pino({ level: 'silent' })
const ProtocolType = proto.Message.ProtocolMessage.Type

/** Encodes a node with Baileys' WABinary encoder and decodes it back: proves it is wire-encodable. */
async function wire (node) {
  return decodeBinaryNode(encodeBinaryNode(node))
}

/**
 * A linked device as Baileys holds it: initAuthCreds() creds with me/account set, an in-memory key store with
 * Baileys' transaction layer, and Baileys' own Signal repository on top.
 */
function makeDevice ({ phone = '15550009999', lid = '209990000000009', device = 7 } = {}) {
  const creds = initAuthCreds()
  creds.me = { id: `${phone}:${device}@s.whatsapp.net`, lid: `${lid}:${device}@lid`, name: 'Gateway' }
  const accountKey = Curve.generateKeyPair()
  const details = proto.ADVDeviceIdentity.encode({ rawId: 42, timestamp: 1700000000, keyIndex: 1 }).finish()
  creds.account = {
    details,
    accountSignatureKey: accountKey.public,
    accountSignature: Curve.sign(accountKey.private, Buffer.concat([Buffer.from([6, 0]), details, creds.signedIdentityKey.public])),
    deviceSignature: Curve.sign(creds.signedIdentityKey.private,
      Buffer.concat([Buffer.from([6, 1]), details, creds.signedIdentityKey.public, accountKey.public]))
  }
  const { keys, data } = memoryKeyStore(logger)
  const auth = { creds, keys }
  const repository = makeLibSignalRepository(auth, logger, async () => undefined)
  return { creds, keys, auth, repository, data, jid: creds.me.id }
}

/** The device uploads prekeys with Baileys' own getNextPreKeysNode; the emulator stores what it parsed. */
async function uploadPreKeys (device, count = 5, existing) {
  const { update, node } = await getNextPreKeysNode({ creds: device.creds, keys: device.keys }, count)
  Object.assign(device.creds, update)
  return applyPreKeyUpload(existing, await wire({ ...node, attrs: { ...node.attrs, id: 'up-1' } }))
}

/** Baileys' assertSessions for `jids`: a key-fetch iq answered by the emulator, injected by parseAndInjectE2ESessions. */
async function fetchSessions (device, jids, resolve, force = false) {
  const request = await wire({
    tag: 'iq',
    attrs: { id: `keys-${jids.length}`, xmlns: 'encrypt', type: 'get', to: 's.whatsapp.net' },
    content: [{ tag: 'key', attrs: {}, content: jids.map(jid => ({ tag: 'user', attrs: force ? { jid, reason: 'identity' } : { jid } })) }]
  })
  await parseAndInjectE2ESessions(await wire(buildKeyFetchResult(request, resolve)), device.repository)
}

/** What Baileys' relayMessage sends for a 1:1 text to `toJid` (participants > to > enc, device-identity on pkmsg). */
async function deviceSends (device, toJid, message, id) {
  const { type, ciphertext } = await device.repository.encryptMessage({ jid: toJid, data: encodeWAMessage(message) })
  const content = [{ tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: toJid }, content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }] }] }]
  if (type === 'pkmsg') {
    content.push({ tag: 'device-identity', attrs: {}, content: proto.ADVSignedDeviceIdentity.encode(device.creds.account).finish() })
  }
  return { type, stanza: await wire({ tag: 'message', attrs: { id, to: toJid, type: 'text' }, content }) }
}

/** Baileys' receive path for a `message` stanza: decryptMessageNode + decrypt(), as messages-recv runs it. */
async function deviceReceives (device, stanza) {
  const { fullMessage, decrypt } = decryptMessageNode(await wire(stanza), device.creds.me.id, device.creds.me.lid, device.repository, logger)
  await decrypt()
  return fullMessage
}

const contactResolver = (...contacts) => jid => contacts.find(c => c.owns(jid))?.takeBundle()

test('device → contact: the bundle node injects into Baileys, the contact decrypts pkmsg then msg', async () => {
  const device = makeDevice()
  const alice = new Contact({ phone: '15550001111', pushName: 'Alice' })
  await fetchSessions(device, [alice.pnJid], contactResolver(alice))
  assert.equal(alice.publishedPreKeyIds.length, alice.preKeyCount - 1, 'the served one-time prekey is consumed')
  assert.equal((await device.repository.getSessionInfo(alice.pnJid)).registrationId, alice.registrationId, 'registration parsed')

  const first = await deviceSends(device, alice.pnJid, { conversation: 'hello alice' }, 'M1')
  assert.equal(first.type, 'pkmsg')
  const got1 = await decryptFromDevice(alice, first.stanza, { senderJid: device.jid })
  assert.deepEqual({ id: got1.id, to: got1.to, type: got1.type, text: got1.text }, { id: 'M1', to: alice.pnJid, type: 'pkmsg', text: 'hello alice' })
  assert.equal(got1.message.conversation, 'hello alice')
  assert.equal(got1.deviceIdentity.accountSignatureValid, true)
  assert.equal(got1.deviceIdentity.deviceSignatureValid, true)
  assert.equal(got1.deviceIdentity.keyIndex, 1)
  assert.equal(alice.preKeys.size, alice.preKeyCount - 1, 'the pkmsg used up the one-time prekey it named')

  // Signal's rule: the initiator keeps sending pkmsg until the peer has answered ...
  const second = await deviceSends(device, alice.pnJid, { conversation: 'still there?' }, 'M2')
  assert.equal(second.type, 'pkmsg')
  assert.equal((await decryptFromDevice(alice, second.stanza, { senderJid: device.jid })).text, 'still there?')

  // ... the contact answers on the session the pkmsg built (a msg, no bundle needed) ...
  const reply = await encryptToDevice(alice, { deviceJid: device.jid, message: textMessage('yes'), bundle: () => assert.fail('no bundle needed') })
  assert.equal(reply.type, 'msg')
  assert.equal((await deviceReceives(device, reply.stanza)).message.conversation, 'yes')

  // ... and from then on the device sends msg.
  const third = await deviceSends(device, alice.pnJid, { conversation: 'good' }, 'M3')
  assert.equal(third.type, 'msg')
  const got3 = await decryptFromDevice(alice, third.stanza, { senderJid: device.jid })
  assert.equal(got3.type, 'msg')
  assert.equal(got3.text, 'good')
  assert.equal(got3.deviceIdentity, undefined)
})

test('a forged device identity is reported as not verifying', async () => {
  const device = makeDevice()
  const alice = new Contact({ phone: '15550001112' })
  await fetchSessions(device, [alice.pnJid], contactResolver(alice))
  device.creds.account = { ...device.creds.account, accountSignature: Buffer.alloc(64, 7) }
  const sent = await deviceSends(device, alice.pnJid, { conversation: 'x' }, 'F1')
  const got = await decryptFromDevice(alice, sent.stanza, { senderJid: device.jid })
  assert.equal(got.deviceIdentity.accountSignatureValid, false)
  assert.equal(got.deviceIdentity.deviceSignatureValid, true)
})

test('contact → device: a pkmsg from the uploaded bundle, PN-addressed with sender_lid, decrypts in Baileys', async () => {
  const device = makeDevice()
  let record = await uploadPreKeys(device, 5)
  assert.equal(record.preKeys.size, 5)
  const carol = new Contact({ phone: '15550002222', lid: '202222222222222', pushName: 'Carol' })

  const sent = await encryptToDevice(carol, { deviceJid: device.jid, bundle: () => takeDeviceBundle(record), message: textMessage('hi gateway'), id: 'C1' })
  assert.equal(sent.type, 'pkmsg')
  assert.equal(record.preKeys.size, 4, 'the server served one one-time prekey')
  assert.deepEqual(
    { from: sent.stanza.attrs.from, sender_lid: sent.stanza.attrs.sender_lid, notify: sent.stanza.attrs.notify, type: sent.stanza.attrs.type },
    { from: carol.pnJid, sender_lid: carol.lidJid, notify: 'Carol', type: 'text' })
  const msg = await deviceReceives(device, sent.stanza)
  assert.equal(msg.messageStubType, undefined, JSON.stringify(msg.messageStubParameters))
  assert.equal(msg.message.conversation, 'hi gateway')
  assert.equal(msg.key.id, 'C1')
  assert.equal(msg.key.remoteJid, carol.pnJid)
  assert.equal(msg.key.remoteJidAlt, carol.lidJid)
  assert.equal(msg.pushName, 'Carol')
  assert.ok(device.data.has('session/202222222222222_1.0'), 'Baileys stored the announced LID mapping and keyed the session by LID')

  // A top-up upload keeps the unserved keys and adds the new ones.
  record = await uploadPreKeys(device, 5, record)
  assert.equal(record.preKeys.size, 4 + 5)
})

test('contact → device: LID-addressed sender with the phone in sender_pn', async () => {
  const device = makeDevice()
  const record = await uploadPreKeys(device, 3)
  const dave = new Contact({ phone: '15550003333', lid: '203333333333333', pushName: 'Dave' })
  const first = await encryptToDevice(dave, { deviceJid: device.jid, bundle: () => takeDeviceBundle(record), message: textMessage('via lid'), addressing: 'lid' })
  assert.deepEqual({ from: first.stanza.attrs.from, sender_pn: first.stanza.attrs.sender_pn }, { from: dave.lidJid, sender_pn: dave.pnJid })
  const msg = await deviceReceives(device, first.stanza)
  assert.equal(msg.message?.conversation, 'via lid', JSON.stringify(msg.messageStubParameters))
  assert.equal(msg.key.remoteJid, dave.lidJid)
  assert.equal(msg.key.remoteJidAlt, dave.pnJid)
  assert.equal(msg.key.addressingMode, 'lid')
  assert.ok(await device.repository.validateSession(dave.lidJid).then(v => v.exists), 'Baileys keyed the session by the LID')

  // A second message on the same session still decrypts (pkmsg again: the device has not answered yet).
  const again = await encryptToDevice(dave, { deviceJid: device.jid, message: textMessage('again'), addressing: 'lid' })
  assert.equal((await deviceReceives(device, again.stanza)).message?.conversation, 'again')
})

test('contact → device: reply, edit, revoke and reaction decode to the right proto fields', async () => {
  const device = makeDevice()
  const record = await uploadPreKeys(device, 3)
  const erin = new Contact({ phone: '15550004444', pushName: 'Erin' })
  const bundle = () => takeDeviceBundle(record)
  const send = async message => {
    const { stanza } = await encryptToDevice(erin, { deviceJid: device.jid, bundle, message })
    return { stanza, msg: await deviceReceives(device, stanza) }
  }
  const gatewayJid = '15550009999@s.whatsapp.net'

  const reply = await send(replyMessage('answer', { id: 'ORIG1', participant: gatewayJid, text: 'question' }))
  const ctx = reply.msg.message.extendedTextMessage.contextInfo
  assert.equal(reply.msg.message.extendedTextMessage.text, 'answer')
  assert.deepEqual({ stanzaId: ctx.stanzaId, participant: ctx.participant, quoted: ctx.quotedMessage.conversation }, { stanzaId: 'ORIG1', participant: gatewayJid, quoted: 'question' })

  const ownKey = { remoteJid: gatewayJid, fromMe: true, id: 'E-OWN-1' }
  const edit = await send(editMessage(ownKey, 'fixed text'))
  assert.equal(edit.stanza.attrs.edit, '1')
  assert.equal(edit.msg.message.protocolMessage.type, ProtocolType.MESSAGE_EDIT)
  assert.equal(edit.msg.message.protocolMessage.key.id, 'E-OWN-1')
  assert.equal(edit.msg.message.protocolMessage.editedMessage.conversation, 'fixed text')

  const revoke = await send(revokeMessage(ownKey))
  assert.equal(revoke.stanza.attrs.edit, '7')
  assert.equal(revoke.msg.message.protocolMessage.type, ProtocolType.REVOKE)
  assert.equal(revoke.msg.message.protocolMessage.key.id, 'E-OWN-1')

  const reaction = await send(reactionMessage({ remoteJid: erin.pnJid, fromMe: false, id: 'ORIG1' }, '👍'))
  assert.equal(reaction.stanza.attrs.type, 'reaction')
  assert.equal(reaction.msg.message.reactionMessage.text, '👍')
  assert.equal(reaction.msg.message.reactionMessage.key.id, 'ORIG1')
})

test('identity change: the contact reinstalls, new pkmsg sessions are established in both directions', async () => {
  const device = makeDevice()
  const record = await uploadPreKeys(device, 5)
  const frank = new Contact({ phone: '15550005555', pushName: 'Frank' })
  const resolve = contactResolver(frank)
  // An established conversation: the device started it, Frank answered.
  await fetchSessions(device, [frank.pnJid], resolve)
  await decryptFromDevice(frank, (await deviceSends(device, frank.pnJid, { conversation: 'before' }, 'I1')).stanza, { senderJid: device.jid })
  await deviceReceives(device, (await encryptToDevice(frank, { deviceJid: device.jid, message: textMessage('ack') })).stanza)
  const oldIdentity = frank.identityKeyPair.pubKey

  frank.reinstall()
  assert.notDeepEqual(frank.identityKeyPair.pubKey, oldIdentity)
  assert.equal(frank.hasSession(device.jid), false)

  // The device still encrypts on the old session: the reinstalled phone cannot read it and asks for a retry
  // with its new keys.
  const stale = await deviceSends(device, frank.pnJid, { conversation: 'lost' }, 'I2')
  assert.equal(stale.type, 'msg')
  await assert.rejects(decryptFromDevice(frank, stale.stanza, { senderJid: device.jid }), /session/i)
  const retry = buildRetryReceipt(frank, { id: 'I2' })
  const retryBundle = extractE2ESessionFromRetryReceipt(await wire(retry))
  assert.ok(retryBundle, 'Baileys parses the retry receipt keys')
  assert.deepEqual(Buffer.from(retryBundle.identityKey), Buffer.from(frank.identityKeyPair.pubKey))

  // The server announces the identity change; Baileys' own handler drops the session and fetches a new bundle.
  const notification = await wire(buildIdentityChangeNotification({ from: frank.pnJid, id: 'N1' }))
  const outcome = await handleIdentityChange(notification, {
    meId: device.creds.me.id,
    meLid: device.creds.me.lid,
    validateSession: jid => device.repository.validateSession(jid),
    assertSessions: (jids, force) => fetchSessions(device, jids, resolve, force),
    debounceCache: new Map(),
    logger
  })
  assert.equal(outcome.action, 'session_refreshed')
  const fresh = await deviceSends(device, frank.pnJid, { conversation: 'after' }, 'I3')
  assert.equal(fresh.type, 'pkmsg')
  assert.equal((await decryptFromDevice(frank, fresh.stanza, { senderJid: device.jid })).text, 'after')

  // The other direction: a second reinstall, Frank writes first with a new pkmsg; Baileys sees the changed
  // identity, replaces its session and decrypts.
  frank.reinstall()
  const back = await encryptToDevice(frank, { deviceJid: device.jid, bundle: () => takeDeviceBundle(record), message: textMessage('new phone') })
  assert.equal(back.type, 'pkmsg')
  assert.equal((await deviceReceives(device, back.stanza)).message?.conversation, 'new phone')
  const answer = await deviceSends(device, frank.pnJid, { conversation: 'welcome back' }, 'I4')
  assert.equal(answer.type, 'msg')
  assert.equal((await decryptFromDevice(frank, answer.stanza, { senderJid: device.jid })).text, 'welcome back')
})

test('undecryptable: Baileys reports a CIPHERTEXT stub with libsignal\'s reason', async () => {
  const device = makeDevice()
  const record = await uploadPreKeys(device, 3)
  const gina = new Contact({ phone: '15550006666', pushName: 'Gina' })

  const noSession = await deviceReceives(device, undecryptableStanza(gina, { id: 'U1' }))
  assert.equal(noSession.messageStubType, proto.WebMessageInfo.StubType.CIPHERTEXT)
  assert.match(noSession.messageStubParameters[0], /No session/)
  assert.equal(noSession.message, undefined)

  await deviceReceives(device, (await encryptToDevice(gina, { deviceJid: device.jid, bundle: () => takeDeviceBundle(record), message: textMessage('hi') })).stanza)
  const badMac = await deviceReceives(device, undecryptableStanza(gina, { id: 'U2' }))
  assert.equal(badMac.messageStubType, proto.WebMessageInfo.StubType.CIPHERTEXT)
  assert.match(badMac.messageStubParameters[0], /No matching sessions found for message/)

  // The session survives the bad message: the next real one still decrypts.
  const next = await encryptToDevice(gina, { deviceJid: device.jid, message: textMessage('still fine') })
  assert.equal((await deviceReceives(device, next.stanza)).message?.conversation, 'still fine')

  // Without a session the contact needs a bundle, and says so.
  gina.forgetSession(device.jid)
  assert.equal(gina.hasSession(device.jid), false)
  await assert.rejects(encryptToDevice(gina, { deviceJid: device.jid, message: textMessage('x') }), /no session .* and no bundle/)
})

test('the account\'s own phone gets the device-sent copy (DSM) on a LID-addressed `to`', async () => {
  const device = makeDevice()
  // The simulated phone is a contact with the account's own number and LID (device 0).
  const phone = new Contact({ phone: '15550009999', lid: '209990000000009', pushName: 'Me' })
  await fetchSessions(device, [phone.lidJid], contactResolver(phone))
  const dsm = { deviceSentMessage: { destinationJid: '15550001111@s.whatsapp.net', message: { conversation: 'sent from the gateway' } } }
  const sent = await deviceSends(device, phone.lidJid, dsm, 'D1')
  const got = await decryptFromDevice(phone, sent.stanza, { senderJid: device.jid })
  assert.deepEqual({ to: got.to, destinationJid: got.destinationJid, text: got.text }, { to: phone.lidJid, destinationJid: '15550001111@s.whatsapp.net', text: 'sent from the gateway' })
})

test('retry receipt: the device resends on the keys it carries, as a direct enc the contact decrypts', async () => {
  const device = makeDevice()
  const henry = new Contact({ phone: '15550007777', pushName: 'Henry' })
  await fetchSessions(device, [henry.pnJid], contactResolver(henry))
  const lost = await deviceSends(device, henry.pnJid, { conversation: 'first try' }, 'R1')
  henry.reinstall() // the phone lost its keys before reading R1
  await assert.rejects(decryptFromDevice(henry, lost.stanza, { senderJid: device.jid }))

  // What Baileys' sendMessagesAgain does with the retry receipt: inject the carried bundle, resend to the participant.
  const receipt = await wire(buildRetryReceipt(henry, { id: 'R1', count: 1 }))
  assert.equal(receipt.attrs.type, 'retry')
  await device.repository.injectE2ESession({ jid: henry.pnJid, session: extractE2ESessionFromRetryReceipt(receipt) })
  const { type, ciphertext } = await device.repository.encryptMessage({ jid: henry.pnJid, data: encodeWAMessage({ conversation: 'first try' }) })
  const resend = await wire({ tag: 'message', attrs: { id: 'R1', to: henry.pnJid, type: 'text' }, content: [{ tag: 'enc', attrs: { v: '2', type, count: '1' }, content: ciphertext }] })
  const got = await decryptFromDevice(henry, resend, { senderJid: device.jid })
  assert.deepEqual({ id: got.id, type: got.type, text: got.text }, { id: 'R1', type: 'pkmsg', text: 'first try' })
})

test('a media message from a contact carries type=media and the enc mediatype', async () => {
  const device = makeDevice()
  const record = await uploadPreKeys(device, 2)
  const ivy = new Contact({ phone: '15550008888' })
  const image = { imageMessage: { caption: 'look', mimetype: 'image/jpeg', fileLength: 3, mediaKey: Buffer.alloc(32, 1), directPath: '/v/t62/x' } }
  const { stanza } = await encryptToDevice(ivy, { deviceJid: device.jid, bundle: () => takeDeviceBundle(record), message: image })
  assert.equal(stanza.attrs.type, 'media')
  assert.equal(stanza.content[0].attrs.mediatype, 'image')
  const msg = await deviceReceives(device, stanza)
  assert.equal(msg.message?.imageMessage?.caption, 'look')
  assert.equal(msg.message.imageMessage.directPath, '/v/t62/x')
})

test('remembered signature checks answer as a fresh check would: the same identity again, then a forged one', async () => {
  const device = makeDevice()
  const alice = new Contact({ phone: '15550001113' })
  await fetchSessions(device, [alice.pnJid], contactResolver(alice))
  for (const id of ['R1', 'R2']) { // the second pkmsg repeats the signed identity: answered from memory
    const got = await decryptFromDevice(alice, (await deviceSends(device, alice.pnJid, { conversation: id }, id)).stanza, { senderJid: device.jid })
    assert.equal(got.type, 'pkmsg')
    assert.deepEqual([got.deviceIdentity.accountSignatureValid, got.deviceIdentity.deviceSignatureValid], [true, true], id)
  }
  device.creds.account = { ...device.creds.account, accountSignature: Buffer.alloc(64, 9) }
  for (const id of ['R3', 'R4']) {
    const got = await decryptFromDevice(alice, (await deviceSends(device, alice.pnJid, { conversation: id }, id)).stanza, { senderJid: device.jid })
    assert.equal(got.deviceIdentity.accountSignatureValid, false, id)
  }
})
