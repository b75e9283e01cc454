import assert from 'node:assert/strict'
import { test } from 'node:test'
import { engineFixture } from './support/engine.js'
import { linkedOpen, newId, PEER, PEER_JID } from './support/sandbox-messaging.js'
import { mapCapping, mapTimelock } from '../src/restrictions.js'
import { restrictionProblem } from '../emulator/restrictions.js'

/*
 * Account restriction signals end to end: the emulator sends the nodes WhatsApp sends
 * (mex notifications, the w:mex answers, the 463 ack), the real Baileys socket parses them,
 * and the engine reports `connection.restriction` (docs/engine-protocol.md).
 */

const STRANGER = '923007770000'

test('reach-out time lock: the notification reaches Baileys as reachoutTimeLock → connection.restriction; a new contact gets 463, a known one still receives; lift clears it', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'rt')
  // the state asked for at open: nothing in force
  const first = await engine.seen('connection.restriction', { connectionId: 'rt', where: (d) => d.kind === 'reachout_timelock' })
  assert.equal(first.data.active, false)

  // a known contact: it wrote first
  await engine.ok('sandbox.inbound', { connectionId: 'rt', from: PEER, message: 'hello' })
  const until = Date.now() + 3600_000
  const r = await engine.ok('sandbox.restrict', { connectionId: 'rt', kind: 'reachout_timelock', until, enforcementType: 'BIZ_QUALITY' })
  assert.equal(r.kind, 'reachout_timelock')
  const set = await engine.next('connection.restriction', { connectionId: 'rt', where: (d) => d.active === true })
  assert.deepEqual(set.data, { kind: 'reachout_timelock', active: true, until: Math.floor(until / 1000) * 1000, detail: 'BIZ_QUALITY' })

  const refused = await engine.send('send', { connectionId: 'rt', messageId: newId(), jid: `${STRANGER}@s.whatsapp.net`, content: { type: 'text', text: 'hi stranger' } })
  assert.equal(refused.ok, false)
  assert.equal(refused.error.code, 'send_failed')
  assert.equal(refused.error.statusCode, 463)
  // the 463 makes the engine ask the server again: the answer repeats the lock
  await engine.next('connection.restriction', { connectionId: 'rt', where: (d) => d.kind === 'reachout_timelock' && d.active === true })

  const known = newId()
  await engine.ok('send', { connectionId: 'rt', messageId: known, jid: PEER_JID, content: { type: 'text', text: 'still fine' } })
  const sent = await engine.ok('sandbox.sent', { connectionId: 'rt' })
  const ids = (sent.messages ?? sent).map((m) => m.id ?? m.providerMessageId)
  assert.ok(ids.includes(known), 'the known contact decrypted the message')

  assert.deepEqual(await engine.ok('sandbox.lift', { connectionId: 'rt', kind: 'reachout_timelock' }), { kind: 'reachout_timelock', lifted: true })
  const lifted = await engine.next('connection.restriction', { connectionId: 'rt', where: (d) => d.active === false })
  assert.equal(lifted.data.kind, 'reachout_timelock')
  await engine.ok('send', { connectionId: 'rt', messageId: newId(), jid: `${STRANGER}@s.whatsapp.net`, content: { type: 'text', text: 'now it goes' } })
})

test('message capping: CAPPED reaches Baileys as message-capping.update → connection.restriction with the cycle end; lifted → NONE', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'mc')
  const initial = await engine.seen('connection.restriction', { connectionId: 'mc', where: (d) => d.kind === 'message_capping' })
  assert.equal(initial.data.active, false)
  const until = Date.now() + 86400_000
  await engine.ok('sandbox.restrict', { connectionId: 'mc', kind: 'message_capping', until })
  const capped = await engine.next('connection.restriction', { connectionId: 'mc', where: (d) => d.kind === 'message_capping' && d.active })
  assert.deepEqual(capped.data, { kind: 'message_capping', active: true, until: Math.floor(until / 1000) * 1000, detail: 'CAPPED' })
  const refused = await engine.send('send', { connectionId: 'mc', messageId: newId(), jid: `${STRANGER}@s.whatsapp.net`, content: { type: 'text', text: 'x' } })
  assert.equal(refused.error?.statusCode, 463)
  await engine.ok('sandbox.lift', { connectionId: 'mc', kind: 'message_capping' })
  const none = await engine.next('connection.restriction', { connectionId: 'mc', where: (d) => d.kind === 'message_capping' && !d.active })
  assert.equal(none.data.detail, 'NONE')
})

test('RESTRICT_ALL_COMPANIONS (what WhatsApp sends, unknown to rc14): the notification reads DEFAULT, the server query keeps it', { timeout: 90000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'rac')
  await engine.ok('sandbox.restrict', { connectionId: 'rac', kind: 'reachout_timelock', until: Date.now() + 600_000, enforcementType: 'RESTRICT_ALL_COMPANIONS' })
  const pushed = await engine.next('connection.restriction', { connectionId: 'rac', where: (d) => d.active === true })
  assert.equal(pushed.data.detail, 'DEFAULT', 'Baileys maps an enforcement type it does not list to DEFAULT')
  const refused = await engine.send('send', { connectionId: 'rac', messageId: newId(), jid: `${STRANGER}@s.whatsapp.net`, content: { type: 'text', text: 'x' } })
  assert.equal(refused.error?.statusCode, 463)
  const fetched = await engine.next('connection.restriction', { connectionId: 'rac', where: (d) => d.active === true })
  assert.equal(fetched.data.detail, 'RESTRICT_ALL_COMPANIONS', 'fetchAccountReachoutTimelock passes it through')
})

test('sandbox.restrict and sandbox.lift refuse bad arguments', { timeout: 60000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 20000 })
  const { engine } = fx
  await linkedOpen(fx, 'bad')
  for (const args of [{ kind: 'banned' }, { kind: 'reachout_timelock', until: Date.now() - 1000 }, { kind: 'reachout_timelock', until: 'soon' }, { kind: 'reachout_timelock', enforcementType: 'X' }]) {
    const r = await engine.send('sandbox.restrict', { connectionId: 'bad', ...args })
    assert.equal(r.error?.code, 'bad_request', JSON.stringify(args))
  }
  assert.equal((await engine.send('sandbox.lift', { connectionId: 'bad', kind: 'nope' })).error?.code, 'bad_request')
})

test('mapping: Baileys state → protocol data; the emulator control checks its input', () => {
  assert.deepEqual(mapTimelock({ isActive: true, timeEnforcementEnds: new Date(5000), enforcementType: 'BIZ_QUALITY' }), { kind: 'reachout_timelock', active: true, until: 5000, detail: 'BIZ_QUALITY' })
  assert.deepEqual(mapTimelock({ isActive: false, enforcementType: 'DEFAULT' }), { kind: 'reachout_timelock', active: false, until: null, detail: 'DEFAULT' })
  assert.deepEqual(mapCapping({ capping_status: 'FIRST_WARNING', cycle_end_timestamp: '100' }), { kind: 'message_capping', active: false, until: 100000, detail: 'FIRST_WARNING' })
  assert.equal(mapCapping(null), null)
  const fields = ['phone', 'kind', 'untilMs', 'enforcementType', 'totalQuota']
  assert.equal(restrictionProblem({ phone: '923001234567', kind: 'message_capping' }, fields), null)
  assert.match(restrictionProblem({ phone: '923001234567', kind: 'x' }, fields), /kind/)
  assert.match(restrictionProblem({ phone: '12', kind: 'message_capping' }, fields), /phone/)
  assert.match(restrictionProblem({ phone: '923001234567', kind: 'message_capping', extra: 1 }, fields), /unknown/)
  assert.match(restrictionProblem({ phone: '923001234567', kind: 'message_capping', untilMs: 1 }, fields), /untilMs/)
})
