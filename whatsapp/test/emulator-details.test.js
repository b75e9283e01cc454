import assert from 'node:assert/strict'
import { test } from 'node:test'
import { engineFixture } from './support/engine.js'
import { PEER, PHONE, linkedOpen, newId, textSend, waitFor } from './support/sandbox-messaging.js'

/*
 * `parsed.details` of messages a simulated contact sends through the emulator to the real
 * Baileys socket (the engine's whole path: Signal decryption, Baileys' cleanMessage, the mapper):
 * the structured fields of README "Message details" arrive as a real client would see them.
 */

test('sandbox.inbound types carry their details through the real socket', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'dt', { historyChats: 0, receiptDelayMs: 0 })
  /** the mapped message `id` once it arrived @param {string} id */
  const upsertOf = async (id) => (await engine.next('messages.upsert', { connectionId: 'dt', where: (d) => d.messages.some((m) => m.key.id === id) })).data.messages.find((m) => m.key.id === id)
  /** @param {string} type @param {object} [extra] */
  const inbound = async (type, extra = {}) => upsertOf((await engine.ok('sandbox.inbound', { connectionId: 'dt', from: PEER, type, ...extra })).providerMessageId)

  const ours = newId()
  await engine.ok('send', textSend('dt', ours))
  await waitFor(async () => (await engine.ok('sandbox.sent', { connectionId: 'dt' })).messages.find((e) => e.id === ours), 'the contact has our message')

  const reaction = await inbound('reaction', { message: '👍', replyToProviderMessageId: ours })
  assert.deepEqual(reaction.parsed.details, { emoji: '👍', removed: false, target: { id: ours, from_me: true } }, 'our message, from our point of view')

  const poll = await inbound('poll', { message: 'Lunch?' })
  assert.deepEqual(poll.parsed.details, { name: 'Lunch?', options: ['Yes', 'No'], selectable_count: 1 })

  const undecryptable = await inbound('undecryptable')
  assert.equal(undecryptable.parsed.type, 'undecryptable')
  assert.equal(typeof undecryptable.parsed.details?.reason, 'string')
  assert.ok(undecryptable.parsed.details.reason.length > 0, 'Baileys\' reason is kept')

  const live = await inbound('live_location', { message: 'On my way' })
  assert.deepEqual([live.parsed.type, live.parsed.text], ['liveLocation', 'On my way'])
  assert.deepEqual(live.parsed.details, { latitude: 24.8607, longitude: 67.0011, caption: 'On my way', accuracy_meters: 10, sequence: 1 })

  const list = await inbound('list', { message: 'Our menu' })
  assert.deepEqual([list.parsed.type, list.parsed.text], ['list', 'Our menu'])
  assert.equal(list.parsed.details.title, 'Our menu')
  assert.deepEqual(list.parsed.details.sections[0].rows.map((/** @type {any} */ r) => r.row_id), ['row-1', 'row-2'])

  const forwarded = await inbound('forwarded', { message: 'pass it on' })
  assert.deepEqual([forwarded.parsed.type, forwarded.parsed.text, forwarded.parsed.details], ['text', 'pass it on', { forwarded: true, forwarding_score: 4 }])

  const once = await inbound('view_once')
  assert.deepEqual([once.parsed.type, once.parsed.details], ['image', { view_once: true }])

  const plain = await inbound('text', { message: 'nothing special' })
  assert.equal(plain.parsed.details, null)
  assert.equal(plain.parsed.senderPhone, PEER)
  assert.notEqual(plain.parsed.senderPhone, PHONE)
  assert.equal(await engine.end(), 0)
  assert.deepEqual(engine.badLines, [])
})
