import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseHello } from '../src/config.js'
import { EngineError } from '../src/errors.js'

const base = { protocol: 1, mode: 'sandbox', sessionsDir: '/tmp/s' }

test('hello defaults follow docs/engine-protocol.md', () => {
  assert.deepEqual(parseHello(base), {
    mode: 'sandbox',
    sessionsDir: '/tmp/s',
    authStore: 'files',
    mediaDir: null,
    logLevel: 'info',
    ignoreStatusBroadcast: true,
    holdReceipts: false,
    media: null,
    baileys: { waWebSocketUrl: null, connectTimeoutMs: 20000 },
    sandbox: {
      qrFirstMs: 60000, qrNextMs: 20000, qrRefs: 6, connectDelayMs: 50, receiptDelayMs: 300, historyChats: 3,
      socket: 'emulator', emulatorUrl: null, emulatorDir: null
    }
  })
})

test('authStore: "files" by default, "postgres" accepted, anything else refused', () => {
  assert.equal(parseHello({ ...base, authStore: 'postgres' }).authStore, 'postgres')
  assert.throws(() => parseHello({ ...base, authStore: 'redis' }), (err) => err instanceof EngineError && err.code === 'bad_request')
})

test('holdReceipts: false by default, a boolean, anything else refused', () => {
  assert.equal(parseHello({ ...base, holdReceipts: true }).holdReceipts, true)
  assert.throws(() => parseHello({ ...base, holdReceipts: 'yes' }), (err) => err instanceof EngineError && err.code === 'bad_request')
})

test('mediaDir: absolute (a relative one is resolved), refused when empty', () => {
  assert.equal(parseHello({ ...base, mediaDir: '/data/media' }).mediaDir, '/data/media')
  assert.equal(parseHello({ ...base, mediaDir: 'data/media' }).mediaDir, `${process.cwd()}/data/media`)
  assert.throws(() => parseHello({ ...base, mediaDir: '' }), (err) => err instanceof EngineError && err.code === 'bad_request')
})

test('hello media: dir resolved, maxBytes required, pool sizes default to 3 running / 10000 waiting', () => {
  assert.deepEqual(parseHello({ ...base, media: { dir: 'data/media/incoming', maxBytes: 1000 } }).media,
    { dir: `${process.cwd()}/data/media/incoming`, maxBytes: 1000, concurrency: 3, maxQueued: 10000 })
  for (const media of [{ dir: '/m' }, { dir: '/m', maxBytes: 0 }, { dir: '', maxBytes: 5 }, { dir: '/m', maxBytes: 5, concurrency: -1 }, 'x']) {
    assert.throws(() => parseHello({ ...base, media }), (err) => err instanceof EngineError && err.code === 'bad_request', JSON.stringify(media))
  }
})

test('sandbox.socket "simulated" (the removed fake socket) is refused by name; "emulator" is the default', () => {
  assert.throws(() => parseHello({ ...base, sandbox: { socket: 'simulated' } }),
    (err) => err instanceof EngineError && err.code === 'bad_request' && /"simulated".*removed/.test(err.message))
  assert.equal(parseHello({ ...base, sandbox: { socket: 'emulator' } }).sandbox.socket, 'emulator')
  assert.equal(parseHello({ ...base, sandbox: { socket: null } }).sandbox.socket, 'emulator')
})

test('sandbox.socket "emulator": standalone URL only on loopback, emulatorDir resolved', () => {
  const s = parseHello({ ...base, sandbox: { socket: 'emulator', emulatorUrl: 'ws://127.0.0.1:4100/ws/chat', emulatorDir: 'data/emulator' } })
  assert.equal(s.sandbox.socket, 'emulator')
  assert.equal(s.sandbox.emulatorUrl, 'ws://127.0.0.1:4100/ws/chat')
  assert.equal(s.sandbox.emulatorDir, `${process.cwd()}/data/emulator`)
  for (const sandbox of [{ socket: 'fake' }, { emulatorUrl: 'ws://10.0.0.5:4100/ws/chat' }, { emulatorUrl: 'http://127.0.0.1:1' }, { emulatorUrl: 'ws://web.whatsapp.com/ws/chat' }, { emulatorDir: '' }]) {
    assert.throws(() => parseHello({ ...base, sandbox }), (err) => err instanceof EngineError && err.code === 'bad_request', JSON.stringify(sandbox))
  }
})

test('hello rejects what the engine cannot use with bad_request', () => {
  const bad = [
    null, [], { ...base, protocol: 2 }, { ...base, protocol: '1' }, { ...base, mode: 'cloud' }, { ...base, sessionsDir: '' },
    { ...base, logLevel: 'loud' }, { ...base, baileys: { waWebSocketUrl: 'http://x' } },
    { ...base, baileys: { connectTimeoutMs: 0 } }, { ...base, sandbox: { qrRefs: 1.5 } }, { ...base, sandbox: { connectDelayMs: -1 } },
    { ...base, ignoreStatusBroadcast: 'no' }, { ...base, sandbox: { receiptDelayMs: -5 } }, { ...base, sandbox: { historyChats: 51 } },
    { ...base, sandbox: { historyChats: 2.5 } }
  ]
  for (const args of bad) {
    assert.throws(() => parseHello(args), (err) => err instanceof EngineError && err.code === 'bad_request', JSON.stringify(args))
  }
})

test('explicit settings are kept; relative sessionsDir is resolved', () => {
  const s = parseHello({ ...base, sessionsDir: 'data/sessions', logLevel: 'debug', baileys: { waWebSocketUrl: 'ws://127.0.0.1:9', connectTimeoutMs: 500 }, sandbox: { connectDelayMs: 0 } })
  assert.equal(s.sessionsDir, `${process.cwd()}/data/sessions`)
  assert.equal(s.logLevel, 'debug')
  assert.deepEqual(s.baileys, { waWebSocketUrl: 'ws://127.0.0.1:9', connectTimeoutMs: 500 })
  assert.equal(s.sandbox.connectDelayMs, 0)
})

test('messaging settings: status@broadcast can be kept, receipts and history switched off', () => {
  const s = parseHello({ ...base, ignoreStatusBroadcast: false, sandbox: { receiptDelayMs: 0, historyChats: 0 } })
  assert.equal(s.ignoreStatusBroadcast, false)
  assert.equal(s.sandbox.receiptDelayMs, 0)
  assert.equal(s.sandbox.historyChats, 0)
})
