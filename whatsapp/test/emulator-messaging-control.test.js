import assert from 'node:assert/strict'
import { test } from 'node:test'
import { openAccount, PHONE } from './support/messaging.js'

/*
 * The messaging control API over HTTP (docs/emulator.md), against an account paired with the
 * REAL Baileys socket: every route does what its in-process method does; bad input is a 400
 * JSON error and changes nothing.
 */

const CONTACT = '15550005555'

/** @param {any} emulator */
function api (emulator) {
  const base = `http://127.0.0.1:${emulator.port}`
  return async (method, path, body) => {
    const res = await fetch(base + path, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }) })
    return { status: res.status, body: await res.json() }
  }
}

test('HTTP control: inbound, sent, receipt, fail, retry-request, reinstall, burst, received', async (t) => {
  const a = await openAccount(t, { config: { enableRecentMessageCache: false } })
  const call = api(a.emulator)

  const inbound = await call('POST', '/control/inbound', { phone: PHONE, from: CONTACT, text: 'over http', pushName: 'Eve' })
  assert.equal(inbound.status, 200)
  const got = await a.upserted((x) => x.key.id === inbound.body.id, 'the HTTP inbound')
  assert.equal(got.message.conversation, 'over http')
  assert.equal(got.pushName, 'Eve')

  const mine = await a.send(`${CONTACT}@s.whatsapp.net`, { text: 'seen over http' })
  await a.status(mine.key.id, 3, 'delivery')
  const sent = await call('GET', `/control/sent/${PHONE}`)
  assert.equal(sent.status, 200)
  assert.equal(sent.body.messages.length, 1)
  assert.deepEqual([sent.body.messages[0].id, sent.body.messages[0].text, sent.body.messages[0].count], [mine.key.id, 'seen over http', 1])
  assert.equal(sent.body.messages[0].message.extendedTextMessage.text, 'seen over http')

  assert.equal((await call('POST', '/control/receipt', { phone: PHONE, id: mine.key.id, status: 'read' })).status, 200)
  await a.status(mine.key.id, 4, 'read over http')

  assert.deepEqual((await call('POST', '/control/fail', { phone: PHONE, count: 1, code: 500 })).body, { left: 1, code: '500' })
  const lost = await a.send(`${CONTACT}@s.whatsapp.net`, { text: 'lost' })
  await a.status(lost.key.id, 0, 'error ack')

  const retry = await call('POST', '/control/retry-request', { phone: PHONE, id: mine.key.id, to: CONTACT })
  assert.deepEqual(retry, { status: 200, body: { resent: true, resends: 1, count: 1 } })

  const reinstall = await call('POST', '/control/reinstall', { phone: PHONE, contact: CONTACT })
  assert.equal(reinstall.body.installs, 2)

  const burst = await call('POST', '/control/burst', { phone: PHONE, count: 20, batch: 10, senders: 4 })
  assert.equal(burst.status, 200)
  assert.equal(burst.body.acked, 20)

  const received = await call('GET', `/control/received/${PHONE}`)
  assert.equal(received.body.messages.length, 21)
  assert.equal(received.body.messages[0].message.conversation, 'over http')
  assert.ok(received.body.messages[0].receipts.length >= 1)
  assert.equal((await call('GET', `/control/sent/${PHONE}`)).body.messages.length, 1, 'the failed message reached nobody')
})

test('HTTP control: a burst with mediaPercent sends that share as distinct hosted images with the text as caption', async (t) => {
  const a = await openAccount(t, { config: { enableRecentMessageCache: false } })
  const call = api(a.emulator)
  const hosted = a.emulator.media.store.size
  const burst = await call('POST', '/control/burst', { phone: PHONE, count: 10, batch: 5, senders: 2, mediaPercent: 30, mediaBytes: 2048 })
  assert.equal(burst.status, 200)
  assert.deepEqual([burst.body.acked, burst.body.media], [10, 3])
  const received = a.emulator.messaging.received(PHONE)
  const images = received.filter((e) => e.type === 'image').map((e) => e.message.imageMessage)
  assert.equal(images.length, 3, 'with 30 %, messages 3, 6 and 9 (0-based) of 10 are images')
  assert.equal(new Set(images.map((m) => Buffer.from(m.fileSha256).toString('hex'))).size, 3, 'every image is distinct content')
  for (const m of images) {
    assert.match(m.caption, /^bench \d+ \d+$/)
    assert.equal(Number(m.fileLength), 2048)
  }
  assert.equal(a.emulator.media.store.size, hosted + 3, 'each image was hosted')
  // the device decrypted all ten (the images' captions included)
  for (const seq of [3, 6, 9]) await a.upserted((x) => new RegExp(`^bench \\d+ ${seq}$`).test(x.message?.imageMessage?.caption ?? ''), `image ${seq}`)
})

test('HTTP control: bad input is a 400 JSON error and changes nothing; unknown targets are 404', async (t) => {
  const a = await openAccount(t)
  const call = api(a.emulator)
  const bad = [
    ['/control/inbound', 'not json'],
    ['/control/inbound', [1, 2]],
    ['/control/inbound', { phone: PHONE }],
    ['/control/inbound', { phone: 'abc', from: CONTACT, text: 'x' }],
    ['/control/inbound', { phone: PHONE, from: CONTACT, type: 'telegram', text: 'x' }],
    ['/control/inbound', { phone: PHONE, from: CONTACT, type: 'reaction', text: 'x' }],
    ['/control/inbound', { phone: PHONE, from: CONTACT, text: 5 }],
    ['/control/inbound', { phone: PHONE, from: CONTACT, text: 'a\u0000b' }],
    ['/control/inbound', { phone: PHONE, from: CONTACT, text: 'x', asLid: 'yes' }],
    ['/control/inbound', { phone: PHONE, from: CONTACT, text: 'x', colour: 'red' }],
    ['/control/inbound', { phone: PHONE, from: CONTACT, text: 'x', messageId: 'has spaces' }],
    ['/control/receipt', { phone: PHONE, id: 'ABC', status: 'seen' }],
    ['/control/fail', { phone: PHONE, count: 0 }],
    ['/control/fail', { phone: PHONE, count: 1.5 }],
    ['/control/fail', { phone: PHONE, count: 1, code: 'boom' }],
    ['/control/retry-request', { phone: PHONE }],
    ['/control/burst', { phone: PHONE, count: '10' }],
    ['/control/burst', { phone: PHONE, count: 10, mediaPercent: 101 }],
    ['/control/burst', { phone: PHONE, count: 10, mediaPercent: 30, mediaBytes: 0 }],
    ['/control/reinstall', { phone: PHONE, contact: '+1 555' }]
  ]
  for (const [path, body] of bad) {
    const r = await call('POST', path, body)
    assert.equal(r.status, 400, `${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
    assert.equal(r.body.error.code, 'bad_request')
    assert.equal(typeof r.body.error.message, 'string')
  }
  assert.equal((await call('GET', '/control/sent/12')).status, 400)
  const m = a.emulator.messaging
  assert.deepEqual([m.received(PHONE).length, m.sent(PHONE).length, m.stateOf(PHONE).fail.left], [0, 0, 0], 'nothing changed')
  assert.equal(m.contacts.find(`${CONTACT}@s.whatsapp.net`), null, 'no contact was created')

  const noDevice = await call('POST', '/control/inbound', { phone: '15559990000', from: CONTACT, text: 'x' })
  assert.deepEqual([noDevice.status, noDevice.body.error.code], [404, 'not_found'])
  const unknown = await call('POST', '/control/receipt', { phone: PHONE, id: 'ABC', status: 'read' })
  assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'not_found'])
  const retry = await call('POST', '/control/retry-request', { phone: PHONE, id: 'ABC' })
  assert.deepEqual([retry.status, retry.body.error.code], [404, 'not_found'])
  const dup = await call('POST', '/control/inbound', { phone: PHONE, from: CONTACT, text: 'x', messageId: 'SAME1' })
  assert.equal(dup.status, 200)
  const again = await call('POST', '/control/inbound', { phone: PHONE, from: CONTACT, text: 'x', messageId: 'SAME1' })
  assert.deepEqual([again.status, again.body.error.code], [409, 'conflict'])
})
