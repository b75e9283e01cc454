import { createBaileysSocket } from './baileys.js'
import { createEmulatorSocket } from './emulator.js'

/**
 * @typedef {(opts: {auth: {creds: any, keys: any}, logger: import('pino').Logger, getMessage: (key: any) => Promise<any>, cachedGroupMetadata?: (jid: string) => Promise<any>, options?: object}) =>
 *   {sock: import('../registry.js').EngineSocket, qrTiming: import('../registry.js').QrTiming}} SocketFactory
 *   `getMessage` is Baileys' retry-receipt hook, served by Java (requests.js); both factories use it.
 *   `cachedGroupMetadata`: the socket's group cache (groups.js), read by Baileys on group sends.
 *   `options`: makeWASocket settings that follow the connection's settings (behaviour.js socketOptionsFor).
 */

/**
 * The socket factory for the mode chosen in `hello`. Both modes run the real Baileys socket:
 * production dials WhatsApp; the sandbox dials the emulated WhatsApp behind `link` and adds the
 * `sandbox.*` controls. Everything else in the engine is the same for both modes.
 * @param {import('../config.js').EngineSettings} settings
 * @param {import('../sandbox/emulator-link.js').EmulatorLink|null} [link]  required in sandbox mode
 * @returns {SocketFactory}
 */
export function socketFactoryFor (settings, link = null) {
  if (settings.mode === 'sandbox') {
    if (!link) throw new Error('the sandbox needs an emulator link')
    return ({ auth, logger, getMessage, cachedGroupMetadata, options }) => createEmulatorSocket({ auth, logger, settings, link, getMessage, cachedGroupMetadata, options })
  }
  return ({ auth, logger, getMessage, cachedGroupMetadata, options }) => createBaileysSocket({ auth, logger, baileys: settings.baileys, getMessage, cachedGroupMetadata, extraConfig: options })
}
