import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { test } from 'node:test'
import { openAccount, PHONE } from './support/messaging.js'

/*
 * Signal messaging both ways through the emulator and the REAL Baileys socket: device → contact
 * (ledger, pkmsg then msg, server ack, delivery/read receipts) and contact → device.
 */

const CONTACT = '15550002222'
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`

test('device → contact: decrypted once, pkmsg then msg; delivery and read receipts reach Baileys', async (t) => {
  const a = await openAccount(t)
  const m1 = await a.send(CONTACT_JID, { text: 'hello contact' })
  const delivered = await a.status(m1.key.id, 3, 'delivery receipt')
  assert.equal((delivered.key ?? delivered.msg.key).fromMe, true)
  const m2 = await a.send(CONTACT_JID, { text: 'second' })
  await a.status(m2.key.id, 3, 'second delivery receipt')

  const ledger = a.emulator.messaging.sent(PHONE)
  assert.deepEqual(ledger.map((e) => [e.id, e.contact, e.text, e.count, e.resends]), [
    [m1.key.id, CONTACT, 'hello contact', 1, 0],
    [m2.key.id, CONTACT, 'second', 1, 0]
  ])
  assert.equal(ledger[0].type, 'pkmsg')
  assert.equal(ledger[1].type, 'pkmsg', 'pkmsg until the contact answered (Signal rule)')
  assert.equal(ledger[0].phoneCopies, 1, 'the own phone got the DSM copy')
  assert.deepEqual(ledger[0].receipts, ['delivered'])

  // after the contact answers, the device's next message is a msg
  await a.emulator.messaging.inbound(PHONE, { from: CONTACT, text: 'answer' })
  await a.upserted((m) => m.message?.conversation === 'answer', 'the answer')
  const m3 = await a.send(CONTACT_JID, { text: 'third' })
  await a.status(m3.key.id, 3, 'third delivery')
  assert.equal(a.emulator.messaging.sent(PHONE).at(-1).type, 'msg')

  a.emulator.messaging.receipt(PHONE, { id: m1.key.id, status: 'read' })
  const read = await a.status(m1.key.id, 4, 'read receipt')
  const readKey = read.key ?? read.msg.key
  assert.ok(readKey.remoteJid === CONTACT_JID || readKey.remoteJid === a.emulator.messaging.contacts.contactFor(CONTACT).lidJid, readKey.remoteJid)

  const files = await readdir(a.dir)
  assert.ok(files.some((f) => f.startsWith('session-') && f.includes(a.emulator.messaging.contacts.contactFor(CONTACT).lid)), `session file for the contact in ${files}`)
})

test('a device whose prekey stock runs low on the server is told so and uploads more', async (t) => {
  const a = await openAccount(t)
  const device = a.emulator.accounts.findDevice(PHONE, 1)
  for (const id of [...device.preKeys.keys()].slice(5)) device.preKeys.delete(id)
  const uploaded = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no prekey upload within 10 s')), 10000)
    a.emulator.events.once('prekeys', (e) => { clearTimeout(timer); resolve(e) })
  })
  const sent = await a.emulator.messaging.inbound(PHONE, { from: '15550007777', text: 'takes a prekey' })
  await a.upserted((x) => x.key.id === sent.id, 'the message')
  const upload = await uploaded
  assert.ok(upload.count > 0)
  assert.ok(device.preKeys.size > 5, `stock refilled: ${device.preKeys.size}`)
})

test('a message to the account\'s own chat is recorded once, with the own phone as recipient', async (t) => {
  const a = await openAccount(t)
  const recorded = a.emulator.messaging.waitFor((e) => e.kind === 'sent' && e.entry.text === 'note to self', 5000)
  const note = await a.send(`${PHONE}@s.whatsapp.net`, { text: 'note to self' })
  assert.equal(await recorded, true, 'the own phone decrypted it')
  const ledger = a.emulator.messaging.sent(PHONE)
  assert.deepEqual(ledger.map((e) => [e.id, e.contact, e.text, e.count, e.phoneCopies]), [[note.key.id, PHONE, 'note to self', 1, 0]])
})

test('usync contact query: numbers are on WhatsApp unless marked absent', async (t) => {
  const a = await openAccount(t)
  a.emulator.messaging.contacts.notOnWhatsApp('15550009999')
  const found = await a.client.sock.onWhatsApp('+15550008888', '+15550009999')
  assert.deepEqual(found.map((r) => [r.jid, r.exists]), [['15550008888@s.whatsapp.net', true]])
})
