import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Boom } from '@hapi/boom'
import { DisconnectReason, proto } from 'baileys'
import {
  disconnectReasonName, jidToPhone, jsonSafe, mapClose, mapHistorySet, mapKey, mapMe,
  mapMessage, mapMessagesUpdate, mapMessagesUpsert, toNumberOrNull
} from '../src/mapper.js'

/** A message as Baileys hands it over after decoding: protobuf instance, Long numbers, Buffer bytes. */
function decodedImageMessage () {
  const msg = proto.WebMessageInfo.fromObject({
    key: { remoteJid: '120363025555555555@g.us', fromMe: false, id: '3EB0AABBCCDD', participant: '123456789012345@lid' },
    messageTimestamp: 1732170000,
    pushName: 'Bilal',
    message: {
      imageMessage: {
        caption: 'look',
        mediaKey: Buffer.from('0123456789abcdef0123456789abcdef'),
        fileSha256: new Uint8Array([1, 2, 3, 250]),
        fileLength: 12345,
        jpegThumbnail: Buffer.from([0xff, 0xd8, 0xff])
      }
    }
  })
  const decoded = /** @type {any} */ (proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(msg).finish()))
  // Baileys 7 adds the PN/LID alternatives on the key after decoding
  decoded.key.participantAlt = '923001112233@s.whatsapp.net'
  decoded.key.remoteJidAlt = undefined
  return decoded
}

describe('jidToPhone', () => {
  test('strips server and device suffix', () => {
    assert.equal(jidToPhone('923001234567@s.whatsapp.net'), '923001234567')
    assert.equal(jidToPhone('923001234567:1@s.whatsapp.net'), '923001234567')
    assert.equal(jidToPhone('923001234567:23@s.whatsapp.net'), '923001234567')
    assert.equal(jidToPhone('923001234567@c.us'), '923001234567')
    assert.equal(jidToPhone('923001234567:5@hosted'), '923001234567')
  })
  test('a LID, a group or garbage has no phone', () => {
    assert.equal(jidToPhone('123456789012345@lid'), null)
    assert.equal(jidToPhone('123456789012345:1@lid'), null)
    assert.equal(jidToPhone('120363025555555555@g.us'), null)
    assert.equal(jidToPhone('status@broadcast'), null)
    assert.equal(jidToPhone('no-at-sign'), null)
    assert.equal(jidToPhone(''), null)
    assert.equal(jidToPhone(undefined), null)
    assert.equal(jidToPhone(42), null)
  })
})

describe('disconnect reasons', () => {
  test('names come from Baileys DisconnectReason', () => {
    const expected = {
      401: 'loggedOut', 403: 'forbidden', 408: 'timedOut', 411: 'multideviceMismatch', 428: 'connectionClosed',
      440: 'connectionReplaced', 500: 'badSession', 503: 'unavailableService', 515: 'restartRequired'
    }
    for (const [code, name] of Object.entries(expected)) {
      assert.equal(disconnectReasonName(Number(code)), name, code)
      assert.equal(/** @type {any} */ (DisconnectReason)[name], Number(code))
    }
    assert.equal(disconnectReasonName(999), 'unknown')
    assert.equal(disconnectReasonName(null), 'unknown')
  })

  test('mapClose reads the Boom status code', () => {
    const err = new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed })
    assert.deepEqual(mapClose(err, { wasOpen: true, wasAuthenticated: true }),
      { code: 428, reason: 'connectionClosed', message: 'Connection Closed', wasOpen: true, wasAuthenticated: true })
    const restart = new Boom('Stream Errored (restart required)', { statusCode: 515 })
    assert.equal(mapClose(restart, { wasOpen: false, wasAuthenticated: true }).reason, 'restartRequired')
  })

  test('no Boom → code null, reason unknown', () => {
    assert.deepEqual(mapClose(new Error('boom'), { wasOpen: false, wasAuthenticated: false }),
      { code: null, reason: 'unknown', message: 'boom', wasOpen: false, wasAuthenticated: false })
    assert.deepEqual(mapClose(undefined, { wasOpen: false, wasAuthenticated: false }),
      { code: null, reason: 'unknown', message: null, wasOpen: false, wasAuthenticated: false })
  })
})

describe('keys and messages', () => {
  test('mapMe', () => {
    assert.deepEqual(mapMe({ id: '923001234567:12@s.whatsapp.net', name: 'Ali', lid: '1@lid' }),
      { jid: '923001234567:12@s.whatsapp.net', phone: '923001234567', name: 'Ali' })
    assert.deepEqual(mapMe(undefined), { jid: null, phone: null, name: null })
  })

  test('mapKey keeps remoteJidAlt/participantAlt and fills absent fields with null', () => {
    assert.deepEqual(mapKey({ id: 'A', remoteJid: '123456789012345@lid', fromMe: true, remoteJidAlt: '923001112233@s.whatsapp.net' }), {
      id: 'A', remoteJid: '123456789012345@lid', fromMe: true, participant: null,
      remoteJidAlt: '923001112233@s.whatsapp.net', participantAlt: null
    })
    assert.deepEqual(mapKey(undefined), { id: null, remoteJid: null, fromMe: false, participant: null, remoteJidAlt: null, participantAlt: null })
  })

  test('mapMessage on a decoded protobuf message is JSON-safe', () => {
    const mapped = mapMessage(decodedImageMessage())
    assert.deepEqual(mapped.key, {
      id: '3EB0AABBCCDD', remoteJid: '120363025555555555@g.us', fromMe: false,
      participant: '123456789012345@lid', remoteJidAlt: null, participantAlt: '923001112233@s.whatsapp.net'
    })
    assert.equal(mapped.pushName, 'Bilal')
    assert.equal(mapped.timestamp, 1732170000, 'Long timestamp → number')
    assert.equal(mapped.messageStubType, null)
    const image = mapped.message.imageMessage
    assert.equal(image.caption, 'look')
    assert.equal(image.fileLength, 12345, 'Long → number')
    assert.equal(image.mediaKey, Buffer.from('0123456789abcdef0123456789abcdef').toString('base64'), 'Buffer → base64')
    assert.equal(image.fileSha256, Buffer.from([1, 2, 3, 250]).toString('base64'), 'Uint8Array → base64')
    assert.equal(image.jpegThumbnail, '/9j/')
    // a JSON round trip changes nothing: no Buffer {type,data}, no Long objects survive
    assert.deepEqual(JSON.parse(JSON.stringify(mapped)), mapped)
  })

  test('jsonSafe edge cases', () => {
    const huge = proto.Message.ImageMessage.fromObject({ fileLength: '9007199254740993' })
    assert.equal(jsonSafe(huge).fileLength, '9007199254740993', 'Long beyond 2^53 → string')
    assert.equal(jsonSafe(10n), 10)
    assert.equal(jsonSafe(2n ** 64n), '18446744073709551616')
    assert.equal(jsonSafe(new Date(5)), 5)
    assert.equal(jsonSafe(new Uint8Array([104, 105]).buffer), 'aGk=')
    assert.deepEqual(jsonSafe({ a: undefined, f () {}, n: NaN, nested: [undefined, 1] }), { n: null, nested: [null, 1] })
    /** @type {any} */
    const cyclic = { name: 'x' }
    cyclic.self = cyclic
    assert.deepEqual(jsonSafe(cyclic), { name: 'x', self: null })
    const shared = { v: 1 }
    assert.deepEqual(jsonSafe({ a: shared, b: shared }), { a: { v: 1 }, b: { v: 1 } }, 'shared objects are not cycles')
  })

  test('toNumberOrNull', () => {
    assert.equal(toNumberOrNull(5), 5)
    assert.equal(toNumberOrNull('17'), 17)
    assert.equal(toNumberOrNull('x'), null)
    assert.equal(toNumberOrNull(undefined), null)
  })

  test('messages.upsert / messages.update / history.set payloads', () => {
    const upsert = mapMessagesUpsert({ type: 'notify', messages: [decodedImageMessage()] })
    assert.equal(upsert.type, 'notify')
    assert.equal(upsert.messages.length, 1)

    const update = mapMessagesUpdate([
      { key: { id: 'A', remoteJid: '923001112233@s.whatsapp.net', fromMe: true }, update: { status: 3 } },
      { key: { id: 'B', remoteJid: '923001112233@s.whatsapp.net', fromMe: true }, update: { message: { conversation: 'edited' } } }
    ])
    assert.equal(update.updates[0].status, 'delivered')
    assert.equal(update.updates[0].key.id, 'A')
    assert.equal(update.updates[1].status, null)
    assert.equal(update.updates[1].edit, undefined, 'a content update without the editedMessage wrapper is no edit')

    const history = mapHistorySet({
      chats: [{ id: '923001112233@s.whatsapp.net', conversationTimestamp: 1732170000, messages: [{ message: {} }] }],
      contacts: [],
      messages: [decodedImageMessage()],
      isLatest: true,
      progress: 100,
      syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP
    })
    assert.deepEqual(history.chats, [{ id: '923001112233@s.whatsapp.net', conversationTimestamp: 1732170000 }])
    assert.equal(history.messages[0].timestamp, 1732170000)
    assert.equal(history.isLatest, true)
    assert.equal(history.progress, 100)
    assert.equal(history.syncType, 0)
    assert.equal(history.chunkOrder, null)
    assert.equal(history.peerDataRequestSessionId, null)
    assert.deepEqual(JSON.parse(JSON.stringify(history)), history)
  })
})
