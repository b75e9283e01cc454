import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { test } from 'node:test'
import { FAST_SANDBOX, engineFixture } from './support/engine.js'
import { waitFor } from './support/sandbox-messaging.js'

/*
 * The group commands (groups.*, sandbox.groupInbound / groupUpdate) through the engine: the real
 * Baileys socket against the emulator's groups, the group events, and sends to a group through
 * the socket's group cache.
 */

const PHONE = '923004445566'
const SARA = '923001110001'
const OMAR = '923001110002'
const jid = (p) => `${p}@s.whatsapp.net`
const newId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`

/** @param {any} engine @param {string} id @param {string} dir */
async function linkedOpen (engine, id, dir) {
  await engine.hello({ mode: 'sandbox', sessionsDir: join(dir, 'sessions'), sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(dir, 'emulator') } })
  await engine.ok('start', { connectionId: id })
  await engine.next('connection.qr', { connectionId: id })
  await engine.ok('sandbox.scan', { connectionId: id, phone: PHONE })
  await engine.next('connection.close', { connectionId: id, where: (d) => d.code === 515 })
  await engine.ok('start', { connectionId: id })
  await engine.next('connection.open', { connectionId: id })
}

/** Sends a command that must fail with `code`; resolves with the error object. */
async function fails (engine, cmd, args, code) {
  const reply = await engine.send(cmd, args)
  assert.equal(reply.ok, false, `${cmd} should fail: ${JSON.stringify(reply)}`)
  assert.equal(reply.error.code, code, JSON.stringify(reply.error))
  return reply.error
}

test('groups: create, list, metadata, participants, invite code, send, member message, update, leave', { timeout: 120000 }, async (t) => {
  const fx = await engineFixture(t, { timeoutMs: 30000 })
  const { engine } = fx
  await linkedOpen(engine, 'g', fx.dir)

  const { group } = await engine.ok('groups.create', { connectionId: 'g', subject: 'Team', participants: [jid(SARA)] })
  assert.equal(group.subject, 'Team')
  assert.equal(group.isAdmin, true)
  assert.equal(group.size, 2)
  const sara = group.participants.find((p) => p.phone === SARA)
  assert.match(sara.lid, /@lid$/)
  assert.equal(sara.admin, null)

  const { groups } = await engine.ok('groups.list', { connectionId: 'g' })
  assert.deepEqual(groups.map((g) => [g.jid, g.subject, g.size, g.isAdmin]), [[group.jid, 'Team', 2, true]])

  const added = engine.next('group.participants', { connectionId: 'g', where: (d) => d.action === 'add' })
  const r = await engine.ok('groups.participants', { connectionId: 'g', jid: group.jid, action: 'add', participants: [jid(OMAR), jid(SARA)] })
  assert.deepEqual(r.results, [{ jid: jid(OMAR), status: '200' }, { jid: jid(SARA), status: '409' }])
  const ev = await added
  assert.equal(ev.data.groupJid, group.jid)
  assert.deepEqual(ev.data.participants.map((p) => p.phone), [OMAR])
  assert.equal(ev.data.authorPhone, PHONE)

  const meta = (await engine.ok('groups.metadata', { connectionId: 'g', jid: group.jid })).group
  assert.equal(meta.size, 3)
  const code = (await engine.ok('groups.inviteCode', { connectionId: 'g', jid: group.jid })).code
  assert.match(code, /^[A-Za-z0-9]{22}$/)

  // a send to the group: every member's phone decrypts it (the emulator's ledger)
  const id = newId()
  await engine.ok('send', { connectionId: 'g', messageId: id, jid: group.jid, content: { type: 'text', text: 'hello team' } })
  const sent = await waitFor(async () => {
    const m = (await engine.ok('sandbox.sent', { connectionId: 'g' })).messages.filter((e) => e.id === id)
    return m.length === 2 ? m : null
  }, 'both members decrypted it')
  assert.ok(sent.every((e) => e.jid === group.jid && e.count === 1 && e.content.text === 'hello team'))

  // a member writes in the group
  const inbound = await engine.ok('sandbox.groupInbound', { connectionId: 'g', group: group.jid, from: SARA, message: 'hi all', pushName: 'Sara' })
  assert.equal(inbound.remoteJid, group.jid)
  const up = await engine.next('messages.upsert', { connectionId: 'g', where: (d) => JSON.stringify(d).includes(inbound.providerMessageId) })
  const msg = up.data.messages.find((m) => m.key.id === inbound.providerMessageId)
  assert.equal(msg.key.remoteJid, group.jid)
  assert.equal(msg.key.participant, jid(SARA))
  assert.equal(msg.pushName, 'Sara')
  assert.equal(msg.parsed.senderPhone, SARA)

  // subject and description changed at once: two notifications, two events (Baileys' event
  // buffer would keep only the first groups.update of a flush; the engine reports from the stubs)
  await engine.ok('sandbox.groupUpdate', { connectionId: 'g', group: group.jid, by: SARA, subject: 'Renamed', description: 'About us' })
  const upd = await engine.next('group.updated', { connectionId: 'g', where: (d) => d.subject === 'Renamed' })
  assert.equal(upd.data.groupJid, group.jid)
  assert.equal(upd.data.authorPhone, SARA)
  assert.equal('description' in upd.data, false)
  const desc = await engine.next('group.updated', { connectionId: 'g', where: (d) => d.description === 'About us' })
  assert.equal(desc.data.authorPhone, SARA)
  assert.equal((await engine.ok('groups.metadata', { connectionId: 'g', jid: group.jid })).group.description, 'About us')

  // bad input never reaches WhatsApp
  await fails(engine, 'groups.participants', { connectionId: 'g', jid: group.jid, action: 'add', participants: [] }, 'bad_request')
  await fails(engine, 'groups.metadata', { connectionId: 'g', jid: 'nope@g.us' }, 'bad_request')
  const unknown = await fails(engine, 'groups.metadata', { connectionId: 'g', jid: '120363000000000001@g.us' }, 'send_failed')
  assert.equal(unknown.statusCode, 404)

  assert.deepEqual(await engine.ok('groups.leave', { connectionId: 'g', jid: group.jid }), { left: true })
  const gone = await fails(engine, 'groups.metadata', { connectionId: 'g', jid: group.jid }, 'send_failed')
  assert.equal(gone.statusCode, 403)
  assert.deepEqual((await engine.ok('groups.list', { connectionId: 'g' })).groups, [])
})
