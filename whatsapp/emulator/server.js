#!/usr/bin/env node
import { createEmulator } from './emulator.js'

/*
 * Standalone emulator: `node whatsapp/emulator/server.js --port N [--host 127.0.0.1]`.
 * Prints its WebSocket URL as the first stdout line (then nothing else on stdout); the control
 * API (docs/emulator.md) is on the same port. Stops on SIGINT/SIGTERM.
 */

function arg (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

const port = Number(arg('port', '0'))
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('usage: server.js --port N [--host 127.0.0.1]\n')
  process.exit(2)
}
const emulator = await createEmulator({ port, host: arg('host', '127.0.0.1') })
process.stdout.write(`${emulator.url}\n`)
const stop = () => { emulator.close().finally(() => process.exit(0)) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
