import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { WAMessageStubType, proto } from 'baileys'
import { mapHistorySet, mapMessage, mapMessagesUpdate, mapMessagesUpsert, mapReceiptUpdates } from '../src/mapper.js'
import { lidsToResolve, parseMessage, statusName } from '../src/messages.js'

/*
 * `parsed` for every message shape Baileys 7 hands over. Fixtures go through
 * WebMessageInfo encode/decode, so they are protobuf instances with Longs and Buffers, like a
 * decrypted message — and a field the proto does not know would be lost (and the test fail).
 */

const PEER = '923001112233@s.whatsapp.net'
const ME = { id: '923001234567:1@s.whatsapp.net', lid: '111111111111111:1@lid' }

/**
 * A decoded WAMessage from PEER (1:1) unless `key` says otherwise.
 * @param {object|null} message @param {object} [key] @param {object} [extra]
 */
function wa (message, key = {}, extra = {}) {
  const info = proto.WebMessageInfo.fromObject({
    key: { remoteJid: PEER, fromMe: false, id: '3A0000000000000000AA', ...key },
    messageTimestamp: 1732170000,
    ...(message ? { message } : {}),
    ...extra
  })
  const decoded = /** @type {any} */ (proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(info).finish()))
  // Baileys 7 adds the PN/LID alternatives after decoding (they are not proto fields)
  if ('remoteJidAlt' in key) decoded.key.remoteJidAlt = key.remoteJidAlt
  if ('participantAlt' in key) decoded.key.participantAlt = key.participantAlt
  return decoded
}

/** @param {object|null} message @param {object} [key] @param {object} [extra] */
const parse = (message, key, extra) => parseMessage(wa(message, key, extra), { me: ME })

describe('text from every place Baileys puts it', () => {
  /** [name, message content, expected type, expected text] */
  const cases = /** @type {Array<[string, object, string, string]>} */ ([
    ['conversation', { conversation: 'hello' }, 'text', 'hello'],
    ['extendedTextMessage.text', { extendedTextMessage: { text: 'hello ext' } }, 'text', 'hello ext'],
    ['image caption', { imageMessage: { caption: 'img cap', mimetype: 'image/jpeg' } }, 'image', 'img cap'],
    ['video caption', { videoMessage: { caption: 'vid cap' } }, 'video', 'vid cap'],
    ['document caption', { documentMessage: { caption: 'doc cap', fileName: 'a.pdf' } }, 'document', 'doc cap'],
    ['ephemeralMessage', { ephemeralMessage: { message: { extendedTextMessage: { text: 'disappearing' } } } }, 'text', 'disappearing'],
    ['viewOnceMessage', { viewOnceMessage: { message: { imageMessage: { caption: 'once' } } } }, 'image', 'once'],
    ['viewOnceMessageV2', { viewOnceMessageV2: { message: { videoMessage: { caption: 'once v2' } } } }, 'video', 'once v2'],
    ['viewOnceMessageV2Extension', { viewOnceMessageV2Extension: { message: { audioMessage: { ptt: true } } } }, 'ptt', '[voice message]'],
    ['documentWithCaptionMessage', { documentWithCaptionMessage: { message: { documentMessage: { caption: 'wrapped doc', fileName: 'b.pdf' } } } }, 'document', 'wrapped doc'],
    ['ephemeral › viewOnceV2 › image (nested wrappers)', { ephemeralMessage: { message: { viewOnceMessageV2: { message: { imageMessage: { caption: 'deep' } } } } } }, 'image', 'deep'],
    ['buttonsResponseMessage.selectedDisplayText', { buttonsResponseMessage: { selectedButtonId: 'b1', selectedDisplayText: 'Yes please' } }, 'buttonsResponse', 'Yes please'],
    ['listResponseMessage.title', { listResponseMessage: { title: 'Large pizza', singleSelectReply: { selectedRowId: 'row-7' } } }, 'listResponse', 'Large pizza'],
    ['listResponseMessage.singleSelectReply', { listResponseMessage: { singleSelectReply: { selectedRowId: 'row-7' } } }, 'listResponse', 'row-7'],
    ['templateButtonReplyMessage.selectedDisplayText', { templateButtonReplyMessage: { selectedId: 't1', selectedDisplayText: 'Track order' } }, 'templateButtonReply', 'Track order'],
    ['interactiveResponseMessage body', { interactiveResponseMessage: { body: { text: 'Confirmed' }, nativeFlowResponseMessage: { name: 'x', paramsJson: '{}', version: 3 } } }, 'interactiveResponse', 'Confirmed'],
    ['buttonsMessage (business) via extractMessageContent', { buttonsMessage: { contentText: 'Choose one', footerText: 'f' } }, 'text', 'Choose one']
  ])
  for (const [name, message, type, text] of cases) {
    test(name, () => {
      const p = parse(message)
      assert.equal(p.type, type)
      assert.equal(p.text, text)
      assert.equal(p.protocol, null)
      assert.equal(p.undecryptable, false)
    })
  }

  test('media fields: caption, mimeType, fileLength (Long → number), fileName', () => {
    const img = parse({ imageMessage: { caption: 'c', mimetype: 'image/jpeg', fileLength: 48213 } })
    assert.deepEqual([img.caption, img.mimeType, img.fileLength, img.fileName], ['c', 'image/jpeg', 48213, null])
    const doc = parse({ documentWithCaptionMessage: { message: { documentMessage: { caption: 'd', mimetype: 'application/pdf', fileLength: 1024, fileName: 'x.pdf' } } } })
    assert.deepEqual([doc.caption, doc.mimeType, doc.fileLength, doc.fileName], ['d', 'application/pdf', 1024, 'x.pdf'])
    const text = parse({ conversation: 'hi' })
    assert.deepEqual([text.caption, text.mimeType, text.fileLength, text.fileName], [null, null, null, null])
  })
})

describe('other types get their type and a readable placeholder', () => {
  const target = { remoteJid: PEER, fromMe: true, id: '3EB0AAAAAAAAAAAAAAAAAA' }
  const cases = /** @type {Array<[object, string, string]>} */ ([
    [{ imageMessage: { mimetype: 'image/jpeg' } }, 'image', '[image]'],
    [{ videoMessage: {} }, 'video', '[video]'],
    [{ audioMessage: { seconds: 3 } }, 'audio', '[audio]'],
    [{ audioMessage: { ptt: true } }, 'ptt', '[voice message]'],
    [{ stickerMessage: { mimetype: 'image/webp' } }, 'sticker', '[sticker]'],
    [{ documentMessage: { fileName: 'report.pdf' } }, 'document', '[document report.pdf]'],
    [{ locationMessage: { degreesLatitude: 24.8607, degreesLongitude: 67.0011 } }, 'location', '[location 24.86,67.00]'],
    [{ liveLocationMessage: { degreesLatitude: -33.8688, degreesLongitude: 151.2093 } }, 'liveLocation', '[live location -33.87,151.21]'],
    [{ contactMessage: { displayName: 'Sara', vcard: 'BEGIN:VCARD\nEND:VCARD' } }, 'contact', '[contact Sara]'],
    [{ contactsArrayMessage: { displayName: '2 contacts', contacts: [{ displayName: 'A' }, { displayName: 'B' }] } }, 'contactsArray', '[contacts 2]'],
    [{ reactionMessage: { key: target, text: '👍' } }, 'reaction', '[reaction 👍 to 3EB0AAAAAAAAAAAAAAAAAA]'],
    [{ reactionMessage: { key: target, text: '' } }, 'reaction', '[reaction removed from 3EB0AAAAAAAAAAAAAAAAAA]'],
    [{ pollCreationMessageV3: { name: 'Lunch?', options: [{ optionName: 'Yes' }] } }, 'pollCreation', '[poll Lunch?]'],
    [{ pollCreationMessage: { name: 'Old poll' } }, 'pollCreation', '[poll Old poll]'],
    [{ pollUpdateMessage: { pollCreationMessageKey: target, vote: { encPayload: Buffer.from([1]), encIv: Buffer.from([2]) } } }, 'pollUpdate', '[poll vote]'],
    [{ eventMessage: { name: 'Meetup' } }, 'unsupported', '[unsupported eventMessage]'],
    [{ listMessage: { title: 'Menu', buttonText: 'Open' } }, 'list', 'Menu']
  ])
  for (const [message, type, text] of cases) {
    test(`${type}: ${text}`, () => {
      const p = parse(message)
      assert.equal(p.type, type)
      assert.equal(p.text, text)
    })
  }
})

describe('protocol messages, undecryptable, stubs', () => {
  const targetKey = { remoteJid: PEER, fromMe: true, id: '3A0000000000000000T1' }

  test('REVOKE → protocol.kind revoke with the target id, no text', () => {
    const p = parse({ protocolMessage: { key: targetKey, type: proto.Message.ProtocolMessage.Type.REVOKE } })
    assert.equal(p.type, 'protocol')
    assert.equal(p.text, null)
    assert.deepEqual(p.protocol, { kind: 'revoke', targetId: '3A0000000000000000T1', text: null, name: 'REVOKE' })
  })

  test('MESSAGE_EDIT (as WhatsApp sends it, in an editedMessage wrapper) → kind edit with the new text', () => {
    const p = parse({
      editedMessage: {
        message: { protocolMessage: { key: targetKey, type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, editedMessage: { conversation: 'fixed typo' }, timestampMs: 1732170001000 } }
      }
    })
    assert.deepEqual(p.protocol, { kind: 'edit', targetId: '3A0000000000000000T1', text: 'fixed typo', name: 'MESSAGE_EDIT' })
    assert.equal(p.type, 'protocol')
  })

  test('MESSAGE_EDIT of a caption / extended text', () => {
    const ext = parse({ protocolMessage: { key: targetKey, type: 14, editedMessage: { extendedTextMessage: { text: 'new ext' } } } })
    assert.equal(ext.protocol?.text, 'new ext')
    const cap = parse({ protocolMessage: { key: targetKey, type: 14, editedMessage: { imageMessage: { caption: 'new caption' } } } })
    assert.equal(cap.protocol?.text, 'new caption')
  })

  test('other protocol messages (housekeeping) → kind other with the type name', () => {
    const p = parse({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.EPHEMERAL_SETTING, ephemeralExpiration: 86400 } })
    assert.deepEqual(p.protocol, { kind: 'other', targetId: null, text: null, name: 'EPHEMERAL_SETTING' })
  })

  test('CIPHERTEXT stub → undecryptable, surfaced with a placeholder', () => {
    const p = parse(null, {}, { messageStubType: WAMessageStubType.CIPHERTEXT, messageStubParameters: ['No session record'] })
    assert.equal(p.type, 'undecryptable')
    assert.equal(p.undecryptable, true)
    assert.equal(p.text, '[message could not be decrypted]')
    assert.equal(p.senderPhone, '923001112233')
    const mapped = mapMessage(wa(null, {}, { messageStubType: WAMessageStubType.CIPHERTEXT }))
    assert.equal(mapped.messageStubType, 2)
    assert.equal(mapped.message, null)
  })

  test('a stub without content → type stub (group notifications: details.test.js); no content at all → empty', () => {
    assert.equal(parse(null, { remoteJid: '120363000000000001@g.us', participant: PEER }, { messageStubType: WAMessageStubType.CALL_MISSED_VOICE }).type, 'stub')
    const empty = parse({ senderKeyDistributionMessage: { groupId: 'g', axolotlSenderKeyDistributionMessage: Buffer.from([1]) } })
    assert.equal(empty.type, 'empty')
    assert.equal(empty.text, null)
  })
})

describe('quoted replies', () => {
  test('extendedTextMessage.contextInfo → quoted {id, participant}', () => {
    const p = parse({ extendedTextMessage: { text: 'yes!', contextInfo: { stanzaId: '3EB0QUOTED0000000000AA', participant: '923001234567@s.whatsapp.net', quotedMessage: { conversation: 'ok?' } } } })
    assert.deepEqual(p.quoted, { id: '3EB0QUOTED0000000000AA', participant: '923001234567@s.whatsapp.net' })
  })
  test('a captioned image reply, inside an ephemeral wrapper', () => {
    const p = parse({ ephemeralMessage: { message: { imageMessage: { caption: 'see', contextInfo: { stanzaId: 'Q1Q1Q1Q1', participant: PEER } } } } })
    assert.deepEqual(p.quoted, { id: 'Q1Q1Q1Q1', participant: PEER })
  })
  test('no contextInfo → null', () => {
    assert.equal(parse({ conversation: 'x' }).quoted, null)
  })
})

describe('sender and chat', () => {
  test('1:1 PN chat', () => {
    const p = parse({ conversation: 'x' })
    assert.deepEqual([p.senderJid, p.senderPhone, p.chatJid, p.chatPhone, p.isGroup, p.fromMe], [PEER, '923001112233', PEER, '923001112233', false, false])
  })

  test('@lid sender resolved via key.remoteJidAlt (Baileys 7)', () => {
    const p = parse({ conversation: 'x' }, { remoteJid: '222222222222222@lid', remoteJidAlt: PEER })
    assert.equal(p.senderJid, '222222222222222@lid')
    assert.equal(p.senderPhone, '923001112233')
    assert.equal(p.chatPhone, '923001112233')
  })

  test('group: @lid participant resolved via key.participantAlt', () => {
    const p = parse({ conversation: 'x' }, { remoteJid: '120363000000000001@g.us', participant: '333333333333333@lid', participantAlt: '923009998877@s.whatsapp.net' })
    assert.deepEqual([p.senderJid, p.senderPhone, p.chatJid, p.chatPhone, p.isGroup], ['333333333333333@lid', '923009998877', '120363000000000001@g.us', null, true])
  })

  test('@lid without alternative: the LID mapping store answer is used, else phone null but jid kept', () => {
    const msg = wa({ conversation: 'x' }, { remoteJid: '444444444444444@lid' })
    assert.deepEqual(lidsToResolve([msg]), ['444444444444444@lid'])
    const resolved = parseMessage(msg, { me: ME, lidToPn: new Map([['444444444444444@lid', '923007776655:0@s.whatsapp.net']]) })
    assert.equal(resolved.senderPhone, '923007776655')
    const unknown = parseMessage(msg, { me: ME })
    assert.equal(unknown.senderJid, '444444444444444@lid')
    assert.equal(unknown.senderPhone, null)
    assert.deepEqual(lidsToResolve([wa({ conversation: 'x' }, { remoteJid: '444444444444444@lid', remoteJidAlt: PEER })]), [], 'nothing to look up when the alt is there')
  })

  // The exact key a received 1:1 message has in Baileys 7.0.0-rc14: decodeMessageNode sets
  // participant from the stanza (absent → undefined) and remoteJidAlt from sender_lid / sender_pn,
  // then cleanMessage runs jidNormalizedUser(undefined), which is '' — so participant is ''.
  const rc14 = (/** @type {object} */ key) => ({
    key: { fromMe: false, id: '3A0000000000000000AB', participant: '', participantAlt: undefined, remoteJidUsername: undefined, participantUsername: undefined, ...key },
    category: undefined,
    messageTimestamp: 1732170000,
    pushName: 'Saira',
    broadcast: false,
    message: { conversation: 'x' }
  })

  test('Baileys rc14 PN-addressed 1:1 (participant "", LID in remoteJidAlt): sender is the chat\'s phone', () => {
    const msg = rc14({ remoteJid: PEER, remoteJidAlt: '222222222222222@lid', addressingMode: 'pn' })
    const p = parseMessage(msg, { me: ME })
    assert.deepEqual([p.senderJid, p.senderPhone, p.chatJid, p.chatPhone], [PEER, '923001112233', PEER, '923001112233'])
    assert.deepEqual(lidsToResolve([msg]), [])
    assert.equal(mapMessage(msg, { me: ME }).key.participant, null, "'' is no participant on the wire either")
  })

  test('Baileys rc14 LID-addressed 1:1 (participant "", phone in remoteJidAlt): sender is the LID with its phone', () => {
    const msg = rc14({ remoteJid: '222222222222222@lid', remoteJidAlt: PEER, addressingMode: 'lid' })
    const p = parseMessage(msg, { me: ME })
    assert.deepEqual([p.senderJid, p.senderPhone, p.chatJid, p.chatPhone], ['222222222222222@lid', '923001112233', '222222222222222@lid', '923001112233'])
    assert.deepEqual(lidsToResolve([msg]), [])
    const noAlt = rc14({ remoteJid: '222222222222222@lid', remoteJidAlt: undefined, addressingMode: 'lid' })
    assert.deepEqual(lidsToResolve([noAlt]), ['222222222222222@lid'], 'without the alt the LID is looked up, not ""')
  })

  test('fromMe: the sender is our own account; our alt is not mistaken for the chat phone', () => {
    const p = parse({ conversation: 'x' }, { fromMe: true, remoteJid: '555555555555555@lid', remoteJidAlt: '923001234567@s.whatsapp.net' })
    assert.deepEqual([p.senderJid, p.senderPhone, p.fromMe], ['923001234567@s.whatsapp.net', '923001234567', true])
    assert.equal(p.chatPhone, null)
  })
})

describe('status names, status@broadcast, updates', () => {
  test('WAMessageStatus numbers → names', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(statusName), ['failed', 'pending', 'sent', 'delivered', 'read', 'played'])
    assert.equal(statusName(null), null)
    assert.equal(statusName(undefined), null)
    assert.equal(statusName(9), null)
    assert.equal(statusName(proto.WebMessageInfo.fromObject({ status: 4 }).status), 'read')
  })

  test('status@broadcast messages are dropped unless ignoreStatusBroadcast is false', () => {
    const status = wa({ imageMessage: { caption: 'my story' } }, { remoteJid: 'status@broadcast', participant: PEER })
    const normal = wa({ conversation: 'hi' })
    assert.equal(mapMessagesUpsert({ type: 'notify', messages: [status] }), null, 'nothing left → no event')
    assert.deepEqual(mapMessagesUpsert({ type: 'notify', messages: [status, normal] })?.messages.map((m) => m.key.id), [normal.key.id])
    assert.equal(mapMessagesUpsert({ type: 'notify', messages: [status] }, { ignoreStatusBroadcast: false })?.messages.length, 1)
    const history = mapHistorySet({ chats: [{ id: 'status@broadcast' }, { id: PEER }], messages: [status, normal] })
    assert.deepEqual(history.chats, [{ id: PEER }])
    assert.equal(history.messages.length, 1)
    assert.equal(mapMessagesUpdate([{ key: { remoteJid: 'status@broadcast', id: 'S', fromMe: true }, update: { status: 3 } }]), null)
  })

  test('messages.update: edit, revoke and failed carry their details', () => {
    const key = { remoteJid: PEER, id: 'E1', fromMe: false }
    const data = mapMessagesUpdate([
      { key, update: { message: { editedMessage: { message: { conversation: 'v2' } } }, messageTimestamp: 7 } },
      { key, update: { message: null, messageStubType: WAMessageStubType.REVOKE, key } },
      { key: { ...key, fromMe: true }, update: { status: 0, messageStubParameters: ['463'] } },
      { key: { ...key, fromMe: true }, update: { status: 5, messageTimestamp: 8 } }
    ])
    assert.deepEqual(data?.updates[0].edit, { text: 'v2', message: { conversation: 'v2' } })
    assert.equal(data?.updates[0].status, null)
    assert.equal(data?.updates[0].timestamp, 7)
    assert.equal(data?.updates[1].revoked, true)
    assert.equal(data?.updates[2].status, 'failed')
    assert.equal(data?.updates[2].error, '463')
    assert.equal(data?.updates[3].status, 'played')
  })

  test('message-receipt.update (groups): played > read > delivered', () => {
    const key = { remoteJid: '120363000000000001@g.us', id: 'G1', fromMe: true }
    const data = mapReceiptUpdates([
      { key, receipt: { userJid: PEER, receiptTimestamp: 1 } },
      { key, receipt: { userJid: PEER, receiptTimestamp: 1, readTimestamp: 2 } },
      { key, receipt: { userJid: PEER, playedTimestamp: 3 } },
      { key, receipt: { userJid: PEER } }
    ])
    assert.deepEqual(data?.updates.map((u) => [u.status, u.timestamp, u.userJid]), [
      ['delivered', 1, PEER], ['read', 2, PEER], ['played', 3, PEER], [null, null, PEER]
    ])
  })
})
