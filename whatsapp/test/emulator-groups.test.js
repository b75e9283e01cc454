import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerEntry, openAccount, PHONE } from './support/messaging.js'

/*
 * Groups through the emulator and the REAL Baileys socket (emulator/groups.js): the w:g2 IQs
 * (create, metadata, participating, participant actions, invite code, leave), the w:gp2
 * notifications Baileys turns into group-participants.update / groups.update, and sender-key
 * group messages both ways.
 */

const SARA = '15550003333'
const OMAR = '15550004444'
const LINA = '15550005555'
const jid = (p) => `${p}@s.whatsapp.net`

/** Resolves with the first `event` payload matching pred (bounded). */
function nextEvent (sock, event, pred, what, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sock.ev.off(event, on); reject(new Error(`no ${event} with ${what} within ${ms} ms`)) }, ms)
    const on = (data) => {
      const hit = (Array.isArray(data) ? data : [data]).find(pred)
      if (hit) { clearTimeout(timer); sock.ev.off(event, on); resolve(hit) }
    }
    sock.ev.on(event, on)
  })
}

test('create, metadata, participating, participant actions, invite code and leave', { timeout: 120000 }, async (t) => {
  const a = await openAccount(t)
  const sock = a.client.sock
  const created = await sock.groupCreate('Team', [jid(SARA), jid(OMAR)])
  assert.match(created.id, /^\d+@g\.us$/)
  assert.equal(created.subject, 'Team')
  assert.equal(created.addressingMode, 'pn')
  const admins = Object.fromEntries(created.participants.map((p) => [p.id, p.admin]))
  assert.deepEqual(admins, { [jid(PHONE)]: 'superadmin', [jid(SARA)]: null, [jid(OMAR)]: null })
  assert.ok(created.participants.every((p) => p.lid?.endsWith('@lid')), 'participants carry their LID')

  const meta = await sock.groupMetadata(created.id)
  assert.equal(meta.size, 3)
  const all = await sock.groupFetchAllParticipating()
  assert.deepEqual(Object.keys(all), [created.id])

  const added = nextEvent(sock, 'group-participants.update', (u) => u.action === 'add', 'add')
  const result = await sock.groupParticipantsUpdate(created.id, [jid(LINA), jid(SARA)], 'add')
  assert.deepEqual(result.map((r) => [r.jid, r.status]), [[jid(LINA), '200'], [jid(SARA), '409']])
  const event = await added
  assert.equal(event.id, created.id)
  assert.deepEqual(event.participants.map((p) => p.id), [jid(LINA)])

  const promoted = await sock.groupParticipantsUpdate(created.id, [jid(SARA)], 'promote')
  assert.deepEqual(promoted.map((r) => r.status), ['200'])
  assert.equal((await sock.groupMetadata(created.id)).participants.find((p) => p.id === jid(SARA)).admin, 'admin')
  await sock.groupParticipantsUpdate(created.id, [jid(SARA)], 'demote')
  const removed = await sock.groupParticipantsUpdate(created.id, [jid(OMAR), '15550009999@s.whatsapp.net'], 'remove')
  assert.deepEqual(removed.map((r) => r.status), ['200', '404'])
  assert.deepEqual((await sock.groupMetadata(created.id)).participants.map((p) => p.id).sort(), [jid(PHONE), jid(SARA), jid(LINA)].sort())

  const code = await sock.groupInviteCode(created.id)
  assert.match(code, /^[A-Za-z0-9]{22}$/)

  // a member changes the subject and description on their phone: Baileys emits groups.update
  const renamed = nextEvent(sock, 'groups.update', (u) => u.subject === 'Renamed', 'subject')
  a.emulator.groups.update(created.id, { by: SARA, subject: 'Renamed' })
  assert.equal((await renamed).id, created.id)
  const described = nextEvent(sock, 'groups.update', (u) => u.desc === 'About us', 'description')
  a.emulator.groups.update(created.id, { by: SARA, description: 'About us' })
  await described

  // after leaving, the group is not ours to read; the oldest member is its admin now
  await sock.groupLeave(created.id)
  await assert.rejects(sock.groupMetadata(created.id), (err) => err.data === 403 || err.output?.statusCode === 403)
  assert.deepEqual(Object.keys(await sock.groupFetchAllParticipating()), [])
  assert.equal(a.emulator.groups.get(created.id).participants.find((p) => p.phone === SARA).type, 'admin', 'the oldest member became admin')
  await assert.rejects(sock.groupMetadata('120363999999999999@g.us'), (err) => err.data === 404 || err.output?.statusCode === 404)
})

test('a non-admin is refused participant actions and the invite code; nothing changes', { timeout: 120000 }, async (t) => {
  const a = await openAccount(t)
  const sock = a.client.sock
  const created = await sock.groupCreate('Admins only', [jid(SARA)])
  // the account makes Sara an admin; Sara dismisses the account as admin from her phone
  await sock.groupParticipantsUpdate(created.id, [jid(SARA)], 'promote')
  const demoted = nextEvent(sock, 'group-participants.update', (u) => u.action === 'demote', 'demote')
  a.emulator.groups.update(created.id, { by: SARA, action: 'demote', participants: [PHONE] })
  assert.deepEqual((await demoted).participants.map((p) => p.id), [jid(PHONE)])
  assert.equal((await sock.groupMetadata(created.id)).participants.find((p) => p.id === jid(PHONE)).admin, null)
  await assert.rejects(sock.groupParticipantsUpdate(created.id, [jid(OMAR)], 'add'), (err) => err.data === 401 || err.output?.statusCode === 401)
  await assert.rejects(sock.groupInviteCode(created.id), (err) => err.data === 401 || err.output?.statusCode === 401)
  assert.equal(a.emulator.groups.get(created.id).participants.length, 2)
})

test('group messages: the device\'s message reaches every member; a member\'s message arrives with its sender', { timeout: 120000 }, async (t) => {
  const a = await openAccount(t)
  const sock = a.client.sock
  const created = await sock.groupCreate('Chat', [jid(SARA), jid(OMAR)])
  const m1 = await a.send(created.id, { text: 'hello group' })
  const sara = await ledgerEntry(a.emulator, PHONE, (e) => e.id === m1.key.id && e.contact === SARA, 'Sara got it')
  const omar = await ledgerEntry(a.emulator, PHONE, (e) => e.id === m1.key.id && e.contact === OMAR, 'Omar got it')
  assert.equal(sara.text, 'hello group')
  assert.equal(sara.to, created.id)
  assert.equal(sara.type, 'skmsg')
  assert.equal(omar.count, 1)
  // a second message needs no new sender key: still readable by both
  const m2 = await a.send(created.id, { text: 'second' })
  await ledgerEntry(a.emulator, PHONE, (e) => e.id === m2.key.id && e.contact === OMAR && e.text === 'second', 'Omar got the second')

  const r = await a.emulator.groups.inbound(PHONE, { group: created.id, from: SARA, text: 'hi from Sara', pushName: 'Sara' })
  const got = await a.upserted((m) => m.key.id === r.id, 'Sara\'s group message')
  assert.equal(got.key.remoteJid, created.id)
  assert.equal(got.key.participant, jid(SARA))
  assert.equal(got.pushName, 'Sara')
  assert.equal(got.message?.conversation, 'hi from Sara')
  // the second message from the same member is an skmsg alone (the device holds her key)
  const r2 = await a.emulator.groups.inbound(PHONE, { group: created.id, from: SARA, text: 'again' })
  const got2 = await a.upserted((m) => m.key.id === r2.id, 'Sara\'s second group message')
  assert.equal(got2.message?.conversation, 'again')

  // a message to a group the account is not in is refused by the server
  await assert.rejects(a.emulator.groups.inbound(PHONE, { group: created.id, from: LINA, text: 'x' }), /not a member/)
})
