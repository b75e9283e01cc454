import baileysDefaultLogger from 'baileys/lib/Utils/logger.js'

/**
 * Reserves stdout for protocol lines and returns the only writer allowed to use it.
 *
 * Guarantees: after this call, `console.log` and any other `process.stdout.write` caller
 * lands on stderr, and Baileys' module-level default pino logger (which writes straight to
 * fd 1 and is used unconditionally in a few places, e.g. group parsing in
 * Socket/communities.js) is silenced. Only the returned function writes to the real stdout.
 * Pipes are synchronous on Linux, so a written line is not lost on exit.
 *
 * @returns {(line: string) => boolean}
 */
export function reserveStdout () {
  const realWrite = process.stdout.write.bind(process.stdout)
  // Anyone else writing to stdout (console.log in a dependency) goes to stderr instead.
  process.stdout.write = /** @type {typeof process.stdout.write} */ (
    (/** @type {any[]} */ ...args) => process.stderr.write(.../** @type {[any]} */ (args))
  )
  baileysDefaultLogger.level = 'silent'
  return (line) => realWrite(line)
}

const CONSOLE_LEVELS = /** @type {const} */ ({ log: 'info', info: 'info', debug: 'debug', trace: 'trace', warn: 'warn', error: 'error' })

/**
 * Routes `console.*` of dependencies into the engine logger with only their text.
 *
 * Guarantees: no object a dependency hands to `console` is printed. libsignal logs whole
 * session records ("Closing session:", session) with console.info/warn; those hold root and
 * chain keys, which must never reach a log (the Java service copies engine stderr into its
 * own log). Strings and numbers are kept, an Error keeps its message, anything else becomes
 * `[object]`. Levels: log/info → info, warn → warn, error → error, debug/trace as named.
 *
 * @param {import('pino').Logger} logger
 */
export function redactConsole (logger) {
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    console[/** @type {keyof typeof CONSOLE_LEVELS} */ (method)] = (/** @type {unknown[]} */ ...args) => {
      logger[level]({ source: 'console' }, args.map(describe).join(' '))
    }
  }
}

/** @param {unknown} v */
function describe (v) {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v instanceof Error) return `${v.name}: ${v.message}`
  if (v === null || v === undefined) return String(v)
  return '[object]'
}
