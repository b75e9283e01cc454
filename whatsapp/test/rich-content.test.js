import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { generateWAMessage, proto } from 'baileys'
import pino from 'pino'
import { parseSendArgs, toBaileysContent } from '../src/content.js'
import { EngineError } from '../src/errors.js'
import { pollVotesOf } from '../src/poll-votes.js'
import { pollVoteContent } from '../src/sandbox/emulator-messaging.js'

/*
 * The rich `send` contents (media by path, location, contacts, reaction, poll, edit, revoke) and
 * poll votes: the emulator's contact encrypts a vote the way WhatsApp clients do, the engine
 * decrypts it with the stored poll. No socket.
 */

const logger = pino({ level: 'silent' })
const base = { messageId: '3EB0AABBCCDDEEFF001122', jid: '923001112233@s.whatsapp.net' }
const isBad = (/** @type {any} */ err) => err instanceof EngineError && err.code === 'bad_request'

describe('media sends read only files inside the media folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'media-'))
  const media = join(root, 'media')
  mkdirSync(join(media, 'ab', 'cd'), { recursive: true })
  const inside = join(media, 'ab', 'cd', 'abcd')
  writeFileSync(inside, 'x')
  const outside = join(root, 'secret.txt')
  writeFileSync(outside, 'y')
  const link = join(media, 'ab', 'link')
  symlinkSync(outside, link)

  test('a file in the media folder is sent from its path', () => {
    const req = parseSendArgs({ ...base, content: { type: 'document', path: inside, mimeType: 'application/pdf', fileName: 'a.pdf', caption: 'c' } }, media)
    assert.equal(req.content.type, 'document')
    assert.deepEqual(toBaileysContent(req.content), { document: { url: inside }, mimetype: 'application/pdf', fileName: 'a.pdf', caption: 'c' })
    const voice = parseSendArgs({ ...base, content: { type: 'voice', path: inside, mimeType: 'audio/ogg; codecs=opus' } }, media)
    assert.deepEqual(toBaileysContent(voice.content), { audio: { url: inside }, mimetype: 'audio/ogg; codecs=opus', ptt: true })
  })

  test('paths outside it, through a symlink, relative, missing, or without a media folder are refused', () => {
    const cases = [[outside, media], [link, media], ['ab/cd/abcd', media], [join(media, 'nope'), media], [join(media, '..', 'secret.txt'), media], [inside, null]]
    for (const [path, dir] of cases) {
      assert.throws(() => parseSendArgs({ ...base, content: { type: 'image', path, mimeType: 'image/png' } }, dir), isBad, String(path))
    }
  })
})

describe('structured contents', () => {
  const key = { id: '3EB0000000000000000001', remoteJid: base.jid, fromMe: true }

  test('each becomes the Baileys content WhatsApp expects', async () => {
    const build = async (/** @type {any} */ content) => (await generateWAMessage(base.jid, toBaileysContent(parseSendArgs({ ...base, content }).content), {
      userJid: '923009990044:1@s.whatsapp.net', messageId: base.messageId, upload: /** @type {any} */ (null), logger: /** @type {any} */ (logger)
    })).message
    const loc = await build({ type: 'location', latitude: 24.86, longitude: 67.0, name: 'Office' })
    assert.equal(loc?.locationMessage?.degreesLatitude, 24.86)
    assert.equal(loc?.locationMessage?.name, 'Office')
    const card = await build({ type: 'contacts', displayName: 'Ali, Khan', vcards: ['BEGIN:VCARD\nVERSION:3.0\nFN:Ali\\, Khan\nEND:VCARD'] })
    assert.equal(card?.contactMessage?.displayName, 'Ali, Khan')
    const react = await build({ type: 'reaction', key, emoji: '👍' })
    assert.equal(react?.reactionMessage?.text, '👍')
    assert.equal(react?.reactionMessage?.key?.id, key.id)
    const poll = await build({ type: 'poll', name: 'When?', options: ['Morning', 'Evening'], selectableCount: 1 })
    assert.deepEqual(poll?.pollCreationMessageV3?.options?.map((o) => o.optionName), ['Morning', 'Evening'])
    assert.equal(poll?.messageContextInfo?.messageSecret?.length, 32)
    const edit = await build({ type: 'edit', key, text: 'new' })
    assert.equal(edit?.protocolMessage?.type, proto.Message.ProtocolMessage.Type.MESSAGE_EDIT)
    const revoke = await build({ type: 'revoke', key })
    assert.equal(revoke?.protocolMessage?.type, proto.Message.ProtocolMessage.Type.REVOKE)
    const mention = await build({ type: 'text', text: 'hi @92300', mentions: ['923001234567@s.whatsapp.net'] })
    assert.deepEqual(mention?.extendedTextMessage?.contextInfo?.mentionedJid, ['923001234567@s.whatsapp.net'])
  })

  test('bad structured contents → bad_request', () => {
    const bad = [
      { type: 'location', latitude: 91, longitude: 0 }, { type: 'location', latitude: 0 },
      { type: 'contacts', displayName: 'x', vcards: [] }, { type: 'contacts', displayName: 'x', vcards: ['not a card'] },
      { type: 'reaction', key, emoji: 5 }, { type: 'reaction', key: { id: 'x' }, emoji: '👍' },
      { type: 'poll', name: 'q', options: ['one'], selectableCount: 1 }, { type: 'poll', name: 'q', options: ['a', 'b'], selectableCount: 3 },
      { type: 'edit', key, text: '' }, { type: 'revoke' }, { type: 'text', text: 'x', mentions: ['120363@g.us'] }
    ]
    for (const content of bad) assert.throws(() => parseSendArgs({ ...base, content }), isBad, JSON.stringify(content))
  })
})

describe('poll votes', () => {
  const account = '923009990044'
  const voter = '923001112244'
  const secret = Buffer.alloc(32, 7)
  const poll = proto.Message.fromObject({
    pollCreationMessageV3: { name: 'When?', options: [{ optionName: 'Morning' }, { optionName: 'Evening' }], selectableOptionsCount: 1 },
    messageContextInfo: { messageSecret: secret }
  })
  const voteMessage = (/** @type {string[]} */ options) => ({
    key: { id: '3A00000000000000000V', remoteJid: `${voter}@s.whatsapp.net`, fromMe: false },
    message: pollVoteContent({ poll, pollId: 'POLL0000000001', creatorJid: `${account}@s.whatsapp.net`, voterJid: `${voter}@s.whatsapp.net`, options })
  })
  const ctx = { me: { id: `${account}:1@s.whatsapp.net` }, getMessage: async () => poll }

  test('a contact\'s vote is decrypted with the stored poll into option names', async () => {
    const out = await pollVotesOf([voteMessage(['Evening'])], ctx)
    assert.deepEqual(out?.votes.map((v) => [v.pollMessageId, v.voterPhone, v.selectedOptions, v.error]), [['POLL0000000001', voter, ['Evening'], null]])
    // a LID-addressed chat: the phone is the key's alternative JID, either way round
    const lid = { ...voteMessage(['Morning']), key: { id: '3A00000000000000000W', remoteJid: '147902861022234@lid', remoteJidAlt: `${voter}@s.whatsapp.net`, fromMe: false } }
    const pnFirst = { ...voteMessage(['Morning']), key: { id: '3A00000000000000000X', remoteJid: `${voter}@s.whatsapp.net`, remoteJidAlt: '147902861022234@lid', fromMe: false } }
    const both = await pollVotesOf([lid, pnFirst], ctx)
    assert.deepEqual(both?.votes.map((v) => [v.voterPhone, v.selectedOptions]), [[voter, ['Morning']], [voter, ['Morning']]])
    const withdrawn = await pollVotesOf([voteMessage([])], ctx)
    assert.deepEqual(withdrawn?.votes[0].selectedOptions, [])
  })

  test('no vote → null at once; unknown poll or wrong key → reported, not thrown', async () => {
    assert.equal(pollVotesOf([{ key: { id: 'X' }, message: { conversation: 'hi' } }], ctx), null)
    const unknown = await pollVotesOf([voteMessage(['Morning'])], { ...ctx, getMessage: async () => undefined })
    assert.equal(unknown?.votes[0].selectedOptions, null)
    assert.match(String(unknown?.votes[0].error), /not one this gateway sent/)
    const other = proto.Message.fromObject({ ...proto.Message.toObject(poll), messageContextInfo: { messageSecret: Buffer.alloc(32, 9) } })
    const wrong = await pollVotesOf([voteMessage(['Morning'])], { ...ctx, getMessage: async () => other })
    assert.equal(wrong?.votes[0].selectedOptions, null)
    assert.throws(() => pollVoteContent({ poll, pollId: 'P', creatorJid: 'a@s.whatsapp.net', voterJid: 'b@s.whatsapp.net', options: ['Noon'] }), isBad)
  })
})
