// Sender keys (Signal's group messaging) for simulated contacts, as Baileys 7.0.0-rc14 speaks them
// (Signal/libsignal.js encryptGroupMessage / decryptGroupMessage / processSenderKeyDistributionMessage):
// one sender key per (group, sending device), distributed in a SenderKeyDistributionMessage inside a
// pairwise pkmsg/msg, then every group message is one `skmsg` readable by every member holding that key.
// Pure and transport-free, like the rest of this folder; the records live in a Map the caller persists.
import { BufferJSON, encodeWAMessage, proto, unpadRandomMax16 } from 'baileys'
import {
  GroupCipher, GroupSessionBuilder, SenderKeyDistributionMessage, SenderKeyName, SenderKeyRecord
} from 'baileys/lib/Signal/Group/index.js'
import { signalAddressOf } from './contact.js'

/**
 * A sender-key store for one holder (a contact's phone) over `records` (a Map the caller persists:
 * `${holder}|${senderKeyName}` → JSON text, Baileys' own record encoding). Guarantees a record is
 * never shared between two holders, so each simulated phone keeps its own chain positions.
 * @param {Map<string, string>} records @param {string} holder
 */
export function senderKeyStore (records, holder) {
  const key = (/** @type {SenderKeyName} */ name) => `${holder}|${name.toString()}`
  return {
    async loadSenderKey (/** @type {SenderKeyName} */ name) {
      const saved = records.get(key(name))
      return saved ? SenderKeyRecord.deserialize(Buffer.from(saved, 'utf8')) : new SenderKeyRecord()
    },
    async storeSenderKey (/** @type {SenderKeyName} */ name, /** @type {SenderKeyRecord} */ record) {
      records.set(key(name), JSON.stringify(record.serialize(), BufferJSON.replacer))
    }
  }
}

/** The sender-key name of `senderJid`'s key in `groupJid` (Baileys' jidToSignalSenderKeyName). */
export function senderKeyName (groupJid, senderJid) {
  return new SenderKeyName(groupJid, signalAddressOf(senderJid))
}

/**
 * The holder processes a SenderKeyDistributionMessage (`{groupId, axolotlSenderKeyDistributionMessage}`)
 * from the device `senderJid`: afterwards it can read that device's skmsg in the group.
 */
export async function processDistribution (store, senderJid, skdm) {
  if (!skdm?.groupId || !skdm.axolotlSenderKeyDistributionMessage) throw new Error('sender key distribution message without group or key')
  const message = new SenderKeyDistributionMessage(null, null, null, null, Buffer.from(skdm.axolotlSenderKeyDistributionMessage))
  await new GroupSessionBuilder(store).process(senderKeyName(skdm.groupId, senderJid), message)
}

/**
 * The holder decrypts an skmsg the device `senderJid` sent to `groupJid`. Throws (libsignal's or the
 * group cipher's error) when it holds no key for that sender or the signature does not verify.
 * @returns {Promise<any>} the decoded proto.Message
 */
export async function decryptGroupMessage (store, { groupJid, senderJid, ciphertext }) {
  const plain = await new GroupCipher(store, senderKeyName(groupJid, senderJid)).decrypt(Buffer.from(ciphertext))
  return proto.Message.decode(unpadRandomMax16(plain))
}

/**
 * The holder (a member's phone, sending as `senderJid`) encrypts `message` for `groupJid` under its own
 * sender key (created on first use). Returns the skmsg bytes and the distribution message every member
 * device needs once before it can read them.
 * @returns {Promise<{ciphertext: Buffer, distribution: {groupId: string, axolotlSenderKeyDistributionMessage: Buffer}}>}
 */
export async function encryptGroupMessage (store, { groupJid, senderJid, message }) {
  const name = senderKeyName(groupJid, senderJid)
  const skdm = await new GroupSessionBuilder(store).create(name)
  const ciphertext = await new GroupCipher(store, name).encrypt(encodeWAMessage(message))
  return {
    ciphertext: Buffer.from(ciphertext),
    distribution: { groupId: groupJid, axolotlSenderKeyDistributionMessage: Buffer.from(skdm.serialize()) }
  }
}
