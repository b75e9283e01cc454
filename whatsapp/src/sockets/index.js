import { createBaileysSocket } from './baileys.js'
import { createSandboxSocket } from './sandbox.js'

/**
 * @typedef {(opts: {auth: {creds: any, keys: any}, logger: import('pino').Logger, getMessage: (key: any) => Promise<any>}) =>
 *   {sock: import('../registry.js').EngineSocket, qrTiming: import('../registry.js').QrTiming}} SocketFactory
 *   `getMessage` is Baileys' retry-receipt hook, served by Java (requests.js); both factories use it.
 */

/**
 * The socket factory for the mode chosen in `hello`. Everything else in the engine is the
 * same for both modes.
 * @param {import('../config.js').EngineSettings} settings
 * @returns {SocketFactory}
 */
export function socketFactoryFor (settings) {
  if (settings.mode === 'sandbox') {
    return ({ auth, logger, getMessage }) => createSandboxSocket({ auth, logger, sandbox: settings.sandbox, getMessage })
  }
  return ({ auth, logger, getMessage }) => createBaileysSocket({ auth, logger, baileys: settings.baileys, getMessage })
}
