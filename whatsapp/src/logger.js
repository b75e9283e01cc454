import pino from 'pino'

/** Levels a `hello` may ask for; anything else is a bad_request. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/**
 * Creates the engine logger. Guarantees every log line goes to stderr (fd 2), never to
 * stdout, because stdout carries nothing but protocol lines. The destination is
 * synchronous so the last lines before an exit are not lost.
 * @param {string} [level]
 * @returns {import('pino').Logger}
 */
export function createLogger (level = 'info') {
  return pino(
    { level, base: { pid: process.pid, name: 'wa-engine' } },
    pino.destination({ dest: 2, sync: true })
  )
}

/**
 * Baileys logs a great deal at info; its child logger stays at 'warn' unless the operator
 * explicitly asked for 'debug'/'trace' in `hello`.
 * @param {string} engineLevel
 * @returns {string}
 */
export function baileysLevelFor (engineLevel) {
  return engineLevel === 'debug' || engineLevel === 'trace' ? engineLevel : 'warn'
}
