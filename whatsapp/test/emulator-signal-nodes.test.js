import assert from 'node:assert/strict'
import { test } from 'node:test'
import pino from 'pino'
import {
  addTransactionCapability, decodeBinaryNode, decryptMessageNode, encodeBinaryNode, extractDeviceJids, getBinaryNodeChild,
  getBinaryNodeChildren, getNextPreKeysNode, getStatusFromReceiptType, initAuthCreds, parseAndInjectE2ESessions, proto,
  signedKeyPair, USyncQuery, USyncUser, xmppSignedPreKey
} from 'baileys'
import { makeLibSignalRepository } from 'baileys/lib/Signal/libsignal.js'
import {
  applyPreKeyUpload, applySignedPreKeyRotation, buildDigestResult, buildKeyFetchResult, buildPreKeyCountResult,
  buildPreKeyLowNotification, buildReceipt, buildUSyncResult, Contact, contactAccount, encryptToDevice, parsePreKeyUpload,
  takeDeviceBundle, textMessage
} from '../emulator/signal/index.js'

/*
 * Node shapes of the emulator's Signal side, read back with Baileys' own parsers after a WABinary round trip:
 * usync results (USyncQuery.parseUSyncQueryResult, extractDeviceJids), receipts, and the encrypt namespace
 * (prekey upload checks, count, digest, rotation, unknown users, bundles without a one-time prekey).
 */

const logger = pino({ level: 'silent' })
const wire = async node => decodeBinaryNode(encodeBinaryNode(node))

/** The usync iq exactly as Baileys' executeUSyncQuery builds it (Socket/socket.js). */
function usyncIq (query, id = 'usync-1') {
  return {
    tag: 'iq',
    attrs: { id, to: 's.whatsapp.net', type: 'get', xmlns: 'usync' },
    content: [{
      tag: 'usync',
      attrs: { context: query.context, mode: query.mode, sid: 'sid-1', last: 'true', index: '0' },
      content: [
        { tag: 'query', attrs: {}, content: query.protocols.map(p => p.getQueryElement()) },
        {
          tag: 'list',
          attrs: {},
          content: query.users.map(user => ({
            tag: 'user',
            attrs: { jid: !user.phone ? user.id : undefined },
            content: query.protocols.map(p => p.getUserElement(user)).filter(Boolean)
          }))
        }
      ]
    }]
  }
}

/** A linked device's auth state and Baileys Signal repository, keys in memory. */
function makeDevice () {
  const creds = initAuthCreds()
  creds.me = { id: '15550009999:7@s.whatsapp.net', lid: '209990000000009:7@lid' }
  const data = new Map()
  const store = {
    async get (type, ids) { return Object.fromEntries(ids.filter(id => data.has(`${type}/${id}`)).map(id => [id, data.get(`${type}/${id}`)])) },
    async set (changes) {
      for (const [type, entries] of Object.entries(changes)) {
        for (const [id, value] of Object.entries(entries)) value == null ? data.delete(`${type}/${id}`) : data.set(`${type}/${id}`, value)
      }
    }
  }
  const keys = addTransactionCapability(store, logger, { maxCommitRetries: 2, delayBetweenTriesMs: 5 })
  return { creds, keys, repository: makeLibSignalRepository({ creds, keys }, logger, async () => undefined), jid: creds.me.id }
}

test('usync device + lid query: Baileys parses devices, the LID mapping and extracts the right device jids', async () => {
  const alice = new Contact({ phone: '15550001111', lid: '201111111111111' })
  const own = { pnJid: '15550009999@s.whatsapp.net', lidJid: '209990000000009@lid', devices: [{ id: 0 }, { id: 7, keyIndex: 2 }] }
  const lookup = ({ jid }) => (alice.owns(jid) ? contactAccount(alice) : jid === own.pnJid ? own : undefined)

  const query = new USyncQuery().withContext('message').withDeviceProtocol().withLIDProtocol()
  for (const jid of [own.pnJid, alice.pnJid, '15550000000@s.whatsapp.net']) query.withUser(new USyncUser().withId(jid))
  const request = await wire(usyncIq(query))
  const result = await wire(buildUSyncResult(request, lookup))
  assert.equal(result.attrs.id, 'usync-1')
  assert.equal(result.attrs.type, 'result')

  const parsed = query.parseUSyncQueryResult(result)
  assert.deepEqual(parsed.list.map(u => u.id), [own.pnJid, alice.pnJid, '15550000000@s.whatsapp.net'])
  assert.deepEqual(parsed.list[0].devices.deviceList.map(d => [d.id, d.keyIndex]), [[0, NaN], [7, 2]])
  assert.equal(parsed.list[1].lid, alice.lidJid)
  assert.deepEqual(parsed.list[2].devices.deviceList, [])

  const devices = extractDeviceJids(parsed.list, '15550009999:7@s.whatsapp.net', '209990000000009:7@lid', false)
  assert.deepEqual(devices.map(d => `${d.user}:${d.device}@${d.server}`), ['15550009999:0@s.whatsapp.net', '15550001111:0@s.whatsapp.net'],
    'the phone and the contact; the sending device itself is skipped')

  // Asked by LID (Baileys' LID-first sends): the user comes back under its LID, no mapping is repeated.
  const byLid = new USyncQuery().withContext('message').withDeviceProtocol().withLIDProtocol().withStatusProtocol()
  byLid.withUser(new USyncUser().withId(alice.lidJid))
  const lidList = byLid.parseUSyncQueryResult(await wire(buildUSyncResult(await wire(usyncIq(byLid)), lookup))).list
  assert.equal(lidList[0].id, alice.lidJid)
  assert.equal(lidList[0].lid, undefined)
  assert.deepEqual(lidList[0].status, { status: null, setAt: new Date(0) })
  assert.deepEqual(extractDeviceJids(lidList, '15550009999:7@s.whatsapp.net', '209990000000009:7@lid', false).map(d => `${d.user}:${d.device}@${d.server}`),
    ['201111111111111:0@lid'])
})

test('usync contact query (onWhatsApp): known numbers are in, unknown ones out', async () => {
  const bob = new Contact({ phone: '15550002222' })
  const query = new USyncQuery().withContactProtocol()
  query.withUser(new USyncUser().withPhone('+15550002222')).withUser(new USyncUser().withPhone('+15550000000'))
  const lookup = ({ phone }) => (phone === `+${bob.phone}` ? contactAccount(bob) : undefined)
  const parsed = query.parseUSyncQueryResult(await wire(buildUSyncResult(await wire(usyncIq(query)), lookup)))
  assert.deepEqual(parsed.list.map(u => [u.id, u.contact]), [[bob.pnJid, true], ['15550000000@s.whatsapp.net', false]])
  // What Baileys' onWhatsApp keeps:
  assert.deepEqual(parsed.list.filter(a => !!a.contact).map(({ contact, id }) => ({ jid: id, exists: contact })), [{ jid: bob.pnJid, exists: true }])
})

test('receipts: delivery has no type, read batches ids in list > item', async () => {
  const carol = new Contact({ phone: '15550003333', lid: '203333333333333' })
  const delivery = await wire(buildReceipt(carol, { ids: ['A1'] }))
  assert.deepEqual({ ...delivery.attrs, t: undefined }, { from: carol.pnJid, id: 'A1', t: undefined })
  assert.equal(getStatusFromReceiptType(delivery.attrs.type), proto.WebMessageInfo.Status.DELIVERY_ACK)

  const read = await wire(buildReceipt(carol, { ids: ['A1', 'A2', 'A3'], type: 'read', addressing: 'lid' }))
  assert.equal(read.attrs.from, carol.lidJid)
  assert.equal(getStatusFromReceiptType(read.attrs.type), proto.WebMessageInfo.Status.READ)
  // Baileys' handleReceipt: ids = [attrs.id, ...items of content[0]]
  assert.deepEqual([read.attrs.id, ...getBinaryNodeChildren(read.content[0], 'item').map(i => i.attrs.id)], ['A1', 'A2', 'A3'])
  assert.throws(() => buildReceipt(carol, { ids: [] }), /at least one/)
})

test('prekey upload: checked on arrival, counted, digested, rotated', async () => {
  const device = makeDevice()
  const { update, node } = await getNextPreKeysNode({ creds: device.creds, keys: device.keys }, 4)
  Object.assign(device.creds, update)
  const upload = await wire({ ...node, attrs: { ...node.attrs, id: 'up-1' } })

  // A signed prekey that the identity did not sign is refused, naming the field.
  const forged = structuredClone(upload)
  getBinaryNodeChild(getBinaryNodeChild(forged, 'skey'), 'signature').content = Buffer.alloc(64, 1)
  assert.throws(() => parsePreKeyUpload(forged), /signed prekey signature/)
  const badType = structuredClone(upload)
  getBinaryNodeChild(badType, 'type').content = Buffer.from([6])
  assert.throws(() => parsePreKeyUpload(badType), /type must be 0x05/)

  let record = applyPreKeyUpload(undefined, upload)
  assert.equal(record.registrationId, device.creds.registrationId)
  assert.deepEqual([...record.preKeys.keys()], [1, 2, 3, 4])
  const count = await wire(buildPreKeyCountResult({ attrs: { id: 'c-1' } }, record))
  assert.equal(+getBinaryNodeChild(count, 'count').attrs.value, 4)

  const digest = getBinaryNodeChild(await wire(buildDigestResult({ attrs: { id: 'd-1' } }, record)), 'digest')
  assert.equal(getBinaryNodeChildren(getBinaryNodeChild(digest, 'list'), 'id').length, 4)
  assert.equal(getBinaryNodeChild(digest, 'hash').content.length, 20)
  assert.equal((await wire(buildDigestResult({ attrs: { id: 'd-2' } }, undefined))).attrs.type, 'error')

  const skey = signedKeyPair(device.creds.signedIdentityKey, 2)
  const rotate = await wire({ tag: 'iq', attrs: { id: 'r-1', to: 's.whatsapp.net', type: 'set', xmlns: 'encrypt' }, content: [{ tag: 'rotate', attrs: {}, content: [xmppSignedPreKey(skey)] }] })
  record = applySignedPreKeyRotation(record, rotate)
  assert.equal(record.signedPreKey.keyId, 2)
  const stranger = signedKeyPair(initAuthCreds().signedIdentityKey, 3)
  const forgedRotate = { ...rotate, content: [{ tag: 'rotate', attrs: {}, content: [xmppSignedPreKey(stranger)] }] }
  assert.throws(() => applySignedPreKeyRotation(record, forgedRotate), /signature/)
  device.creds.signedPreKey = skey

  // Served bundles use up the pool; an empty pool still serves a bundle (no one-time prekey), and a session
  // started from it decrypts in Baileys.
  for (let i = 0; i < 4; i++) assert.ok(takeDeviceBundle(record).preKey)
  assert.equal(record.preKeys.size, 0)
  const noPreKey = takeDeviceBundle(record)
  assert.equal(noPreKey.preKey, undefined)
  const dana = new Contact({ phone: '15550004444' })
  const sent = await encryptToDevice(dana, { deviceJid: device.jid, bundle: noPreKey, message: textMessage('no one-time key') })
  assert.equal(sent.type, 'pkmsg')
  const { fullMessage, decrypt } = decryptMessageNode(await wire(sent.stanza), device.creds.me.id, device.creds.me.lid, device.repository, logger)
  await decrypt()
  assert.equal(fullMessage.message?.conversation, 'no one-time key', JSON.stringify(fullMessage.messageStubParameters))
})

test('key fetch: an unknown device is answered per user with 404, which Baileys refuses', async () => {
  const device = makeDevice()
  const request = await wire({
    tag: 'iq',
    attrs: { id: 'k-1', xmlns: 'encrypt', type: 'get', to: 's.whatsapp.net' },
    content: [{ tag: 'key', attrs: {}, content: [{ tag: 'user', attrs: { jid: '15550000000@s.whatsapp.net' } }] }]
  })
  const result = await wire(buildKeyFetchResult(request, () => undefined))
  const error = getBinaryNodeChild(getBinaryNodeChild(getBinaryNodeChild(result, 'list'), 'user'), 'error')
  assert.deepEqual(error.attrs, { code: '404', text: 'item-not-found' })
  await assert.rejects(parseAndInjectE2ESessions(result, device.repository), /item-not-found/)
})

test('prekey-low notification carries the count Baileys compares with its minimum', async () => {
  const node = await wire(buildPreKeyLowNotification({ id: 'n-1', count: 3 }))
  // Baileys only uploads when `from` equals its S_WHATSAPP_NET ('@s.whatsapp.net', the server JID pair)
  assert.deepEqual({ from: node.attrs.from, type: node.attrs.type }, { from: '@s.whatsapp.net', type: 'encrypt' })
  assert.equal(+getBinaryNodeChild(node, 'count').attrs.value, 3)
})
