import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/*
 * Drives a real engine process (`node src/main.js`) over stdin/stdout, the way the Java
 * service does. Every wait is bounded, so a broken engine fails a test instead of hanging CI.
 */

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url))

/**
 * Sandbox settings for tests: the real Baileys socket against the engine's own emulator
 * (in memory). Every QR ref lives 5 s (Baileys has one qrTimeout for all refs), so a scan on a
 * loaded machine still finds the QR showing; 3 refs, then 408.
 */
export const FAST_SANDBOX = { qrFirstMs: 5000, qrNextMs: 5000, qrRefs: 3, connectDelayMs: 10, socket: 'emulator' }

/** @returns {Promise<string>} a fresh temp dir (removed by the test's cleanup) */
export async function tempDir (prefix = 'wa-engine-test-') {
  return mkdtemp(join(tmpdir(), prefix))
}

/**
 * Spawns the engine. Collects every stdout line, asserting each is a protocol object.
 * @param {object} [opts]
 * @param {number} [opts.timeoutMs]  default bound for send()/next()
 * @param {string[]} [opts.nodeArgs]  node options before the script (e.g. --cpu-prof for a probe)
 */
export function spawnEngine ({ timeoutMs = 5000, nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, MAIN], { stdio: ['pipe', 'pipe', 'pipe'] })
  /** @type {any[]} */
  const lines = []
  /** @type {string[]} */
  const badLines = []
  /** replies by command id, so waiting for one reply does not rescan every line */
  /** @type {Map<string, any>} */
  const replies = new Map()
  let stderr = ''
  /** @type {Set<() => void>} */
  const waiters = new Set()
  const wake = () => { for (const w of [...waiters]) w() }

  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      const msg = JSON.parse(line)
      if (msg?.type !== 'reply' && msg?.type !== 'event' && msg?.type !== 'request') throw new Error('not a protocol object')
      lines.push(msg)
      if (msg.type === 'reply' && typeof msg.id === 'string') replies.set(msg.id, msg)
    } catch {
      badLines.push(line)
    }
    wake()
  })
  child.stderr.on('data', (d) => { stderr += d })
  /** @type {Promise<number|null>} */
  const exited = new Promise((resolve) => child.on('exit', (code) => { resolve(code); wake() }))
  let nextId = 1
  let cursor = 0
  let requestCursor = 0

  /**
   * Waits until `find()` returns something, or fails after `ms`.
   * @template T @param {() => T|undefined} find @param {number} ms @param {string} what
   * @returns {Promise<T>}
   */
  const waitUntil = (find, ms, what) => new Promise((resolve, reject) => {
    const check = () => {
      const found = find()
      if (found !== undefined) { cleanup(); resolve(found) }
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`timed out after ${ms} ms waiting for ${what}\nstdout so far:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr tail:\n${stderr.slice(-3000)}`))
    }, ms)
    const cleanup = () => { clearTimeout(timer); waiters.delete(check) }
    waiters.add(check)
    check()
  })

  return {
    child,
    /** every protocol object received so far */
    lines,
    /** stdout lines that were not protocol objects (must stay empty) */
    badLines,
    get stderr () { return stderr },
    exited,

    /** Writes a raw line to the engine's stdin. @param {string} line */
    writeRaw (line) {
      child.stdin.write(line + '\n')
    },

    /**
     * Sends a command and resolves with its reply (ok or not).
     * @param {string} cmd @param {object} [args] @param {number} [ms]
     */
    send (cmd, args, ms = timeoutMs) {
      const id = String(nextId++)
      child.stdin.write(JSON.stringify({ id, cmd, args }) + '\n')
      return waitUntil(() => replies.get(id), ms, `reply to ${cmd} #${id}`)
    },

    /**
     * Sends a command that must succeed; resolves with its result.
     * @param {string} cmd @param {object} [args] @param {number} [ms]
     */
    async ok (cmd, args, ms) {
      const reply = await this.send(cmd, args, ms)
      assert.equal(reply.ok, true, `${cmd} failed: ${JSON.stringify(reply)}`)
      return reply.result
    },

    /**
     * Sends the hello; resolves with its result. Its reply also waits for the process to start and
     * import Baileys (seconds on a quiet machine, up to 15 s seen on a loaded one), so it gets a
     * bound of its own instead of the per-command default.
     * @param {object} args
     */
    hello (args) {
      return this.ok('hello', { protocol: 1, logLevel: 'debug', ...args }, Math.max(timeoutMs, 45000))
    },

    /**
     * Next event (after the previous next() match) matching name/connectionId/predicate.
     * @param {string} event @param {{connectionId?: string|null, where?: (data: any) => boolean, ms?: number}} [opts]
     */
    async next (event, { connectionId, where, ms = timeoutMs } = {}) {
      const idx = await waitUntil(() => {
        for (let i = cursor; i < lines.length; i++) {
          const l = lines[i]
          if (l.type !== 'event' || l.event !== event) continue
          if (connectionId !== undefined && l.connectionId !== connectionId) continue
          if (where && !where(l.data)) continue
          return i
        }
        return undefined
      }, ms, `event ${event}${connectionId ? ` for ${connectionId}` : ''}`)
      cursor = idx + 1
      return lines[idx]
    },

    /**
     * The first event matching name/connectionId/predicate anywhere in the stream, waiting for it
     * if needed; the next() cursor does not move. For events whose order against others is not
     * fixed, e.g. the initial history.set, which Baileys may flush before or after connection.open.
     * @param {string} event @param {{connectionId?: string|null, where?: (data: any) => boolean, ms?: number}} [opts]
     */
    async seen (event, { connectionId, where, ms = timeoutMs } = {}) {
      const idx = await waitUntil(() => {
        const i = lines.findIndex((l) => l.type === 'event' && l.event === event &&
          (connectionId === undefined || l.connectionId === connectionId) && (!where || where(l.data)))
        return i >= 0 ? i : undefined
      }, ms, `event ${event}${connectionId ? ` for ${connectionId}` : ''} (anywhere)`)
      return lines[idx]
    },

    /**
     * Next engine → Java request (after the previous nextRequest() match).
     * @param {{request?: string, where?: (frame: any) => boolean, ms?: number}} [opts]
     */
    async nextRequest ({ request, where, ms = timeoutMs } = {}) {
      const idx = await waitUntil(() => {
        for (let i = requestCursor; i < lines.length; i++) {
          const l = lines[i]
          if (l.type !== 'request' || (request !== undefined && l.request !== request)) continue
          if (where && !where(l)) continue
          return i
        }
        return undefined
      }, ms, `request ${request ?? ''}`)
      requestCursor = idx + 1
      return lines[idx]
    },

    /** Events so far (optionally only those named `event`). @param {string} [event] */
    events (event) {
      return lines.filter((l) => l.type === 'event' && (event === undefined || l.event === event))
    },

    /** Closes stdin and resolves with the exit code; kills the process if it does not exit. */
    async end (ms = 5000) {
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), ms)
      const code = await exited
      clearTimeout(timer)
      return code
    },

    /** Test cleanup: make sure the process is gone. */
    kill () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }
}

/**
 * Per-test fixture: a temp sessions dir and a spawned engine, both cleaned up after the test.
 * @param {import('node:test').TestContext} t
 * @param {object} [opts] passed to spawnEngine
 */
export async function engineFixture (t, opts) {
  const dir = await tempDir()
  const engine = spawnEngine(opts)
  t.after(async () => {
    engine.kill()
    await rm(dir, { recursive: true, force: true })
  })
  return { engine, dir, sessionsDir: join(dir, 'sessions') }
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
