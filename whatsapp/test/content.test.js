import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { generateWAMessage, proto } from 'baileys'
import pino from 'pino'
import { mapSendResult, parseSendArgs, toBaileysContent } from '../src/content.js'
import { EngineError } from '../src/errors.js'
import { jsonSafe } from '../src/values.js'
import { createRequests } from '../src/requests.js'

/*
 * `send` arguments → Baileys, and the getMessage request broker, without a socket.
 */

const logger = pino({ level: 'silent' })
const base = { messageId: '3EB0AABBCCDDEEFF001122', jid: '923001112233@s.whatsapp.net', content: { type: 'text', text: 'hi' } }

describe('send arguments', () => {
  test('valid text and image sends', () => {
    assert.deepEqual(parseSendArgs(base), { ...base, quoted: undefined })
    const img = parseSendArgs({ ...base, jid: '120363025555555555@g.us', content: { type: 'image', base64: 'AAEC', mimeType: 'image/png', caption: 'c' } })
    assert.deepEqual(img.content, { type: 'image', base64: 'AAEC', mimeType: 'image/png', caption: 'c' })
    assert.equal(parseSendArgs({ ...base, jid: '123456789012345@lid' }).jid, '123456789012345@lid')
  })

  test('bad arguments → bad_request', () => {
    const bad = [
      { ...base, messageId: undefined }, { ...base, messageId: 'short' }, { ...base, messageId: '3EB0-not/ok!!' },
      { ...base, jid: '923001112233' }, { ...base, jid: 'status@broadcast' }, { ...base, jid: '923001112233:3@s.whatsapp.net' }, { ...base, jid: 'abc@s.whatsapp.net' },
      { ...base, content: null }, { ...base, content: { type: 'text', text: '' } }, { ...base, content: { type: 'video' } },
      { ...base, content: { type: 'image', base64: 'not base64!', mimeType: 'image/jpeg' } },
      { ...base, content: { type: 'image', base64: 'AAEC', mimeType: 'text/plain' } },
      { ...base, content: { type: 'image', base64: 'AAEC', mimeType: 'image/jpeg', caption: 5 } },
      { ...base, quoted: 'x' }, { ...base, quoted: { key: { id: 'A' } } },
      { ...base, quoted: { key: { id: 'A', remoteJid: 'x@s.whatsapp.net', fromMe: 'yes' } } },
      { ...base, quoted: { key: { id: 'A', remoteJid: 'x@s.whatsapp.net' }, message: { imageMessage: 'not an object' } } }
    ]
    for (const args of bad) {
      assert.throws(() => parseSendArgs(args), (err) => err instanceof EngineError && err.code === 'bad_request', JSON.stringify(args))
    }
  })

  test('quoted: stored JSON content (base64 bytes, numeric Longs) → a WAMessage Baileys can quote', async () => {
    const stored = { imageMessage: { caption: 'pic', mediaKey: 'AAECAw==', fileLength: 12345, mimetype: 'image/jpeg' } }
    const { quoted } = parseSendArgs({ ...base, quoted: { key: { id: 'Q1', remoteJid: base.jid, fromMe: false, participant: null }, message: stored } })
    assert.ok(quoted.message instanceof proto.Message)
    assert.deepEqual([...quoted.message.imageMessage.mediaKey], [0, 1, 2, 3])
    // what Baileys builds from it: contextInfo with stanzaId, participant and the quoted content
    const msg = await generateWAMessage(base.jid, toBaileysContent({ type: 'text', text: 'reply' }), {
      userJid: '923001234567:1@s.whatsapp.net', quoted, messageId: base.messageId, upload: /** @type {any} */ (null), logger: /** @type {any} */ (logger)
    })
    const ctx = /** @type {any} */ (msg.message?.extendedTextMessage?.contextInfo)
    assert.equal(ctx.stanzaId, 'Q1')
    assert.equal(ctx.participant, base.jid)
    assert.equal(ctx.quotedMessage.imageMessage.caption, 'pic')
    assert.equal(msg.key.id, base.messageId, 'the messageId option becomes the WhatsApp id')
    assert.deepEqual(jsonSafe(msg.message?.extendedTextMessage?.contextInfo?.quotedMessage).imageMessage, stored.imageMessage, 'round trip keeps the stored shape')
  })

  test('text is sent without a link preview fetch; the result carries the content as sent', () => {
    assert.deepEqual(toBaileysContent({ type: 'text', text: 'see https://example.com' }), { text: 'see https://example.com', linkPreview: null })
    const sent = proto.WebMessageInfo.fromObject({ key: { id: 'X1', remoteJid: base.jid, fromMe: true }, messageTimestamp: 1732170000, message: { extendedTextMessage: { text: 'hi' } } })
    assert.deepEqual(mapSendResult(sent), { providerMessageId: 'X1', remoteJid: base.jid, timestamp: 1732170000, message: { extendedTextMessage: { text: 'hi' } } })
  })
})

describe('engine → Java requests', () => {
  test('getMessage: request frame, respond resolves with a proto.Message', async () => {
    /** @type {any[]} */
    const frames = []
    const requests = createRequests({ sendRequest: (...f) => frames.push(f), logger })
    const pending = requests.getMessageFor('c1')({ remoteJid: base.jid, id: 'M1', fromMe: true })
    assert.deepEqual(frames, [['r1', 'getMessage', 'c1', { key: { id: 'M1', remoteJid: base.jid, fromMe: true, participant: null, remoteJidAlt: null, participantAlt: null } }]])
    assert.equal(requests.answer('r1', { message: { imageMessage: { mediaKey: 'AAEC', caption: 'x' } } }), true)
    const message = await pending
    assert.ok(message instanceof proto.Message)
    assert.deepEqual([...message.imageMessage.mediaKey], [0, 1, 2])
    assert.equal(requests.answer('r1', {}), false, 'a second answer is ignored')
  })

  test('null, invalid content and timeouts all give undefined (Baileys: cannot resend)', async () => {
    const requests = createRequests({ sendRequest: () => {}, logger, timeoutMs: 50 })
    const get = requests.getMessageFor('c1')
    const a = get({ id: 'A' })
    requests.answer('r1', { message: null })
    assert.equal(await a, undefined)
    const b = get({ id: 'B' })
    requests.answer('r2', { message: { imageMessage: 'not an object' } })
    assert.equal(await b, undefined)
    const started = Date.now()
    assert.equal(await get({ id: 'C' }), undefined)
    assert.ok(Date.now() - started >= 45, 'waited for the timeout')
    assert.equal(requests.answer('r3', { message: { conversation: 'late' } }), false, 'a late answer finds nothing')
    const d = get({ id: 'D' })
    requests.cancelAll()
    assert.equal(await d, undefined)
  })
})
