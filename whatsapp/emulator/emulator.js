import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import { Curve } from 'baileys'
import { WebSocketServer } from 'ws'
import { createAccounts } from './accounts.js'
import { createCertificateAuthority } from './certs.js'
import { handleControl } from './control.js'
import { createIqRegistry, registerLoginHandlers } from './iq.js'
import { createHistory } from './history.js'
import { createMediaHost } from './media.js'
import { installMessaging } from './messaging.js'
import { installGroups } from './groups.js'
import { unixTime } from './nodes.js'
import { buildPairSuccess, checkPairDeviceSign, parseQr } from './pairing.js'
import { installPairingCode } from './pairing-code.js'
import { installProfiles } from './profiles.js'
import { installPresence } from './presence.js'
import { installRestrictions } from './restrictions.js'
import { createSession } from './session.js'
import { createStore } from './store.js'

/*
 * The emulated WhatsApp server: a loopback HTTP server whose `/ws/chat` upgrades to the
 * multi-device protocol (session.js) and whose `/control/*` routes drive it (control.js). The
 * same control operations are methods of the returned object, for in-process use.
 *
 * Per emulator: one Noise static key with its certificate chain (own test root), the accounts
 * (phones, linked devices, uploaded prekeys), the live sessions per device, the QR refs handed
 * out. Without `dataDir` nothing is persisted: a new emulator is a new, empty WhatsApp. With
 * `dataDir` the identity and accounts (and what plug-ins register with `emulator.store`) are
 * saved there (store.js) and loaded at start: a restarted emulator is the same WhatsApp, and
 * the sessions it linked log in again without a QR.
 */

export const CHAT_PATH = '/ws/chat'
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

/**
 * @param {object} [opts]
 * @param {number} [opts.port]   0 (default) = any free port
 * @param {string} [opts.host]   loopback only (default 127.0.0.1)
 * @param {number} [opts.qrRefs] refs per registering connection (default 6, like WhatsApp)
 * @param {number|null} [opts.deliveryDelayMs] contacts' automatic delivery receipts after this delay (default 200 ms; null = none)
 * @param {number|null} [opts.readDelayMs] contacts' automatic read receipts after this delay (default null = none)
 * @param {number} [opts.handshakeTimeoutMs] drop connections that have not completed the Noise handshake (default 20 s)
 * @param {(kind: string, ...args: any[]) => void} [opts.log]  protocol trace (default: silent)
 * @param {string} [opts.dataDir]  persist state here (owner-only); absent = in memory only
 * @param {number} [opts.saveDebounceMs]  coalescing window of routine saves (default 200 ms)
 * @param {{maxBytes?: number, maxBlobBytes?: number, dir?: string}} [opts.media]  media host bounds; `dir` persists blobs
 * @param {boolean} [opts.historyAfterPairing] the phone sends the initial history sync at a new device's first login (default true)
 */
export async function createEmulator (opts = {}) {
  const host = opts.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host)) throw new Error(`the emulator listens on loopback only, not ${host}`)
  const log = opts.log ?? (() => {})
  const store = createStore(opts.dataDir ?? null, { debounceMs: opts.saveDebounceMs, onError: (err) => log('error', 0, `saving state failed: ${err.message}`) })
  const identity = store.savedState('identity')
  const authority = createCertificateAuthority(identity?.authority)
  const staticKey = identity?.staticKey ?? Curve.generateKeyPair()
  store.register('identity', { save: () => ({ staticKey, authority: authority.save() }), load: () => {} })
  const accounts = createAccounts()
  store.register('accounts', { save: () => accounts.save(), load: (saved) => accounts.load(saved) })
  const iq = createIqRegistry()
  registerLoginHandlers(iq)
  const events = new EventEmitter()
  /** @type {Set<any>} */ const sessions = new Set()
  /** @type {Map<string, any>} device jid → its live session */ const live = new Map()
  /** @type {Map<string, any>} QR ref → registering session */ const refs = new Map()
  /** @type {Map<string, Function>} */ const stanzaHandlers = new Map()
  /** @type {Function[]} */ const loginHooks = []
  /** @type {null|'leaf'|'intermediate'|'leafKey'|'leafIssuer'} */ let forge = null
  const stats = { logins: 0, pairings: 0, replaced: 0, refused: 0 }
  let nextSessionId = 1

  // Default stanza handling until the Signal part plugs in: the server acks what it accepted.
  const ack = (cls) => ({ session, node }) => {
    session.send({ tag: 'ack', attrs: { class: cls, id: node.attrs.id, t: unixTime(), from: node.attrs.to ?? 's.whatsapp.net', ...(node.attrs.type ? { type: node.attrs.type } : {}) } })
  }
  stanzaHandlers.set('message', ack('message'))
  stanzaHandlers.set('receipt', ack('receipt'))

  const emulator = {
    options: { qrRefs: opts.qrRefs, handshakeTimeoutMs: opts.handshakeTimeoutMs },
    staticKey,
    /** Persistence (store.js): `changed()` after routine changes, `await flush()` before acknowledging one that matters. */
    store,
    /** Opaque edge-routing bytes sent after login (the client echoes them in its `ED` intro). */
    routingInfo: Buffer.from([0x08, 0x02, 0x08, 0x05]),
    accounts,
    iq,
    events,
    stats,
    url: '',
    port: 0,
    log,

    /** What a client must trust to accept this emulator's certificate chain. */
    trust: () => authority.trust(),
    /** The CertChain for the next handshake (forged only when a test asked for it). */
    certificateChain: () => authority.chainFor(emulator.staticKey.public, forge),
    /** Tests: make later handshakes present a forged chain (null = genuine). @param {null|'leaf'|'intermediate'|'leafKey'|'leafIssuer'} kind */
    forgeCertificates (kind) { forge = kind },

    /** Plugs a handler for client stanzas with this tag (`message`, `receipt`, `ack`, `notification` …). */
    onStanza (tag, handler) { stanzaHandlers.set(tag, handler) },
    /** The handler for a client stanza; a media retry receipt always goes to the media host (the phone answers it). */
    stanzaHandler: (tag) => {
      const handler = stanzaHandlers.get(tag) ?? null
      if (tag !== 'receipt') return handler
      return (ctx) => emulator.media.isRetryReceipt(ctx.node) ? emulator.media.answerRetryReceipt(ctx) : handler?.(ctx)
    },
    /** Runs after `<success>`, before `<ib><offline>`; returns how many offline stanzas it sent. */
    onLogin (hook) { loginHooks.push(hook) },
    async runLoginHooks (session) {
      let n = 0
      for (const hook of loginHooks) n += Number(await hook({ session, device: session.device, emulator })) || 0
      return n
    },

    /** Hands out `n` fresh refs for a registering session. */
    issueRefs (session, n) {
      const list = []
      for (let i = 0; i < n; i++) {
        const ref = `2@${randomBytes(24).toString('base64')}`
        refs.set(ref, session)
        list.push(ref)
      }
      return list
    },

    /** A device logged in on `session`: an older live session of the same device is replaced (440). */
    loggedIn (session, device) {
      const previous = live.get(device.jid)
      if (previous && previous !== session && previous.open) {
        stats.replaced++
        previous.streamError(440)
      }
      live.set(device.jid, session)
      stats.logins++
      events.emit('login', { jid: device.jid })
    },

    sessionClosed (session) {
      sessions.delete(session)
      for (const r of session.refs) refs.delete(r)
      if (session.device && live.get(session.device.jid) === session) live.delete(session.device.jid)
    },

    /**
     * The phone scans a linking QR: the server forwards pair-success to the connection that
     * showed it, waits for the companion's pair-device-sign, checks the device signature,
     * links the device and asks for a restart (515). Rejects when the ref is unknown, the QR's
     * keys do not belong to that connection, or the companion refuses (it closes on a bad
     * account signature) or signs wrongly.
     * @param {string} qr  the text Baileys put in connection.update `qr`
     * @param {string} phone  digits only, e.g. "15550001111"
     * @param {{signingKey?: Buffer, businessName?: string}} [how]  tests: sign the ADV identity with another key;
     *   `businessName`: the phone is a WhatsApp Business account with this name (pair-success `<biz name>`)
     * @returns {Promise<{jid: string, lid: string, deviceId: number}>}
     */
    async scan (qr, phone, how = {}) {
      const q = parseQr(qr)
      const session = refs.get(q.ref)
      if (!session || !session.open || session.state !== 'registering') throw new Error('QR ref unknown or expired')
      if (!q.noiseKey.equals(session.clientStatic) || !q.identityKey.equals(session.registration.identityKey)) {
        throw new Error('QR keys do not match the connection that showed it')
      }
      return emulator.completePairing(session, phone, q.identityKey, q.advSecret, how)
    },

    /**
     * The phone's last step of every linking (QR or pairing code): the server forwards
     * pair-success (HMAC'd with the ADV secret both sides now share) to the registering
     * connection, waits for its pair-device-sign, checks the device signature, links the device,
     * makes it durable and asks for the restart (515). Rejects when the companion refuses or
     * signs wrongly (then the connection is ended with 401).
     * @param {any} session  the registering connection
     * @param {string} phone @param {Buffer} identityKey  the companion's Signal identity
     * @param {Buffer} advSecret @param {{signingKey?: Buffer}} [how]
     * @returns {Promise<{jid: string, lid: string, deviceId: number}>}
     */
    async completePairing (session, phone, identityKey, advSecret, how = {}) {
      const p = accounts.phoneFor(phone)
      const deviceId = p.nextDeviceId; const keyIndex = p.nextKeyIndex
      const { node, details } = buildPairSuccess({ phone: p, deviceId, keyIndex, identityKey, advSecret, signingKey: how.signingKey, businessName: how.businessName })
      let reply
      try {
        reply = await session.query(node)
      } catch (err) {
        stats.refused++
        throw new Error(`companion refused pairing (${err.message})`)
      }
      const why = checkPairDeviceSign(reply, { details, identityKey, accountPublic: p.accountKey.public })
      if (why) {
        stats.refused++
        session.streamError(401)
        throw new Error(`pairing refused by the server: ${why}`)
      }
      p.nextDeviceId++; p.nextKeyIndex++
      const device = accounts.addDevice(p, {
        deviceId, keyIndex, noiseKey: session.clientStatic, identityKey,
        registrationId: session.registration.registrationId, signedPreKey: session.registration.signedPreKey
      })
      stats.pairings++
      // Durable before the phone reports success and the companion restarts into its login.
      await store.flush()
      events.emit('paired', { jid: device.jid })
      session.streamError(515)
      return { jid: device.jid, lid: device.lid, deviceId }
    },

    /** Plain data about a phone's newest linked device, or null. @param {string} phone */
    deviceFor (phone) {
      const d = accounts.devicesOf(phone).at(-1)
      if (!d) return null
      return {
        jid: d.jid, lid: d.lid, deviceId: d.deviceId, identityKey: d.identityKey, registrationId: d.registrationId,
        signedPreKey: d.signedPreKey, preKeyCount: d.preKeys.size, online: live.has(d.jid)
      }
    },

    /**
     * Sends a node to a device's live session (for the messaging parts of the emulator).
     * @param {string} jid device jid @param {any} node @returns {boolean} false when the device is offline
     */
    sendTo (jid, node) {
      const s = live.get(jid)
      return s ? s.send(node) : false
    },

    /** Live sessions of a phone's devices (or of one device jid). @param {string} who */
    liveSessions (who) {
      const jids = who.includes('@') ? [who] : accounts.devicesOf(who).map((d) => d.jid)
      return jids.map((j) => live.get(j)).filter(Boolean)
    },

    /**
     * Ends the phone's live sessions with a stream error (see nodes.js streamErrorNode).
     * 401 also unlinks the devices, as when the user removes them on the phone.
     * @param {string} who phone or device jid @param {number} code @returns {number} sessions ended
     */
    streamError (who, code) {
      const list = emulator.liveSessions(who)
      if (code === 401) {
        for (const s of list) { s.device.removed = true; events.emit('unlinked', { jid: s.device.jid, by: 'phone' }) }
        if (list.length > 0) store.flush().catch(() => {})
      }
      for (const s of list) s.streamError(code)
      return list.length
    },

    /** Drops the phone's live connections without a close frame. @param {string} who @returns {number} */
    drop (who) {
      const list = emulator.liveSessions(who)
      for (const s of list) s.drop()
      return list.length
    },

    /** Stops listening, drops every connection and saves the state a last time. */
    async close () {
      emulator.messaging.close()
      emulator.groups?.close()
      for (const s of [...sessions]) s.drop()
      try { store.close() } catch (err) { log('error', 0, `saving state failed: ${err.message}`) }
      await new Promise((resolve) => wss.close(() => resolve(undefined)))
      await new Promise((resolve) => { http.close(() => resolve(undefined)); http.closeAllConnections() })
    }
  }

  emulator.media = createMediaHost(emulator, opts.media)
  // Linking with a pairing code instead of a QR (emulator.enterPairingCode).
  installPairingCode(emulator)
  emulator.historyAfterPairing = opts.historyAfterPairing ?? true
  emulator.history = createHistory(emulator)
  // Signal messaging both ways (usync, key fetch, message/receipt/ack handlers, inbound controls).
  installMessaging(emulator, { deliveryDelayMs: opts.deliveryDelayMs, readDelayMs: opts.readDelayMs })
  // Contacts' names, presence on WhatsApp and profile pictures (emulator.setContact).
  installProfiles(emulator)
  // Presence, typing and calls between the device and contacts (emulator.presence).
  installPresence(emulator)
  // Groups: w:g2 IQs, w:gp2 notifications, sender-key group messages both ways (groups.js).
  installGroups(emulator)
  // Account restrictions: reach-out time lock, message capping, 463 to new contacts (emulator.restrictions).
  installRestrictions(emulator)

  const http = createServer((req, res) => {
    if (!emulator.media.handleHttp(req, res) && !emulator.servePicture(req, res)) handleControl(emulator, req, res)
  })
  // Idle keep-alive sockets are closed by the client (undici: after 4 s), never by this server
  // first: Node's default (5 s) raced the client's reuse of the socket whenever the emulator's
  // event loop was busy encrypting (its timer fires late), and a control call then failed with
  // "fetch failed" (the benchmark's first inbound flood lost one connection's burst that way).
  http.keepAliveTimeout = 65_000
  http.headersTimeout = 66_000
  const wss = new WebSocketServer({ noServer: true })
  http.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== CHAT_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sessions.add(createSession({ ws, emulator, id: nextSessionId++ }))
    })
  })
  await new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(opts.port ?? 0, host, () => resolve(undefined))
  })
  // Parts with state of their own persist like the accounts (messaging: contacts' Signal state,
  // ledgers), kept as the JSON text the part itself produces: its own encoding of keys.
  const messaging = /** @type {any} */ (emulator).messaging
  if (messaging?.toJSON && messaging?.fromJSON) {
    store.register('messaging', { save: () => JSON.stringify(messaging.toJSON()), load: (saved) => messaging.fromJSON(JSON.parse(saved)) })
    messaging.subscribe?.(() => store.changed())
  }
  const groups = /** @type {any} */ (emulator).groups
  store.register('groups', { save: () => JSON.stringify(groups.toJSON()), load: (saved) => groups.fromJSON(JSON.parse(saved)) })
  const address = /** @type {import('node:net').AddressInfo} */ (http.address())
  emulator.port = address.port
  emulator.url = `ws://${host.includes(':') ? `[${host}]` : host}:${address.port}${CHAT_PATH}`
  return emulator
}
