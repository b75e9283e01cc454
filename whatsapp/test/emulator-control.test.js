import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { applyTrustFixes, trustServerRoot } from '../src/trust.js'
import { connect, PHONE, sessionDir } from './support/emulator.js'

/*
 * The standalone emulator (`node emulator/server.js --port N`) and its HTTP control API,
 * driven the way a gateway or a test outside the process would, against the real Baileys socket.
 */

const SERVER = fileURLToPath(new URL('../emulator/server.js', import.meta.url))

/** Starts the standalone emulator; resolves with its printed URL and the HTTP base. */
async function startStandalone (t) {
  const child = spawn(process.execPath, [SERVER, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.after(() => { if (child.exitCode === null) child.kill('SIGTERM') })
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator printed no URL within 10 s')), 10000)
    createInterface({ input: child.stdout }).once('line', (l) => { clearTimeout(timer); resolve(l) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`emulator exited ${code}`)) })
  })
  const m = /^ws:\/\/127\.0\.0\.1:(\d+)\/ws\/chat$/.exec(line)
  assert.ok(m, `first stdout line is the URL, got ${line}`)
  return { url: line, http: `http://127.0.0.1:${m[1]}`, child }
}

async function call (base, method, path, body) {
  const res = await fetch(base + path, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }) })
  return { status: res.status, body: await res.json() }
}

test('standalone emulator: prints its URL; pairing, stream errors and drops through the HTTP control API', async (t) => {
  applyTrustFixes()
  const { url, http } = await startStandalone(t)
  const info = await call(http, 'GET', '/control/info')
  assert.equal(info.status, 200)
  assert.equal(info.body.url, url)
  trustServerRoot({ publicKey: Buffer.from(info.body.rootPublicKey, 'base64'), serial: info.body.serial })

  const emulator = { url }
  const dir = await sessionDir(t)
  const first = await connect(emulator, dir)
  const scan = await call(http, 'POST', '/control/scan', { qr: await first.qr(), phone: PHONE })
  assert.equal(scan.status, 200)
  assert.equal(scan.body.jid, `${PHONE}:1@s.whatsapp.net`)
  assert.equal((await first.closed()).code, 515)
  await first.flushed()

  const client = await connect(emulator, dir)
  await client.opened()
  const device = await call(http, 'GET', `/control/devices/${PHONE}`)
  assert.equal(device.status, 200)
  assert.equal(device.body.online, true)
  assert.ok(device.body.preKeyCount > 0)
  assert.deepEqual(await call(http, 'POST', '/control/stream-error', { phone: PHONE, code: 503 }), { status: 200, body: { sessions: 1 } })
  assert.equal((await client.closed()).code, 503)

  const again = await connect(emulator, dir)
  await again.opened()
  assert.deepEqual(await call(http, 'POST', '/control/drop', { phone: PHONE }), { status: 200, body: { sessions: 1 } })
  assert.equal((await again.closed()).code, 428)
})

test('control API: bad input gets a JSON error and changes nothing', async (t) => {
  const { http } = await startStandalone(t)
  const cases = [
    ['POST', '/control/scan', 'not json', 400, 'bad_request'],
    ['POST', '/control/scan', [1, 2], 400, 'bad_request'],
    ['POST', '/control/scan', { qr: 'x', phone: '+1555' }, 400, 'bad_request'],
    ['POST', '/control/scan', { phone: PHONE }, 400, 'bad_request'],
    ['POST', '/control/scan', { qr: 'not a qr', phone: PHONE }, 409, 'scan_refused'],
    ['POST', '/control/stream-error', { phone: PHONE, code: 999 }, 400, 'bad_request'],
    ['POST', '/control/stream-error', { phone: PHONE, code: '515' }, 400, 'bad_request'],
    ['POST', '/control/history/seed', { phone: PHONE, chats: [{ jid: 'nobody' }] }, 400, 'bad_request'],
    ['POST', '/control/history/seed', { phone: PHONE, held: [] }, 400, 'bad_request'],
    ['POST', '/control/history/seed', { phone: PHONE, held: { chats: [], syncType: 'FULL' } }, 400, 'bad_request'],
    ['POST', '/control/history/seed', { phone: PHONE, chats: [{ jid: '15550002222@s.whatsapp.net', messages: [{ fromMe: true }] }] }, 400, 'bad_request'],
    ['POST', '/control/history/seed', { chats: [] }, 400, 'bad_request'],
    ['GET', `/control/devices/${PHONE}`, undefined, 404, 'not_found'],
    ['GET', '/control/nothing', undefined, 404, 'not_found'],
    ['DELETE', '/control/scan', undefined, 404, 'not_found']
  ]
  for (const [method, path, body, status, code] of cases) {
    const res = await call(http, method, path, body)
    assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}`)
    assert.equal(res.body.error.code, code)
    assert.equal(typeof res.body.error.message, 'string')
  }
  const info = await call(http, 'GET', '/control/info')
  assert.deepEqual(info.body.stats, { logins: 0, pairings: 0, replaced: 0, refused: 0 })
})

test('standalone emulator with --exit-with-stdin: stops when its stdin closes (a killed parent leaves no orphan)', async () => {
  const child = spawn(process.execPath, [SERVER, '--port', '0', '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  const lines = createInterface({ input: /** @type {any} */ (child.stdout) })
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator printed no URL within 30 s')), 30000)
    lines.once('line', (l) => { clearTimeout(timer); resolve(l) })
  })
  const http = String(line).replace(/^ws:/, 'http:').replace(/\/ws\/chat$/, '')
  // it listens while its stdin is open
  assert.equal((await fetch(http + '/control/info')).status, 200)
  child.stdin?.end()
  const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running after 30 s'), 30000))])
  if (code === 'still running after 30 s') child.kill('SIGKILL')
  assert.equal(code, 0)
})
