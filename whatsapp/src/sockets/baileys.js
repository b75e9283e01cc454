import { makeCacheableSignalKeyStore, makeWASocket } from 'baileys'
import { BROWSER } from './browser.js'

/**
 * Real socket factory: one Baileys socket dialing WhatsApp (or `hello.baileys.waWebSocketUrl`,
 * e.g. a local listener in tests). No fetchLatestBaileysVersion: the engine never reaches out
 * to the network for anything but the socket itself.
 *
 * QR timing is Baileys' own (qrTimeout unset): the first ref lives 60 s, later ones 20 s;
 * `baileys.qrTimeoutMs` (sandbox against the emulator only) makes every ref live that long.
 * `getMessage` (retry receipts) asks Java for the stored content (requests.js), so a resend
 * works after a restart; Baileys' in-memory recent-message cache is tried first by Baileys itself.
 *
 * @param {object} opts
 * @param {{creds: any, keys: any}} opts.auth   state from useMultiFileAuthState
 * @param {import('pino').Logger} opts.logger   Baileys-level logger
 * @param {import('../config.js').BaileysSettings & {qrTimeoutMs?: number}} opts.baileys
 * @param {(key: any) => Promise<any>} opts.getMessage
 * @param {(jid: string) => Promise<any>} [opts.cachedGroupMetadata]  the socket's group cache (groups.js)
 * @param {object} [opts.extraConfig]  more makeWASocket config: the connection's settings (markOnlineOnConnect,
 *   shouldSyncHistoryMessage) and, against the emulator, the media host redirect
 * @returns {{sock: import('../registry.js').EngineSocket, qrTiming: import('../registry.js').QrTiming}}
 */
export function createBaileysSocket ({ auth, logger, baileys, getMessage, cachedGroupMetadata, extraConfig = {} }) {
  const sock = makeWASocket({
    // a store that caches itself (auth-store.js, postgres) is not wrapped: Baileys' cache would serialise its sets
    auth: { creds: auth.creds, keys: auth.keys.cached ? auth.keys : makeCacheableSignalKeyStore(auth.keys, /** @type {any} */ (logger)) },
    logger: /** @type {any} */ (logger),
    printQRInTerminal: false,
    browser: BROWSER,
    ...(baileys.waWebSocketUrl ? { waWebSocketUrl: baileys.waWebSocketUrl } : {}),
    connectTimeoutMs: baileys.connectTimeoutMs,
    ...(baileys.qrTimeoutMs ? { qrTimeout: baileys.qrTimeoutMs } : {}),
    markOnlineOnConnect: false,
    syncFullHistory: true,
    getMessage,
    ...(cachedGroupMetadata ? { cachedGroupMetadata } : {}),
    ...extraConfig
  })
  const qrTiming = baileys.qrTimeoutMs ? { firstMs: baileys.qrTimeoutMs, nextMs: baileys.qrTimeoutMs } : { firstMs: 60000, nextMs: 20000 }
  return { sock: /** @type {any} */ (sock), qrTiming }
}
