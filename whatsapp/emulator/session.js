import { KEY_BUNDLE_TYPE } from 'baileys'
import { createFrameReader, createServerHandshake, encodeFrame } from './noise.js'
import { decodeBinaryNode, encodeBinaryNode, iqError, iqResult, IqError, readUIntBE, serverId, streamErrorNode, unixTime } from './nodes.js'
import { verifySignature } from './verify.js'

/*
 * One client connection, from the WebSocket upgrade to its close: Noise handshake, then either
 * registration (QR refs; pairing completes through emulator.scan) or login (success, offline
 * marker), then binary nodes in both directions. Frames are handled strictly in arrival order.
 *
 * Guarantees: nothing is sent after the session closed; every client IQ gets exactly one answer
 * (result, or an IQ error when no handler exists or the handler failed); server-originated IQs
 * (`query`) settle with the client's answer or reject when the connection closes or times out.
 * Handlers and hooks run inside the in-order frame chain, so they must never await a client's
 * answer to a `query` (that answer is queued behind them); send it and handle the answer later.
 */

const REF_COUNT_DEFAULT = 6
/** A connection that has not finished the Noise handshake by then is dropped, as a server would. */
const HANDSHAKE_TIMEOUT_MS = 20000

/**
 * @param {object} a
 * @param {import('ws').WebSocket} a.ws
 * @param {any} a.emulator  the owning emulator (accounts, iq registry, hooks, cert authority)
 * @param {number} a.id
 */
export function createSession ({ ws, emulator, id }) {
  /** @type {'handshake'|'registering'|'open'|'closed'} */
  let state = 'handshake'
  /** @type {ReturnType<typeof createServerHandshake>|null} */ let handshake = null
  let helloSeen = false
  const handshakeTimer = setTimeout(() => { if (!transport) session.drop() }, emulator.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS)
  /** @type {{encrypt: Function, decrypt: Function}|null} */ let transport = null
  let chain = Promise.resolve()
  /** @type {Map<string, {resolve: Function, reject: Function, timer: NodeJS.Timeout}>} */
  const pending = new Map()

  const session = {
    id,
    /** @type {Buffer|null} the client's Noise static key, known after the handshake */
    clientStatic: null,
    /** @type {import('./accounts.js').Device|null} set once logged in */
    device: null,
    /** @type {{identityKey: Buffer, registrationId: number, signedPreKey: any}|null} while registering */
    registration: null,
    /** @type {string[]} QR refs sent to this (registering) connection */
    refs: [],
    get state () { return state },
    get open () { return state !== 'closed' },
    /** Bytes queued on the WebSocket and not yet sent (backpressure for floods). */
    get buffered () { return ws.bufferedAmount },

    /** Sends one node; false when the session is already closed. @param {any} node */
    send (node) {
      if (state === 'closed' || !transport) return false
      emulator.log('send', id, node)
      ws.send(encodeFrame(transport.encrypt(encodeBinaryNode(node))))
      return true
    },

    /**
     * Sends a server-originated IQ and resolves with the client's answer.
     * @param {any} node @param {number} [timeoutMs]
     */
    query (node, timeoutMs = 20000) {
      node.attrs.id = node.attrs.id || serverId()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { pending.delete(node.attrs.id); reject(new Error('client did not answer in time')) }, timeoutMs)
        pending.set(node.attrs.id, { resolve, reject, timer })
        if (!session.send(node)) settle(node.attrs.id, null, new Error('connection closed'))
      })
    },

    /** Sends the stream error for `code` and closes, as the server does. @param {number} code */
    streamError (code) {
      session.send(streamErrorNode(code))
      session.close()
    },

    /** Closes the WebSocket cleanly (close frame). */
    close () {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close()
      closed()
    },

    /** Drops the TCP connection without a close frame (a network failure as the client sees it). */
    drop () {
      ws.terminate()
      closed()
    }
  }

  /** @param {string} nodeId @param {any} value @param {Error} [err] */
  function settle (nodeId, value, err) {
    const p = pending.get(nodeId)
    if (!p) return false
    pending.delete(nodeId)
    clearTimeout(p.timer)
    if (err) p.reject(err); else p.resolve(value)
    return true
  }

  function closed () {
    if (state === 'closed') return
    state = 'closed'
    clearTimeout(handshakeTimer)
    for (const key of [...pending.keys()]) settle(key, null, new Error('connection closed'))
    emulator.sessionClosed(session)
  }

  const reader = createFrameReader(
    (intro) => { handshake = createServerHandshake(emulator.staticKey, intro) },
    (frame) => { chain = chain.then(() => onFrame(frame)).catch((err) => fail(err)) }
  )

  /** @param {Error} err */
  function fail (err) {
    emulator.log('error', id, err.message)
    if (state !== 'closed') session.drop()
  }

  /** @param {Buffer} frame */
  async function onFrame (frame) {
    if (state === 'closed') return
    if (!transport) {
      if (!handshake) throw new Error('frame before intro')
      if (!helloSeen) {
        handshake.receiveClientHello(frame)
        helloSeen = true
        ws.send(encodeFrame(handshake.serverHello(emulator.certificateChain())))
        return
      }
      const { clientStatic, payload } = handshake.receiveClientFinish(frame)
      session.clientStatic = clientStatic
      transport = handshake.split()
      clearTimeout(handshakeTimer)
      await onClientPayload(payload)
      return
    }
    const node = await decodeBinaryNode(transport.decrypt(frame))
    emulator.log('recv', id, node)
    await dispatch(node)
  }

  /** Registration (no username) or login (username + device). @param {any} payload */
  async function onClientPayload (payload) {
    if (payload.username === null || payload.username === undefined || String(payload.username) === '0') {
      const pd = payload.devicePairingData
      // A registration must carry a well-formed identity and a signed prekey its identity signed.
      if (!pd?.eIdent || pd.eIdent.length !== 32 || !pd.eRegid || !pd.eSkeyId || !pd.eSkeyVal || !pd.eSkeySig ||
          !verifySignature(pd.eIdent, Buffer.concat([KEY_BUNDLE_TYPE, pd.eSkeyVal]), pd.eSkeySig)) {
        session.send({ tag: 'failure', attrs: { reason: '400', location: 'emulator' } })
        session.close()
        return
      }
      state = 'registering'
      session.registration = {
        identityKey: Buffer.from(pd.eIdent),
        registrationId: readUIntBE(Buffer.from(pd.eRegid)),
        signedPreKey: { id: readUIntBE(Buffer.from(pd.eSkeyId)), public: Buffer.from(pd.eSkeyVal), signature: Buffer.from(pd.eSkeySig) }
      }
      session.refs = emulator.issueRefs(session, emulator.options.qrRefs ?? REF_COUNT_DEFAULT)
      const node = {
        tag: 'iq',
        attrs: { from: 's.whatsapp.net', type: 'set', id: serverId(), xmlns: 'md' },
        content: [{ tag: 'pair-device', attrs: {}, content: session.refs.map((r) => ({ tag: 'ref', attrs: {}, content: Buffer.from(r) })) }]
      }
      // Not awaited: the answer arrives through this same in-order frame chain.
      session.query(node).catch(() => {})
      return
    }
    const phone = String(payload.username)
    const device = emulator.accounts.findDevice(phone, Number(payload.device ?? 0))
    if (!device || device.removed || !device.noiseKey.equals(session.clientStatic)) {
      // Unknown or unlinked device, or a Noise key that is not the one that paired: logged out.
      emulator.log('refused', id, { phone, device: payload.device, known: !!device, removed: device?.removed, noiseMatches: device?.noiseKey.equals(session.clientStatic) })
      session.send({ tag: 'failure', attrs: { reason: '401', location: 'emulator' } })
      session.close()
      return
    }
    emulator.loggedIn(session, device)
    session.device = device
    state = 'open'
    session.send({
      tag: 'success',
      attrs: { t: unixTime(), props: '1', abprops: '1', location: 'emulator', creation: unixTime(), lid: device.lid }
    })
    // Edge routing info, as WhatsApp sends it: the client saves it and prefixes its next intro with it.
    session.send({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'edge_routing', attrs: {}, content: [{ tag: 'routing_info', attrs: {}, content: emulator.routingInfo }] }] })
    const offline = await emulator.runLoginHooks(session)
    session.send({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(offline) } }] })
  }

  /** @param {any} node */
  async function dispatch (node) {
    if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
      settle(node.attrs.id, node)
      return
    }
    if (node.tag === 'iq') {
      const handler = emulator.iq.find(node)
      if (!handler) {
        session.send(iqError(node, 501, 'feature-not-implemented'))
        return
      }
      try {
        const content = await handler({ session, node, device: session.device, emulator })
        session.send(iqResult(node, content || undefined))
      } catch (err) {
        if (err instanceof IqError) session.send(iqError(node, err.code, err.text))
        else {
          emulator.log('error', id, `iq handler failed: ${err.message}`)
          session.send(iqError(node, 500, 'internal-server-error'))
        }
      }
      return
    }
    const hook = emulator.stanzaHandler(node.tag)
    if (hook) await hook({ session, node, device: session.device, emulator })
  }

  ws.on('message', (data) => {
    try {
      reader(Buffer.isBuffer(data) ? data : Buffer.from(/** @type {any} */ (data)))
    } catch (err) {
      fail(/** @type {Error} */ (err))
    }
  })
  ws.on('close', closed)
  ws.on('error', () => closed())
  return session
}
