import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { WAMessageStubType, cleanMessage, proto } from 'baileys'
import { mapMessagesUpsert } from '../src/mapper.js'
import { lidsToResolve, parseMessage } from '../src/messages.js'

/*
 * `parsed.details`: what a real WhatsApp message carries beyond its text, kept as structured
 * fields (README "Message details"). Fixtures are shaped as Baileys 7 rc14 builds them
 * (decode-wa-message.js, messages-recv.js, process-message.js) and go through WebMessageInfo
 * encode/decode, so a field the proto does not know would be lost and the test fail.
 */

const PEER = '923001112233@s.whatsapp.net'
const PEER_LID = '204812345678901@lid'
const GROUP = '120363000000000001@g.us'
const ME = { id: '923001234567:1@s.whatsapp.net', lid: '111111111111111:1@lid' }

/**
 * A decoded WAMessage from PEER (1:1) unless `key` says otherwise; Baileys' non-proto key fields
 * (the PN/LID alternatives, isViewOnce) are added after decoding, as Baileys adds them.
 * @param {object|null} message @param {Record<string, any>} [key] @param {object} [extra]
 */
function wa (message, key = {}, extra = {}) {
  const { remoteJidAlt, participantAlt, isViewOnce, ...protoKey } = key
  const info = proto.WebMessageInfo.fromObject({
    key: { remoteJid: PEER, fromMe: false, id: '3A0000000000000000AA', ...protoKey },
    messageTimestamp: 1732170000,
    ...(message ? { message } : {}),
    ...extra
  })
  const decoded = /** @type {any} */ (proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(info).finish()))
  if (remoteJidAlt) decoded.key.remoteJidAlt = remoteJidAlt
  if (participantAlt) decoded.key.participantAlt = participantAlt
  if (isViewOnce) decoded.key.isViewOnce = true
  return decoded
}

/** @param {object|null} message @param {object} [key] @param {object} [extra] */
const parse = (message, key, extra) => parseMessage(wa(message, key, extra), { me: ME })

describe('undecryptable: the reason Baileys gives', () => {
  for (const reason of ['No session record', 'Bad MAC', 'Message absent from node']) {
    test(reason, () => {
      const p = parse(null, {}, { messageStubType: WAMessageStubType.CIPHERTEXT, messageStubParameters: [reason] })
      assert.equal(p.type, 'undecryptable')
      assert.deepEqual(p.details, { reason })
    })
  }
  test('no parameter → details null (nothing invented)', () => {
    assert.equal(parse(null, {}, { messageStubType: WAMessageStubType.CIPHERTEXT }).details, null)
  })
})

describe('group notifications: who, and what happened', () => {
  // messages-recv.js handleGroupNotification: one JSON string per participant
  const stub = (/** @type {number} */ type, /** @type {object[]} */ participants, actor = PEER_LID) =>
    parse(null, { remoteJid: GROUP, participant: actor, participantAlt: PEER }, {
      messageStubType: type,
      messageStubParameters: participants.map((p) => JSON.stringify(p)),
      participant: actor
    })

  test('add: two participants, a LID with its phone and a PN', () => {
    const p = stub(WAMessageStubType.GROUP_PARTICIPANT_ADD, [
      { id: '204899999999999@lid', phoneNumber: '923004445566@s.whatsapp.net', admin: null },
      { id: '923007778899@s.whatsapp.net', lid: '204877777777777@lid', admin: null }
    ])
    assert.equal(p.type, 'groupNotification')
    assert.deepEqual(p.details, {
      action: 'add',
      participants: [
        { jid: '204899999999999@lid', phone: '923004445566' },
        { jid: '923007778899@s.whatsapp.net', phone: '923007778899', lid: '204877777777777@lid' }
      ]
    })
    assert.equal(p.text, '[923004445566, 923007778899 added]')
    assert.equal(p.senderJid, PEER_LID)
    assert.equal(p.senderPhone, '923001112233', 'the actor resolved through participantAlt')
    assert.equal(p.isGroup, true)
  })

  const actions = /** @type {Array<[number, string, string]>} */ ([
    [WAMessageStubType.GROUP_PARTICIPANT_REMOVE, 'remove', 'removed'],
    [WAMessageStubType.GROUP_PARTICIPANT_LEAVE, 'leave', 'left'],
    [WAMessageStubType.GROUP_PARTICIPANT_PROMOTE, 'promote', 'made admin'],
    [WAMessageStubType.GROUP_PARTICIPANT_DEMOTE, 'demote', 'no longer admin']
  ])
  for (const [type, action, verb] of actions) {
    test(`${action}`, () => {
      const p = stub(type, [{ id: '923004445566@s.whatsapp.net', admin: action === 'promote' ? 'admin' : null }])
      assert.equal(p.details?.action, action)
      assert.deepEqual(p.details?.participants, [{ jid: '923004445566@s.whatsapp.net', phone: '923004445566', ...(action === 'promote' ? { admin: 'admin' } : {}) }])
      assert.equal(p.text, `[923004445566 ${verb}]`)
    })
  }

  test('change number: the parameters are plain JIDs', () => {
    const p = parse(null, { remoteJid: GROUP, participant: PEER }, {
      messageStubType: WAMessageStubType.GROUP_PARTICIPANT_CHANGE_NUMBER, messageStubParameters: ['923009998877@s.whatsapp.net']
    })
    assert.deepEqual(p.details, { action: 'change_number', participants: [{ jid: '923009998877@s.whatsapp.net', phone: '923009998877' }] })
  })

  test('subject and description changes carry the new value', () => {
    const subject = parse(null, { remoteJid: GROUP, participant: PEER }, { messageStubType: WAMessageStubType.GROUP_CHANGE_SUBJECT, messageStubParameters: ['Orders'] })
    assert.deepEqual([subject.type, subject.text, subject.details], ['groupNotification', '[group subject: Orders]', { action: 'subject', subject: 'Orders' }])
    const desc = parse(null, { remoteJid: GROUP, participant: PEER }, { messageStubType: WAMessageStubType.GROUP_CHANGE_DESCRIPTION })
    assert.deepEqual(desc.details, { action: 'description' })
  })
})

describe('view-once', () => {
  const cases = /** @type {Array<[string, object, string]>} */ ([
    ['viewOnceMessage', { viewOnceMessage: { message: { imageMessage: { caption: 'once', mimetype: 'image/jpeg' } } } }, 'image'],
    ['viewOnceMessageV2', { viewOnceMessageV2: { message: { videoMessage: { mimetype: 'video/mp4' } } } }, 'video'],
    ['viewOnceMessageV2Extension', { viewOnceMessageV2Extension: { message: { audioMessage: { ptt: true } } } }, 'ptt'],
    ['ephemeral › viewOnceV2', { ephemeralMessage: { message: { viewOnceMessageV2: { message: { imageMessage: {} } } } } }, 'image'],
    ['media.viewOnce', { imageMessage: { viewOnce: true, mimetype: 'image/jpeg' } }, 'image']
  ])
  for (const [name, message, type] of cases) {
    test(name, () => {
      const p = parse(message)
      assert.equal(p.type, type)
      assert.equal(p.details?.view_once, true)
    })
  }
  test('not view-once → no flag', () => {
    assert.equal(parse({ imageMessage: { mimetype: 'image/jpeg' } }).details, null)
  })
  test('not delivered to a linked device (<unavailable type="view_once">): type viewOnce, kept', () => {
    const p = parse(null, { isViewOnce: true })
    assert.deepEqual([p.type, p.text, p.details], ['viewOnce', '[view once message]', { view_once: true }])
  })
})

describe('status/broadcast with a LID participant', () => {
  // decode-wa-message.js: for a broadcast chat the sender's alternative is in remoteJidAlt
  const status = wa({ imageMessage: { caption: 'my story', mimetype: 'image/jpeg' } },
    { remoteJid: 'status@broadcast', participant: PEER_LID, remoteJidAlt: PEER })

  test('the sender gets its phone; the chat gets none', () => {
    const m = mapMessagesUpsert({ type: 'notify', messages: [status] }, { ignoreStatusBroadcast: false, me: ME })
    const p = m?.messages[0].parsed
    assert.equal(p?.senderJid, PEER_LID)
    assert.equal(p?.senderPhone, '923001112233')
    assert.equal(p?.chatJid, 'status@broadcast')
    assert.equal(p?.chatPhone, null)
  })
  test('no LID lookup is asked for (the key has the phone), and the chat is never looked up', () => {
    assert.deepEqual(lidsToResolve([status]), [])
    const bare = wa({ conversation: 'x' }, { remoteJid: 'status@broadcast', participant: PEER_LID })
    assert.deepEqual(lidsToResolve([bare]), [PEER_LID])
  })
})

describe('locations and lists', () => {
  test('live location: caption (also the body), coordinates, accuracy, sequence', () => {
    const p = parse({ liveLocationMessage: { degreesLatitude: 24.8607, degreesLongitude: 67.0011, caption: 'On my way', accuracyInMeters: 12, speedInMps: 1.5, sequenceNumber: 3 } })
    assert.equal(p.type, 'liveLocation')
    assert.equal(p.text, 'On my way')
    assert.equal(p.caption, null, 'not a media caption (no media block in webhooks)')
    assert.deepEqual(p.details, { latitude: 24.8607, longitude: 67.0011, caption: 'On my way', accuracy_meters: 12, speed_mps: 1.5, sequence: 3 })
  })
  test('location: coordinates, name, address', () => {
    const p = parse({ locationMessage: { degreesLatitude: 24.86, degreesLongitude: 67, name: 'Shop', address: 'Main Rd' } })
    assert.deepEqual(p.details, { latitude: 24.86, longitude: 67, name: 'Shop', address: 'Main Rd' })
  })
  test('list message: title (the body), description, button text, sections and rows', () => {
    const p = parse({
      listMessage: {
        title: 'Our menu', description: 'Pick one', buttonText: 'View', footerText: 'Thanks', listType: 1,
        sections: [{ title: 'Pizza', rows: [{ title: 'Large', description: '12 inch', rowId: 'pz-l' }, { title: 'Small', rowId: 'pz-s' }] }]
      }
    })
    assert.equal(p.type, 'list')
    assert.equal(p.text, 'Our menu')
    assert.deepEqual(p.details, {
      title: 'Our menu',
      description: 'Pick one',
      button_text: 'View',
      footer: 'Thanks',
      sections: [{ title: 'Pizza', rows: [{ row_id: 'pz-l', title: 'Large', description: '12 inch' }, { row_id: 'pz-s', title: 'Small' }] }]
    })
  })
  test('group invite: the group, its code and expiry (epoch s), the caption as body', () => {
    const p = parse({ groupInviteMessage: { groupJid: GROUP, inviteCode: 'AbCdEf123', inviteExpiration: 1732770000, groupName: 'Customers', caption: 'Join us' } })
    assert.deepEqual([p.type, p.text], ['groupInvite', 'Join us'])
    assert.deepEqual(p.details, { group_jid: GROUP, group_name: 'Customers', invite_code: 'AbCdEf123', expires_at: 1732770000, caption: 'Join us' })
    assert.equal(parse({ groupInviteMessage: { groupJid: GROUP, groupName: 'Customers' } }).text, '[group invite Customers]')
  })
  test('list reply: the row id; button replies: the button id', () => {
    assert.deepEqual(parse({ listResponseMessage: { title: 'Large', listType: 1, singleSelectReply: { selectedRowId: 'pz-l' } } }).details, { row_id: 'pz-l', title: 'Large' })
    assert.deepEqual(parse({ buttonsResponseMessage: { selectedButtonId: 'yes', selectedDisplayText: 'Yes' } }).details, { button_id: 'yes' })
    assert.deepEqual(parse({ templateButtonReplyMessage: { selectedId: 't1', selectedDisplayText: 'Track', selectedIndex: 2 } }).details, { button_id: 't1', index: 2 })
  })
})

describe('reactions, polls, forwarded, unsupported', () => {
  test('a reaction to one of our messages: target from our point of view (after Baileys\' cleanMessage)', () => {
    // the contact reacts to our message: in the contact's key the target is not theirs (fromMe false)
    const msg = wa({ reactionMessage: { key: { remoteJid: '923001234567@s.whatsapp.net', fromMe: false, id: '3EB0AAAAAAAAAAAAAAAAAA' }, text: '👍', senderTimestampMs: 1732170000000 } })
    cleanMessage(msg, ME.id, ME.lid)
    const p = parseMessage(msg, { me: ME })
    assert.deepEqual(p.details, { emoji: '👍', removed: false, target: { id: '3EB0AAAAAAAAAAAAAAAAAA', from_me: true } })
  })
  test('a removed reaction; a reaction in a group names the target\'s author', () => {
    const p = parse({ reactionMessage: { key: { remoteJid: GROUP, fromMe: false, id: '3A00000000000000TT', participant: PEER }, text: '' } }, { remoteJid: GROUP, participant: PEER })
    assert.deepEqual(p.details, { removed: true, target: { id: '3A00000000000000TT', from_me: false, participant: PEER } })
  })
  test('a poll: name, options, selectable count (V1, V3)', () => {
    const v3 = parse({ pollCreationMessageV3: { name: 'Lunch?', options: [{ optionName: 'Yes' }, { optionName: 'No' }], selectableOptionsCount: 1 }, messageContextInfo: { messageSecret: Buffer.alloc(32, 1) } })
    assert.deepEqual(v3.details, { name: 'Lunch?', options: ['Yes', 'No'], selectable_count: 1 })
    const v1 = parse({ pollCreationMessage: { name: 'Days', options: [{ optionName: 'Mon' }, { optionName: 'Tue' }, { optionName: 'Wed' }] } })
    assert.deepEqual(v1.details, { name: 'Days', options: ['Mon', 'Tue', 'Wed'], selectable_count: 0 })
  })
  test('forwarded flag and score on any type', () => {
    const text = parse({ extendedTextMessage: { text: 'fwd', contextInfo: { isForwarded: true, forwardingScore: 5 } } })
    assert.deepEqual(text.details, { forwarded: true, forwarding_score: 5 })
    const img = parse({ imageMessage: { mimetype: 'image/jpeg', contextInfo: { isForwarded: true, forwardingScore: 1 } } })
    assert.deepEqual(img.details, { forwarded: true, forwarding_score: 1 })
    assert.equal(parse({ conversation: 'plain' }).details, null)
  })
  test('a key the gateway does not know → unsupported with the key name, flags kept', () => {
    const p = parse({ eventMessage: { name: 'Meetup', contextInfo: { isForwarded: true, forwardingScore: 2 } } })
    assert.deepEqual([p.type, p.text], ['unsupported', '[unsupported eventMessage]'])
    assert.deepEqual(p.details, { key: 'eventMessage', forwarded: true, forwarding_score: 2 })
    // a key newer than this Baileys' proto (a plain object, as a future decoder would hand it over)
    const future = parseMessage({ key: { remoteJid: PEER, id: 'X1', fromMe: false }, message: { fooBarMessage: { a: 1 } } }, { me: ME })
    assert.deepEqual([future.type, future.details], ['unsupported', { key: 'fooBarMessage' }])
  })
})
