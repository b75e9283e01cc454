import assert from 'node:assert/strict'
import { test } from 'node:test'
import { makeSendPrefetch } from '../src/send-prefetch.js'

/*
 * send-prefetch.js: the 1:1 recipients of sends that arrive in one turn of the event loop get
 * their device lists in one query and their missing sessions in one query, with Baileys' own
 * functions; anything else, or a failing query, leaves the send to Baileys as before. (The real
 * socket against the emulator runs it in every send test: emulator-engine-messaging, send-ack.)
 */

const ME = { id: '923000000001:5@s.whatsapp.net', lid: '111000000001:5@lid' }
const logger = { debug () {} }

/** A socket with the two Baileys functions, recording their calls; every user has devices 0 and 7. */
function fakeSocket ({ failDevices = false } = {}) {
  const calls = { devices: [], sessions: [] }
  return {
    calls,
    authState: { creds: { me: ME } },
    async getUSyncDevices (jids, useCache, ignoreZeroDevices) {
      calls.devices.push({ jids, useCache, ignoreZeroDevices })
      if (failDevices) throw new Error('usync timed out')
      return jids.flatMap(j => {
        const [user, server] = j.split('@')
        return [0, 5, 7].map(device => ({ user, device, jid: device === 0 ? `${user}@${server}` : `${user}:${device}@${server}` }))
      })
    },
    async assertSessions (jids) {
      calls.sessions.push(jids)
      return true
    }
  }
}

test('sends of one turn share one device query and one session query', async () => {
  const prepare = makeSendPrefetch(logger)
  const sock = fakeSocket()
  await Promise.all([
    prepare(sock, '923001110001@s.whatsapp.net'),
    prepare(sock, '923001110002@s.whatsapp.net'),
    prepare(sock, '923001110002@s.whatsapp.net')
  ])
  assert.equal(sock.calls.devices.length, 1)
  assert.deepEqual(sock.calls.devices[0], {
    jids: ['923000000001@s.whatsapp.net', '923001110001@s.whatsapp.net', '923001110002@s.whatsapp.net'],
    useCache: true,
    ignoreZeroDevices: false
  })
  assert.equal(sock.calls.sessions.length, 1)
  // every device of the recipients and our other devices, never our own sending device
  assert.ok(!sock.calls.sessions[0].includes(ME.id))
  assert.ok(sock.calls.sessions[0].includes('923000000001:7@s.whatsapp.net'))
  assert.ok(sock.calls.sessions[0].includes('923001110002:7@s.whatsapp.net'))
  // the next turn is a batch of its own
  await prepare(sock, '923001110003@s.whatsapp.net')
  assert.equal(sock.calls.devices.length, 2)
  assert.deepEqual(sock.calls.devices[1].jids, ['923000000001@s.whatsapp.net', '923001110003@s.whatsapp.net'])
})

test('a LID recipient adds our LID identity; groups and sockets without the functions are left alone', async () => {
  const prepare = makeSendPrefetch(logger)
  const sock = fakeSocket()
  await Promise.all([prepare(sock, '222000000009@lid'), prepare(sock, '120363000000000001@g.us')])
  assert.equal(sock.calls.devices.length, 1)
  assert.deepEqual(sock.calls.devices[0].jids, ['923000000001@s.whatsapp.net', '111000000001@lid', '222000000009@lid'])
  assert.ok(!sock.calls.sessions[0].includes(ME.lid))
  await prepare({ sendMessage () {} }, '923001110001@s.whatsapp.net') // a test fake: resolves, touches nothing
})

test('a failing query never fails the sends: they go on and Baileys queries alone', async () => {
  const prepare = makeSendPrefetch(logger)
  const sock = fakeSocket({ failDevices: true })
  await Promise.all([prepare(sock, '923001110001@s.whatsapp.net'), prepare(sock, '923001110002@s.whatsapp.net')])
  assert.equal(sock.calls.devices.length, 1)
  assert.equal(sock.calls.sessions.length, 0)
})
