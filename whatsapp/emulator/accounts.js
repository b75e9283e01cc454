import { randomInt } from 'node:crypto'
import { Curve } from 'baileys'

/*
 * What the emulated server remembers about accounts, in memory: one simulated phone per
 * phone number (its account signing key, its LID), and the companion devices linked to it
 * (the device's Noise key, Signal identity, registration id, signed prekey and one-time
 * prekeys). The Signal side of the emulator builds prekey bundles from `device.preKeys` and
 * `device.signedPreKey`.
 */

/**
 * @typedef {object} Device
 * @property {string} phone
 * @property {number} deviceId
 * @property {string} jid        `${phone}:${deviceId}@s.whatsapp.net`
 * @property {string} lid        `${lidUser}:${deviceId}@lid`
 * @property {Buffer} noiseKey   the client's Noise static public key; login must present it
 * @property {Buffer} identityKey
 * @property {number} registrationId
 * @property {{id: number, public: Buffer, signature: Buffer}|null} signedPreKey
 * @property {Map<number, Buffer>} preKeys  uploaded one-time prekeys not yet handed out
 * @property {number} keyIndex
 * @property {boolean} removed   logged out (by the phone or by the device): login answers 401
 *
 * @typedef {object} Phone
 * @property {string} phone
 * @property {string} lidUser
 * @property {{public: Buffer, private: Buffer}} accountKey  signs ADV device identities
 * @property {number} nextDeviceId
 * @property {number} nextKeyIndex
 * @property {Map<number, Device>} devices
 */

export function createAccounts () {
  /** @type {Map<string, Phone>} */
  const phones = new Map()

  /** The phone for a number, created on first use (a fresh account with its own keys). @param {string} phone */
  function phoneFor (phone) {
    if (!/^[1-9][0-9]{5,14}$/.test(phone)) throw new Error(`not a phone number: ${phone}`)
    let p = phones.get(phone)
    if (!p) {
      p = {
        phone,
        lidUser: String(randomInt(1e14, 2.8e14)),
        accountKey: Curve.generateKeyPair(),
        nextDeviceId: 1,
        nextKeyIndex: 1,
        devices: new Map()
      }
      phones.set(phone, p)
    }
    return p
  }

  return {
    phoneFor,
    /** @param {string} phone */
    findPhone: (phone) => phones.get(phone) ?? null,
    /** The phone whose account has this LID user, or null. @param {string} lidUser */
    findPhoneByLid: (lidUser) => [...phones.values()].find((p) => p.lidUser === lidUser) ?? null,
    /**
     * Adds a companion device to a phone after a verified pairing.
     * @param {Phone} p @param {Omit<Device, 'phone'|'jid'|'lid'|'preKeys'|'removed'>} d
     * @returns {Device}
     */
    addDevice (p, d) {
      /** @type {Device} */
      const device = {
        ...d,
        phone: p.phone,
        jid: `${p.phone}:${d.deviceId}@s.whatsapp.net`,
        lid: `${p.lidUser}:${d.deviceId}@lid`,
        preKeys: new Map(),
        removed: false
      }
      p.devices.set(d.deviceId, device)
      return device
    },
    /** @param {string} phone @param {number} deviceId */
    findDevice (phone, deviceId) {
      return phones.get(phone)?.devices.get(deviceId) ?? null
    },
    /** Plain snapshot of every phone and device, for the emulator's state file (store.js). */
    save () {
      return [...phones.values()].map((p) => ({
        ...p,
        devices: [...p.devices.values()].map((d) => ({ ...d, preKeys: [...d.preKeys.entries()] }))
      }))
    },
    /** Restores what save() returned (replacing the current accounts). @param {any[]} list */
    load (list) {
      phones.clear()
      for (const p of list) {
        const devices = new Map()
        for (const d of p.devices) devices.set(d.deviceId, { ...d, preKeys: new Map(d.preKeys) })
        phones.set(p.phone, { ...p, devices })
      }
    },
    /** Live (not removed) devices of a phone. @param {string} phone */
    devicesOf (phone) {
      return [...(phones.get(phone)?.devices.values() ?? [])].filter((d) => !d.removed)
    }
  }
}
