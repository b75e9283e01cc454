#!/usr/bin/env node
import { format } from 'node:util'
import { createEmulator } from './emulator.js'

/*
 * Standalone emulator: `node whatsapp/emulator/server.js --port N [--host 127.0.0.1] [--data DIR]
 * [--qr-refs N] [--delivery-delay-ms 200|none] [--read-delay-ms N|none] [--media-dir DIR] [--media-max-mb N]`.
 * With --data its state (identity, accounts,
 * contacts, ledgers) persists in DIR (owner-only), so it can be restarted without unlinking
 * anyone. Prints its WebSocket URL as the first stdout line (then nothing else on stdout); the
 * control API (docs/emulator.md) is on the same port. Stops on SIGINT/SIGTERM. The media host keeps
 * its blobs in memory (at most 128 MB, oldest evicted first; also with --data) unless --media-dir names a folder for
 * them; --media-max-mb changes that bound (the benchmark's media
 * flood hosts hundreds of MB, which must neither be evicted before the device downloads them nor
 * count as the emulator's resident set). With --exit-with-stdin it also stops when its stdin
 * closes: the gateway's engine pool starts it as a child (SharedEmulator.java), and a parent that
 * dies, even by kill -9, closes that pipe, so no orphan keeps the port and the data folder.
 */

// libsignal (the contacts' Signal sessions) prints with console.*: keep stdout for the URL, and
// drop its session dumps, which carry the simulated contacts' private keys.
for (const method of /** @type {const} */ (['log', 'info', 'debug', 'warn'])) {
  console[method] = (...args) => {
    const text = format(...args)
    if (/^(Closing session|Opening session|Closing open session|Removing old closed session|Session already)/.test(text)) return
    process.stderr.write(text + '\n')
  }
}

function arg (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}

const port = Number(arg('port', '0'))
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('usage: server.js --port N [--host 127.0.0.1] [--data DIR] [--qr-refs N] [--delivery-delay-ms N|none] [--read-delay-ms N|none]\n')
  process.exit(2)
}
const qrRefs = Number(arg('qr-refs', '6'))
if (!Number.isInteger(qrRefs) || qrRefs < 1) {
  process.stderr.write('--qr-refs must be a positive integer\n')
  process.exit(2)
}
const delay = arg('delivery-delay-ms', '200')
const deliveryDelayMs = delay === 'none' ? null : Number(delay)
if (deliveryDelayMs !== null && (!Number.isInteger(deliveryDelayMs) || deliveryDelayMs < 0)) {
  process.stderr.write('--delivery-delay-ms must be a whole number of milliseconds or none\n')
  process.exit(2)
}
// the contacts read what they got after this long (default none: reads only on command)
const read = arg('read-delay-ms', 'none')
const readDelayMs = read === 'none' ? null : Number(read)
if (readDelayMs !== null && (!Number.isInteger(readDelayMs) || readDelayMs < 0)) {
  process.stderr.write('--read-delay-ms must be a whole number of milliseconds or none\n')
  process.exit(2)
}
const mediaMaxMb = arg('media-max-mb', undefined)
if (mediaMaxMb !== undefined && (!/^[1-9][0-9]*$/.test(mediaMaxMb))) {
  process.stderr.write('--media-max-mb must be a positive whole number of megabytes\n')
  process.exit(2)
}
const dataDir = arg('data', undefined)
const mediaDir = arg('media-dir', undefined)
process.umask(0o077)
const media = { ...(mediaDir ? { dir: mediaDir } : {}), ...(mediaMaxMb ? { maxBytes: Number(mediaMaxMb) * 1024 * 1024 } : {}) }
const emulator = await createEmulator({ port, host: arg('host', '127.0.0.1'), dataDir, qrRefs, deliveryDelayMs, readDelayMs, media })
process.stdout.write(`${emulator.url}\n`)
const stop = () => { emulator.close().finally(() => process.exit(0)) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()
}
