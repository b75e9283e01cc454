import { createBaileysSocket } from './baileys.js'
import { createEmulatorSocket } from './emulator.js'
import { createSandboxSocket } from './sandbox.js'

/**
 * @typedef {(opts: {auth: {creds: any, keys: any}, logger: import('pino').Logger, getMessage: (key: any) => Promise<any>}) =>
 *   {sock: import('../registry.js').EngineSocket, qrTiming: import('../registry.js').QrTiming}} SocketFactory
 *   `getMessage` is Baileys' retry-receipt hook, served by Java (requests.js); both factories use it.
 */

/**
 * The socket factory for the mode chosen in `hello`. Everything else in the engine is the
 * same for both modes.
 * Sandbox with `sandbox.socket` "emulator": the real Baileys socket against `link`.
 * @param {import('../config.js').EngineSettings} settings
 * @param {import('../sandbox/emulator-link.js').EmulatorLink|null} [link]  required for the emulator socket
 * @returns {SocketFactory}
 */
export function socketFactoryFor (settings, link = null) {
  if (settings.mode === 'sandbox' && settings.sandbox.socket === 'emulator') {
    if (!link) throw new Error('sandbox socket "emulator" needs an emulator link')
    return ({ auth, logger, getMessage }) => createEmulatorSocket({ auth, logger, settings, link, getMessage })
  }
  if (settings.mode === 'sandbox') {
    return ({ auth, logger, getMessage }) => createSandboxSocket({ auth, logger, sandbox: settings.sandbox, getMessage })
  }
  return ({ auth, logger, getMessage }) => createBaileysSocket({ auth, logger, baileys: settings.baileys, getMessage })
}
