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
