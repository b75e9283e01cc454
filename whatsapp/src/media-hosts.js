import { Agent as HttpsAgent } from 'node:https'
import { connect } from 'node:net'

/*
 * Sandbox only: makes Baileys' media traffic for WhatsApp's media hosts reach the emulator.
 *
 * Baileys 7.0.0-rc14 talks to the media hosts two ways (node_modules/baileys/lib/Utils/messages-media.js):
 *  - uploads: `uploadWithNodeHttp` POSTs with Node's `https` module to
 *    `https://<host from media_conn>/mms/<kind>/<hash>?auth=…`, passing the socket config's
 *    `fetchAgent` as the request's `agent`;
 *  - downloads (media, history blobs, app-state blobs): `getHttpStream` calls the global
 *    `fetch` (Node's bundled undici) with `dispatcher: options.dispatcher`, where `options` is
 *    the socket config's `options` (history, app state) or what the caller of
 *    `downloadMediaMessage` passes; no dispatcher means undici's global dispatcher.
 * The emulator serves plain HTTP on loopback, so:
 *  - `fetchAgent` is an https.Agent whose connections to a media host are plain TCP to the
 *    emulator (the request is then plain HTTP/1.1 on that socket); any other host gets the
 *    normal TLS connection;
 *  - `dispatcher` wraps undici's global dispatcher and rewrites the origin of requests to a
 *    media host to the emulator's http://127.0.0.1:PORT; any other origin passes unchanged.
 *    `install()` makes it the global dispatcher too (for downloads that pass no dispatcher),
 *    `uninstall()` restores the previous one.
 *
 * Media hosts are `mmg.whatsapp.net` and any `mmg*.whatsapp.net` / `media*.whatsapp.net` /
 * `*.cdn.whatsapp.net` name. `mediaHostsFor` returns null outside sandbox mode, and refuses an
 * emulator URL that is not loopback: in baileys mode nothing is redirected, ever.
 */

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** True for the host names WhatsApp serves media from. @param {string} host */
export function isMediaHost (host) {
  const h = String(host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')
  return h === 'mmg.whatsapp.net' || /^(mmg|media)[a-z0-9.-]*\.whatsapp\.net$/.test(h) || /\.cdn\.whatsapp\.net$/.test(h)
}

/**
 * The redirect for sandbox mode, or null in any other mode.
 * @param {{mode: string, emulatorUrl: string}} args  emulatorUrl: the emulator's ws:// or http:// URL (loopback only)
 * @returns {null|{origin: string, fetchAgent: import('node:https').Agent, dispatcher: any,
 *   socketConfig: {fetchAgent: any, options: {dispatcher: any}}, install: () => Promise<void>, uninstall: () => void}}
 */
export function mediaHostsFor ({ mode, emulatorUrl }) {
  if (mode !== 'sandbox') return null
  const u = new URL(emulatorUrl)
  if (!LOOPBACK.has(u.hostname)) throw new Error(`media hosts redirect only to a loopback emulator, not ${u.hostname}`)
  const port = Number(u.port || (u.protocol === 'wss:' || u.protocol === 'https:' ? 443 : 80))
  const host = u.hostname.replace(/^\[|\]$/g, '')
  const origin = `http://${u.hostname}:${port}`

  class EmulatorMediaAgent extends HttpsAgent {
    /** Plain TCP to the emulator for media hosts; TLS as usual for anything else. */
    createConnection (options, callback) {
      if (isMediaHost(options.host ?? options.hostname)) return connect({ host, port })
      // @ts-ignore https.Agent has createConnection at runtime
      return super.createConnection(options, callback)
    }
  }
  const fetchAgent = new EmulatorMediaAgent({ keepAlive: false })

  /** The dispatcher undici would use without us (resolved at dispatch time, never ourselves). */
  let previous
  const underlying = () => previous ?? globalThis[GLOBAL_DISPATCHER]
  const dispatcher = {
    /** undici Dispatcher.dispatch: rewrites media-host origins to the emulator. */
    dispatch (opts, handler) {
      const target = underlying()
      if (!target || target === dispatcher) throw new Error('no undici dispatcher to delegate to')
      const o = new URL(String(opts.origin))
      const redirected = isMediaHost(o.host) ? { ...opts, origin } : opts
      return target.dispatch(redirected, handler)
    },
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
    isMockActive: false
  }

  return {
    origin,
    fetchAgent,
    dispatcher,
    /** What to spread into makeWASocket's config: uploads via fetchAgent, history/app-state downloads via options.dispatcher. */
    socketConfig: { fetchAgent, options: { dispatcher } },
    /** Makes the redirect undici's global dispatcher as well (downloads that pass no dispatcher). */
    async install () {
      if (globalThis[GLOBAL_DISPATCHER] === dispatcher) return
      // Node loads its bundled undici (which creates the default global dispatcher) on first fetch.
      if (!globalThis[GLOBAL_DISPATCHER]) await fetch('data:,')
      previous = globalThis[GLOBAL_DISPATCHER]
      globalThis[GLOBAL_DISPATCHER] = dispatcher
    },
    /** Restores the global dispatcher that was there before install(). */
    uninstall () {
      if (globalThis[GLOBAL_DISPATCHER] === dispatcher) globalThis[GLOBAL_DISPATCHER] = previous
      previous = undefined
    }
  }
}
