// Engine send probe (issue 18 evidence): one engine process with its in-process emulator, one
// linked account; N sends to N new chats one after another, three rounds of N at once, then N
// one after another to known chats (KNOWN_ROUNDS times); prints ms per send. PROBE_PROF=1 writes a V8 CPU profile of
// the engine to /tmp/prof; PROBE_ARGS replaces the engine's node options (e.g. "--import ./count.mjs"). Run: node whatsapp/bench/send-probe.mjs (N=64 by default).
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { FAST_SANDBOX, spawnEngine } from '../test/support/engine.js'
const newId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`
const dir = await mkdtemp(join(tmpdir(), 'probe-'))
const engine = spawnEngine({ timeoutMs: 60000, nodeArgs: process.env.PROBE_ARGS ? process.env.PROBE_ARGS.split(' ') : process.env.PROBE_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [] })
await engine.hello({ logLevel: process.env.PROBE_LOG ?? 'info', mode: 'sandbox', sessionsDir: join(dir, 'sessions'), sandbox: { ...FAST_SANDBOX, socket: 'emulator', emulatorDir: join(dir, 'emulator') } })
const id = 'p'
await engine.ok('start', { connectionId: id })
await engine.next('connection.qr', { connectionId: id })
await engine.ok('sandbox.scan', { connectionId: id, phone: '923004445556' })
await engine.next('connection.close', { connectionId: id, where: (d) => d.code === 515 })
await engine.ok('start', { connectionId: id })
await engine.next('connection.open', { connectionId: id })
const N = Number(process.env.N ?? 64)
const jid = (i) => `9234700${String(i).padStart(5, '0')}@s.whatsapp.net`
const send = async (i) => { const t = performance.now(); await engine.ok('send', { connectionId: id, messageId: newId(), jid: jid(i), content: { type: 'text', text: 'probe ' + i } }); return performance.now() - t }
let t0 = performance.now()
for (let i = 0; i < N; i++) await send(i)
console.log('warm sequential (new chats):', ((performance.now() - t0) / N).toFixed(1), 'ms/send')
for (let round = 0; round < 3; round++) {
  t0 = performance.now()
  const lat = await Promise.all(Array.from({ length: N }, (_, i) => send(i)))
  const total = performance.now() - t0
  lat.sort((a, b) => a - b)
  console.log(`concurrent ${N}: total ${total.toFixed(0)} ms = ${(total / N).toFixed(1)} ms/send; p50 ${lat[N >> 1].toFixed(0)} max ${lat[N - 1].toFixed(0)}`)
}
// KNOWN_ROUNDS (default 1) repeats the last phase, so a profile is mostly the steady state
for (let round = 0; round < Number(process.env.KNOWN_ROUNDS ?? 1); round++) {
  t0 = performance.now()
  for (let i = 0; i < N; i++) await send(i)
  console.log('sequential (known chats):', ((performance.now() - t0) / N).toFixed(1), 'ms/send')
}
engine.child.stdin.end()
await engine.exited
