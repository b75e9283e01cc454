import './async-context.js' // first: before Baileys creates its per-socket AsyncLocalStorage
import { createInterface } from 'node:readline'
import { createEngine } from './commands.js'
import { createLogger } from './logger.js'
import { createProtocol, createWire } from './protocol.js'
import { redactConsole, reserveStdout } from './stdio.js'

/*
 * Entry point of the engine process (started by the Java service as `node whatsapp/src/main.js`).
 * stdin: commands, stdout: replies and events (nothing else), stderr: pino logs.
 */

// Session folders hold login keys: everything this process creates is owner-only
// (folders 0o700, files such as creds.json 0o600), whatever the parent's umask.
process.umask(0o077)

const writeLine = reserveStdout()
const logger = createLogger('info')
// libsignal prints session records (key material) through console: text only, never objects
redactConsole(logger)
const wire = createWire(writeLine)
const engine = createEngine({ logger, emitEvent: wire.emitEvent, sendRequest: wire.sendRequest })
const protocol = createProtocol({ commands: engine.commands, isReady: engine.isReady, wire, logger })

/** @type {Promise<void>|null} */
let stopping = null

/**
 * Closes all sockets (sessions kept, no close events) and exits with `code`. Idempotent:
 * EOF, SIGTERM and a broken stdout may all arrive; the first one wins.
 * @param {string} why
 * @param {number} [code]
 */
function shutdown (why, code = 0) {
  if (stopping) return stopping
  logger.info({ why }, 'shutting down')
  stopping = engine.shutdown()
    .catch((err) => logger.error({ err }, 'shutdown failed'))
    .finally(() => process.exit(code))
  return stopping
}

const input = createInterface({ input: process.stdin, crlfDelay: Infinity })
input.on('line', (line) => { void protocol.handleLine(line) })
// stdin EOF: the JVM is gone or stopping; never leave an orphan engine behind.
input.on('close', () => { void shutdown('stdin closed') })
process.on('SIGTERM', () => { void shutdown('SIGTERM') })
process.on('SIGINT', () => { void shutdown('SIGINT') })
// A broken stdout means nobody hears us any more: same as EOF.
process.stdout.on('error', (err) => { logger.warn({ err }, 'stdout error'); void shutdown('stdout error') })

// A stray rejection (Baileys fires many background queries) must not take 5,000 sockets down.
process.on('unhandledRejection', (reason) => {
  logger.error({ err: reason }, 'unhandled rejection')
})
// After an uncaught exception the process state is unknown (Node's advice): close sockets
// (sessions stay on disk) and exit 1; the Java supervisor restarts the engine and its connections.
process.on('uncaughtException', (err) => {
  logger.fatal({ err }, 'uncaught exception')
  void shutdown('uncaught exception', 1)
})

logger.info({ node: process.version }, 'engine started, waiting for hello')
