import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAccountState, entriesWithId, findEntry, recordArrival, statesFromJSON, statesToJSON } from '../emulator/messaging-ledger.js'
import { openAccount, PHONE } from './support/messaging.js'

/*
 * Contacts and the ledger survive a trip through JSON (what persisting the emulator's memory
 * needs): after restoring, sessions continue (msg, not a new pkmsg) both ways and the ledger
 * and offline queue are intact.
 */

const CONTACT = '15550006666'

test('toJSON/fromJSON: contacts keep their sessions, keys and LIDs; the ledger and inbound records are restored', async (t) => {
  const a = await openAccount(t)
  const m = a.emulator.messaging
  const hello = await m.inbound(PHONE, { from: CONTACT, text: 'before' })
  await a.upserted((x) => x.key.id === hello.id, 'inbound before')
  const s1 = await a.send(`${CONTACT}@s.whatsapp.net`, { text: 'before too' })
  await a.status(s1.key.id, 3, 'delivery before')

  const saved = JSON.stringify(m.toJSON())
  const contact = m.contacts.contactFor(CONTACT)
  contact.reinstall() // scramble the live state: only the saved JSON can bring the sessions back
  m.stateOf(PHONE).ledger.clear()
  m.fromJSON(JSON.parse(saved))

  assert.deepEqual(m.sent(PHONE).map((e) => [e.id, e.text, e.count]), [[s1.key.id, 'before too', 1]])
  assert.equal(m.received(PHONE)[0].message.conversation, 'before')
  const restored = m.contacts.contactFor(CONTACT)
  assert.notEqual(restored, contact, 'a new object, rebuilt from JSON')
  assert.equal(restored.lid, contact.lid)
  assert.equal(restored.installs, 1)
  assert.equal(m.receipt(PHONE, { id: s1.key.id, status: 'read' }).to, CONTACT, 'the restored ledger finds a message by its id')
  assert.ok(restored.hasSession(a.paired.jid), 'the session with the device is back')

  const back = await m.inbound(PHONE, { from: CONTACT, text: 'after' })
  const got = await a.upserted((x) => x.key.id === back.id, 'inbound after restore')
  assert.equal(got.message.conversation, 'after')
  const s2 = await a.send(`${CONTACT}@s.whatsapp.net`, { text: 'after too' })
  await a.status(s2.key.id, 3, 'delivery after restore')
  assert.equal(m.sent(PHONE).at(-1).type, 'msg', 'the restored session continues (no new pkmsg)')
  assert.throws(() => m.fromJSON({ version: 9 }), /unknown/)
})

test('the ledger finds every entry of a message id, before and after a trip through JSON', () => {
  const s = createAccountState()
  const record = (id) => ({ id, to: '15550006666@s.whatsapp.net', type: 'msg', stanzaType: 'text', text: id, message: { conversation: id } })
  for (let i = 0; i < 50; i++) recordArrival(s, '15550006666', record(`M${i}`))
  recordArrival(s, PHONE, record('M7')) // the own phone's entry of the same message
  assert.equal(recordArrival(s, '15550006666', record('M7')).first, false, 'the same id again is a resend')
  const check = (state, when) => {
    assert.deepEqual(entriesWithId(state, 'M7').map((e) => [e.contact, e.resends]), [['15550006666', 1], [PHONE, 0]], when)
    assert.equal(findEntry(state, 'M7', PHONE).contact, PHONE, when)
    assert.equal(findEntry(state, 'M49').text, 'M49', when)
    assert.deepEqual(entriesWithId(state, 'nope'), [], when)
    assert.equal(findEntry(state, 'nope'), null, when)
  }
  check(s, 'live')
  check(statesFromJSON(statesToJSON(new Map([[PHONE, s]]))).get(PHONE), 'restored')
})
