import { connect, pairAndLogin, startEmulator } from './support/emulator.js'
import { mkdtempSync } from 'node:fs'
const emulator = await startEmulator({ log: (k, id, x) => { if (k === 'refused' || k === 'error') console.log(k, id, x) } })
const dir = mkdtempSync('/tmp/emu/s-')
const { client } = await pairAndLogin(emulator, dir)
client.end(); await client.closed()
const c = await connect(emulator, dir)
console.log(await Promise.race([c.opened(), c.closed()]))
process.exit(0)
