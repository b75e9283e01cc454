#!/usr/bin/env node
// Applies the engine's two hooks to Baileys 7.0.0-rc14's receive path (run by npm as the
// engine's postinstall, so `npm ci` through the Maven build leaves a patched copy; idempotent).
//
// Why (docs/decisions.md "An inbound message is stored before WhatsApp hears it arrived"):
// Baileys sends a message's delivery receipt inside handleMessage, before it emits
// messages.upsert, so a process killed in between has told WhatsApp "delivered" for a message
// nobody stored, and WhatsApp never sends it again. The hooks let the engine (inbound-hold.js)
// 1. run each message stanza's handling in its own async scope (`inboundScope`), so the Signal
//    key writes its decryption makes can be held back until the message is stored, and
// 2. wait before the receipt (`beforeReceipt`) until Java has committed the message.
// Without the options in the socket config both hooks do nothing (plain Baileys behaviour).
//
// Fails closed: if Baileys' code does not contain the exact anchors (another version), the
// install fails here instead of the engine silently running without the guarantee; the engine
// also refuses hello's `holdReceipts` when the marker is missing (inbound-hold.js).
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const MARKER = 'wa-gateway inbound hooks v1'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const file = join(root, 'node_modules', 'baileys', 'lib', 'Socket', 'messages-recv.js')

const PATCHES = [
  {
    anchor: '    const handleMessage = async (node) => {\n',
    replacement:
      `    // ${MARKER}: each message stanza is handled inside config.inboundScope (when given)\n` +
      '    const handleMessage = (node) => (config.inboundScope ? config.inboundScope(node, () => handleMessageInScope(node)) : handleMessageInScope(node));\n' +
      '    const handleMessageInScope = async (node) => {\n'
  },
  {
    anchor: '                        acked = true;\n                        await sendReceipt(msg.key.remoteJid, participant, [msg.key.id], type);\n',
    replacement:
      '                        acked = true;\n' +
      `                        // ${MARKER}: the receipt leaves only once the message is stored\n` +
      '                        if (config.beforeReceipt) await config.beforeReceipt(msg, node);\n' +
      '                        await sendReceipt(msg.key.remoteJid, participant, [msg.key.id], type);\n'
  }
]

const source = readFileSync(file, 'utf8')
if (source.includes(MARKER)) {
  console.log('patch-baileys: already patched')
  process.exit(0)
}
let patched = source
for (const { anchor, replacement } of PATCHES) {
  const at = patched.indexOf(anchor)
  if (at < 0 || patched.indexOf(anchor, at + 1) >= 0) {
    console.error(`patch-baileys: anchor not found exactly once in ${file}:\n${anchor}\nIs this Baileys 7.0.0-rc14?`)
    process.exit(1)
  }
  patched = patched.slice(0, at) + replacement + patched.slice(at + anchor.length)
}
patched += `\nglobalThis.__waGatewayInboundHooks = '${MARKER}';\n`
writeFileSync(file, patched)
console.log('patch-baileys: receive path patched')
