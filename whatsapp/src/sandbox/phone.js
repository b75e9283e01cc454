import { randomBytes, randomInt } from 'node:crypto'

/*
 * What the simulated phone and server "say": the creds a successful pairing writes, the ref
 * strings of a QR session, and the Boom messages Baileys uses for each close code.
 */

/**
 * A QR ref as the WhatsApp server hands them out in `pair-device` (`2@` + base64 blob).
 * @returns {string}
 */
export function newQrRef () {
  return `2@${randomBytes(48).toString('base64')}`
}

/**
 * The creds update a successful pairing produces, shaped like Baileys'
 * configureSuccessfulPairing() result: `me` (PN jid with device 1, lid), the signed device
 * identity (`account`, random bytes here), `platform`, plus `registered: true`, the sandbox's
 * own "this device is linked" flag (real QR pairing leaves `registered` false).
 * @param {string} phone  digits only
 * @param {string|null} name
 */
export function pairedCreds (phone, name) {
  const lidUser = `${randomInt(100000, 1000000)}${randomInt(100000000, 1000000000)}` // 15 digits, like real LIDs
  return {
    me: { id: `${phone}:1@s.whatsapp.net`, lid: `${lidUser}:1@lid`, ...(name ? { name } : {}) },
    account: {
      details: randomBytes(48),
      accountSignatureKey: randomBytes(32),
      accountSignature: randomBytes(64),
      deviceSignature: randomBytes(64)
    },
    platform: 'android',
    registered: true
  }
}

/** Error messages Baileys uses when it ends a socket with these codes (Socket/socket.js). */
const CLOSE_MESSAGES = /** @type {Record<number, string>} */ ({
  401: 'Connection Failure',
  403: 'Connection Failure',
  408: 'Connection was lost',
  411: 'Multi-device beta not joined',
  428: 'Connection Closed',
  440: 'Stream Errored (conflict)',
  500: 'Stream Errored (unknown)',
  503: 'Stream Errored (service unavailable)',
  515: 'Stream Errored (restart required)'
})

/** @param {number} code */
export function closeMessage (code) {
  return CLOSE_MESSAGES[code] ?? `Connection Failure (${code})`
}
