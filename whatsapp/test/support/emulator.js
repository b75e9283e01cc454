import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeWASocket, useMultiFileAuthState } from 'baileys'
import pino from 'pino'
import { createEmulator } from '../../emulator/emulator.js'
import { fixCurveVerify, trustServerRoot } from '../../src/trust.js'

/*
 * Test rig: an emulator plus REAL Baileys sockets (makeWASocket + useMultiFileAuthState in a
 * temp folder) dialing it. Every wait is bounded so a protocol mismatch fails instead of hanging.
 */

export const PHONE = '15550001111'
const SILENT = pino({ level: process.env.EMULATOR_TEST_LOG ?? 'silent' })

/**
 * Starts an emulator and trusts its root (as sandbox hello does), with the Curve.verify fix on.
 * @param {Parameters<typeof createEmulator>[0]} [opts]
 */
export async function startEmulator (opts) {
  fixCurveVerify()
  const emulator = await createEmulator(opts)
  const t = emulator.trust()
  trustServerRoot({ publicKey: t.rootPublicKey, serial: t.serial })
  return emulator
}

/** A fresh session folder; removed by `t.after`. @param {import('node:test').TestContext} t */
export async function sessionDir (t) {
  const dir = await mkdtemp(join(tmpdir(), 'wa-emulator-test-'))
  // Baileys may still be writing creds when a test ends: rm retries on ENOTEMPTY.
  t.after(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }))
  return dir
}

/**
 * Opens one Baileys socket on `dir` against the emulator. Records every connection.update.
 * @param {any} emulator @param {string} dir
 * @param {object} [config] extra makeWASocket config (e.g. qrTimeout)
 */
export async function connect (emulator, dir, config = {}) {
  const { state, saveCreds } = await useMultiFileAuthState(dir)
  const sock = makeWASocket({
    auth: state,
    logger: /** @type {any} */ (SILENT),
    waWebSocketUrl: emulator.url,
    browser: ['Gateway', 'Chrome', '1.0'],
    markOnlineOnConnect: false,
    ...config
  })
  /** @type {any[]} */ const updates = []
  /** @type {Set<() => void>} */ const waiters = new Set()
  let saving = Promise.resolve()
  sock.ev.on('creds.update', () => { saving = saving.then(saveCreds) })
  sock.ev.on('connection.update', (u) => { updates.push(u); for (const w of [...waiters]) w() })

  /**
   * Resolves with the first update (past or future) matching `pred`; rejects after timeoutMs.
   * @param {(u: any) => boolean} pred @param {string} what @param {number} [timeoutMs]
   */
  function waitFor (pred, what, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = updates.find(pred)
        if (!hit) return false
        waiters.delete(check); clearTimeout(timer); resolve(hit)
        return true
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`timed out waiting for ${what}; updates: ${JSON.stringify(updates.map(summary))}`))
      }, timeoutMs)
      if (!check()) waiters.add(check)
    })
  }
  return {
    sock,
    state,
    updates,
    waitFor,
    qr: () => waitFor((u) => !!u.qr, 'a QR').then((u) => u.qr),
    opened: () => waitFor((u) => u.connection === 'open', 'connection open'),
    /** @returns {Promise<{code: number|undefined, message: string|undefined}>} */
    closed: () => waitFor((u) => u.connection === 'close', 'connection close').then((u) => ({
      code: u.lastDisconnect?.error?.output?.statusCode, message: u.lastDisconnect?.error?.message
    })),
    /** creds writes are queued; await them before reading files. */
    flushed: () => saving,
    end: () => { try { sock.end(undefined) } catch {} }
  }
}

/** @param {any} u */
function summary (u) {
  return { ...u, qr: u.qr ? '<qr>' : undefined, lastDisconnect: u.lastDisconnect && { code: u.lastDisconnect.error?.output?.statusCode, message: u.lastDisconnect.error?.message } }
}

/**
 * Pairs a fresh folder end to end (QR, scan, 515) and logs in again; returns the open client.
 * The caller ends both sockets; `linkedClient` does that for a test.
 * @param {any} emulator @param {string} dir @param {string} [phone]
 * @param {object} [config] extra makeWASocket config for the logged-in socket (e.g. getMessage)
 * @param {{track?: (client: any) => void, beforeOpen?: (client: any) => void}} [hooks]
 *   track: gets every socket opened (for cleanup); beforeOpen: listeners to attach to the
 *   logged-in socket before its login can emit anything
 */
export async function pairAndLogin (emulator, dir, phone = PHONE, config = {}, hooks = {}) {
  const first = await connect(emulator, dir)
  hooks.track?.(first)
  const paired = await emulator.scan(await first.qr(), phone)
  const close = await first.closed()
  if (close.code !== 515) throw new Error(`expected 515 after pairing, got ${close.code} ${close.message}`)
  await first.flushed()
  const client = await connect(emulator, dir, config)
  hooks.track?.(client)
  hooks.beforeOpen?.(client)
  await client.opened()
  return { client, paired }
}

/**
 * One test's linked account: an emulator (the given one, or a new one closed after the test),
 * a fresh session folder, and a Baileys client paired and logged in on it.
 *
 * Cleanup guarantee: every socket opened here or through the returned `connect` is ended, and
 * its queued creds writes have settled, before the session folder is removed (node:test runs
 * `t.after` hooks in the order they were registered, so the cleanup is registered first).
 * Otherwise Baileys may write creds into a removed folder after the test.
 *
 * @param {import('node:test').TestContext} t
 * @param {{emulator?: any, emulatorOptions?: any, phone?: string, config?: object, beforeOpen?: (client: any) => void}} [opts]
 *   config: makeWASocket config of the logged-in socket (and the default for `connect`)
 */
export async function linkedClient (t, opts = {}) {
  const emulator = opts.emulator ?? await startEmulator(opts.emulatorOptions)
  if (!opts.emulator) t.after(() => emulator.close())
  /** @type {any[]} */ const clients = []
  t.after(async () => {
    for (const c of clients) {
      c.end()
      await c.closed().catch(() => {})
      await c.flushed()
    }
  })
  const dir = await sessionDir(t)
  const track = (c) => { clients.push(c) }
  const phone = opts.phone ?? PHONE
  const config = opts.config ?? {}
  const { client, paired } = await pairAndLogin(emulator, dir, phone, config, { track, beforeOpen: opts.beforeOpen })
  return {
    emulator,
    dir,
    phone,
    client,
    paired,
    /** Opens another socket on the same folder (not awaited open), ended by the same cleanup. @param {object} [cfg] */
    async connect (cfg = config) {
      const c = await connect(emulator, dir, cfg)
      track(c)
      return c
    }
  }
}
