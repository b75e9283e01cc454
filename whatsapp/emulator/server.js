#!/usr/bin/env node
import { createEmulator } from './emulator.js'

/*
 * Standalone emulator: `node whatsapp/emulator/server.js --port N [--host 127.0.0.1] [--data DIR] [--qr-refs N]`.
 * With --data its identity and accounts persist in DIR (owner-only), so it can be restarted
 * without unlinking anyone.
 * Prints its WebSocket URL as the first stdout line (then nothing else on stdout); the control
 * API (docs/emulator.md) is on the same port. Stops on SIGINT/SIGTERM.
 */

function arg (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

const port = Number(arg('port', '0'))
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('usage: server.js --port N [--host 127.0.0.1] [--data DIR] [--qr-refs N]\n')
  process.exit(2)
}
const qrRefs = Number(arg('qr-refs', '6'))
if (!Number.isInteger(qrRefs) || qrRefs < 1) {
  process.stderr.write('--qr-refs must be a positive integer\n')
  process.exit(2)
}
process.umask(0o077)
const emulator = await createEmulator({ port, host: arg('host', '127.0.0.1'), dataDir: arg('data', undefined), qrRefs })
process.stdout.write(`${emulator.url}\n`)
const stop = () => { emulator.close().finally(() => process.exit(0)) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
