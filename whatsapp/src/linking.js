import { EngineError } from './errors.js'

/*
 * Linking with a pairing code instead of a QR (docs/engine-protocol.md, `pairing.request`).
 * Baileys' requestPairingCode needs a socket in the registration phase, i.e. one that has
 * shown its first QR; the code then lives as long as that socket's QR refs (WhatsApp closes the
 * registration with 408 when they run out, exactly as for a QR).
 */

/** How long `pairing.request` waits for the socket's first QR: below Java's 30 s command timeout, so Java hears why. */
const FIRST_QR_TIMEOUT_MS = 25000

/**
 * @param {object} deps
 * @param {import('./registry.js').Registry} deps.registry
 * @param {import('pino').Logger} deps.logger
 * @returns {Record<string, import('./commands.js').CommandSpec>}
 */
export function linkingCommands ({ registry, logger }) {
  return {
    /**
     * Asks WhatsApp for a pairing code for `phone` on this connection's socket, once it has shown
     * its first QR. Replies `{code: "ABCD-EFGH", expiresAt}`: the code as a person types it, and
     * when the socket's QR refs run out (the end of the registration). `invalid_state` when the
     * socket is already linked or closes first; `not_found` without a socket.
     */
    'pairing.request': {
      needsHello: true,
      connection: true,
      async run (args) {
        const phone = args.phone
        if (typeof phone !== 'string' || !/^[1-9][0-9]{5,14}$/.test(phone)) throw new EngineError('bad_request', 'phone must be 6-15 digits without a leading 0')
        const entry = registry.get(args.connectionId)
        if (!entry) throw new EngineError('not_found', `no socket for ${args.connectionId}`)
        await firstQr(entry)
        const sock = /** @type {any} */ (entry.sock)
        let raw
        try {
          raw = await sock.requestPairingCode(phone)
        } catch (err) {
          throw new EngineError('send_failed', `pairing code request failed: ${/** @type {Error} */ (err).message}`)
        }
        logger.info({ connectionId: entry.connectionId }, 'pairing code requested') // never the code: it is a login secret
        return { code: formatCode(raw), expiresAt: codeExpiry(entry) }
      }
    }
  }
}

/**
 * Resolves once the socket is in the registration phase (has shown a QR); rejects when it is
 * already linked or closes before.
 * @param {import('./registry.js').SessionEntry} entry
 * @returns {Promise<void>}
 */
function firstQr (entry) {
  const linked = () => new EngineError('invalid_state', 'this connection is already linked')
  if (entry.hadSession || entry.authenticated || entry.state === 'open') return Promise.reject(linked())
  if (entry.qrCount > 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = (/** @type {Error|null} */ err) => {
      clearTimeout(timer)
      entry.sock.ev.off('connection.update', onUpdate)
      if (err) reject(err); else resolve(undefined)
    }
    const onUpdate = (/** @type {any} */ u) => {
      if (typeof u?.qr === 'string') done(null)
      else if (u?.isNewLogin || u?.connection === 'open') done(linked())
      else if (u?.connection === 'close') done(new EngineError('invalid_state', 'the socket closed before it could show a QR'))
    }
    const timer = setTimeout(() => done(new EngineError('not_ready', 'no QR within 25 s; try again')), FIRST_QR_TIMEOUT_MS)
    entry.sock.ev.on('connection.update', onUpdate)
  })
}

/** "ABCD1234" → "ABCD-1234", as WhatsApp shows it (the phone ignores the dash). @param {string} code */
export function formatCode (code) {
  const c = String(code).toUpperCase()
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : c
}

/**
 * When the code stops working: when the socket's last QR ref expires (first ref `firstMs`,
 * later ones `nextMs`, as many as the server handed out). Without a known ref count, the end of
 * the QR showing now.
 * @param {import('./registry.js').SessionEntry} entry
 * @returns {number} epoch ms
 */
export function codeExpiry (entry) {
  const first = entry.qrFirstAt ?? Date.now()
  const refs = entry.qrRefs ?? entry.qrCount
  return first + entry.qrTiming.firstMs + Math.max(0, refs - 1) * entry.qrTiming.nextMs
}

/**
 * A session folder whose creds carry `me` without an `account` never finished linking: Baileys'
 * requestPairingCode wrote the phone asked for, then the registration ended (code expired or
 * not entered). Such creds would make Baileys try to log in as that phone (and fail with 401),
 * so the next start forgets them and registers afresh (a new QR/code). Returns whether creds changed.
 * @param {any} creds
 */
export function forgetUnfinishedPairing (creds) {
  if (!creds?.me || creds.account) return false
  delete creds.me
  delete creds.pairingCode
  creds.registered = false
  return true
}
