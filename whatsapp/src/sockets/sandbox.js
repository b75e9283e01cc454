import { Boom } from '@hapi/boom'
import { DisconnectReason, buildPairingQRData, makeEventBuffer } from 'baileys'
import { EngineError } from '../errors.js'
import { createSandboxMessaging } from '../sandbox/messaging.js'
import { closeMessage, newQrRef, pairedCreds } from '../sandbox/phone.js'
import { BROWSER } from './browser.js'

/*
 * Sandbox socket factory: a simulated phone + WhatsApp server behind the part of Baileys'
 * socket interface the engine uses. It uses Baileys' own event emitter (makeEventBuffer) and
 * the real auth state from useMultiFileAuthState, and emits the same connection.update /
 * creds.update sequences Baileys does, so handlers.js cannot tell the difference.
 */

/**
 * Controls the simulated phone/server (only sandbox sockets have them).
 * @typedef {object} SandboxLinkControls
 * @property {() => boolean} isShowingQr
 * @property {(args: {phone: string, name: string|null}) => {linked: true, jid: string}} scan
 *   The phone scans the current QR. Throws EngineError('invalid_state') when none is showing.
 * @property {(code: number) => void} drop  The server closes the socket with this status code.
 *
 * @typedef {SandboxLinkControls & import('../sandbox/messaging.js').SandboxMessagingControls} SandboxControls
 */

/**
 * Creates a sandbox socket.
 *
 * Timeline: after `connectDelayMs` → connection.update {connection:'connecting'}; after
 * another `connectDelayMs` the "server" answers: a registered session (creds.me set and
 * creds.registered) opens (creds.update {me} then {connection:'open'}, like Baileys' login
 * success); a session the phone unlinked (me set, registered false) fails with 401; a fresh
 * one gets `qrRefs` QR refs (first lives qrFirstMs, the rest qrNextMs) and then closes with
 * Boom 408 'QR refs attempts ended', exactly how Baileys ends an unscanned QR session.
 * Once open, messaging works like Baileys' (sandbox/messaging.js): sendMessage, receipts,
 * fetchMessageHistory, the LID mapping store, and the initial history sync after a pairing.
 *
 * @param {object} opts
 * @param {{creds: any, keys: any}} opts.auth   state from useMultiFileAuthState
 * @param {import('pino').Logger} opts.logger   Baileys-level logger
 * @param {import('../config.js').SandboxSettings} opts.sandbox
 * @param {(key: any) => Promise<any>} opts.getMessage  served by Java (requests.js)
 * @returns {{sock: import('../registry.js').EngineSocket, qrTiming: import('../registry.js').QrTiming}}
 */
export function createSandboxSocket ({ auth, logger, sandbox, getMessage }) {
  const { creds } = auth
  const ev = makeEventBuffer(logger)
  /** @type {'dialing'|'qr'|'pairing'|'open'|'closed'} */
  let phase = 'dialing'
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set()

  /** Runs fn after ms unless the socket closed meanwhile. @param {number} ms @param {() => void} fn */
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t)
      if (phase !== 'closed') fn()
    }, ms)
    timers.add(t)
  }
  const clearTimers = () => {
    for (const t of timers) clearTimeout(t)
    timers.clear()
  }

  // Like Baileys' socket: the creds object stays live, merged before anyone else hears of it.
  ev.on('creds.update', (update) => Object.assign(creds, update))

  const messaging = createSandboxMessaging({ ev, auth, logger, sandbox, getMessage, later, isOpen: () => phase === 'open' })

  /**
   * Ends the socket once, Baileys-style: connection.update close with lastDisconnect, then
   * the emitter is torn down. Emitted asynchronously, as Baileys awaits ws.close() first.
   * @param {Error} [error]
   */
  const end = async (error) => {
    if (phase === 'closed') return
    phase = 'closed'
    clearTimers()
    messaging.close()
    await new Promise((resolve) => setImmediate(resolve))
    ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } })
    ev.removeAllListeners('connection.update')
    ev.destroy()
  }

  const showQrs = () => {
    phase = 'qr'
    const noiseKeyB64 = Buffer.from(creds.noiseKey.public).toString('base64')
    const identityKeyB64 = Buffer.from(creds.signedIdentityKey.public).toString('base64')
    let left = sandbox.qrRefs
    let lifetime = sandbox.qrFirstMs
    const next = () => {
      if (left === 0) {
        void end(new Boom('QR refs attempts ended', { statusCode: DisconnectReason.timedOut }))
        return
      }
      left -= 1
      const qr = buildPairingQRData(newQrRef(), noiseKeyB64, identityKeyB64, creds.advSecretKey, BROWSER)
      ev.emit('connection.update', { qr })
      later(lifetime, next)
      lifetime = sandbox.qrNextMs
    }
    next()
  }

  const serverAnswers = () => {
    if (!creds.me?.id) {
      showQrs()
    } else if (!creds.registered) {
      void end(new Boom(closeMessage(401), { statusCode: DisconnectReason.loggedOut, data: { reason: '401' } }))
    } else {
      phase = 'open'
      ev.emit('creds.update', { me: { ...creds.me } })
      ev.emit('connection.update', { connection: 'open' })
      messaging.onOpen()
    }
  }

  later(sandbox.connectDelayMs, () => {
    ev.emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined })
    later(sandbox.connectDelayMs, serverAnswers)
  })

  /** @type {SandboxControls} */
  const controls = {
    isShowingQr: () => phase === 'qr',
    scan ({ phone, name }) {
      if (phase !== 'qr') throw new EngineError('invalid_state', 'no QR is showing on this connection')
      const update = pairedCreds(phone, name)
      phase = 'pairing'
      clearTimers()
      // Baileys' pair-success sequence: creds.update, isNewLogin, then the server restarts the stream (515).
      ev.emit('creds.update', update)
      ev.emit('connection.update', { isNewLogin: true, qr: undefined })
      later(sandbox.connectDelayMs, () => {
        void end(new Boom(closeMessage(515), { statusCode: DisconnectReason.restartRequired }))
      })
      return { linked: true, jid: update.me.id }
    },
    drop (code) {
      if (phase === 'closed') throw new EngineError('invalid_state', 'socket already closed')
      // 401: the phone removed this device; remember it so a later start fails with 401 too
      if (code === DisconnectReason.loggedOut && creds.me?.id) ev.emit('creds.update', { registered: false })
      void end(new Boom(closeMessage(code), { statusCode: code }))
    },
    ...messaging.controls
  }

  /** @type {import('../registry.js').EngineSocket} */
  const sock = {
    ev: /** @type {any} */ (ev),
    authState: auth,
    get user () { return creds.me },
    signalRepository: { lidMapping: messaging.lidMapping },
    sendMessage: messaging.sendMessage,
    fetchMessageHistory: messaging.fetchMessageHistory,
    end,
    async logout (msg) {
      if (phase === 'closed') throw new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed })
      void end(new Boom(msg || 'Intentional Logout', { statusCode: DisconnectReason.loggedOut }))
    },
    sandbox: controls
  }
  return { sock, qrTiming: { firstMs: sandbox.qrFirstMs, nextMs: sandbox.qrNextMs } }
}
