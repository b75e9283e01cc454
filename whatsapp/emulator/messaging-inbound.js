import { randomBytes } from 'node:crypto'
import {
  editMessage, encryptToDevice, newMessageId, reactionMessage, replyMessage, revokeMessage, textMessage, undecryptableStanza
} from './signal/index.js'
import { entriesWithId } from './messaging-ledger.js'

/*
 * Messages from simulated contacts to an account's linked devices: one at a time (`inbound`)
 * or as a flood (`burst`, what the benchmark drives). Each is Signal-encrypted for real, per
 * device (pkmsg while the contact has no answered session, msg afterwards, as libsignal
 * decides), and delivered to the live session or queued for the device's next login.
 */

export const INBOUND_TYPES = ['text', 'reply', 'edit', 'revoke', 'reaction', 'undecryptable']
const TARGETED = new Set(['reply', 'edit', 'revoke', 'reaction'])
/** Outgoing WebSocket bytes above which burst waits for the socket to drain. */
const HIGH_WATER = 1 << 20

/**
 * @param {object} a
 * @param {any} a.emulator
 * @param {any} a.controls  the messaging controls (deliver, deviceBundle, subscribe, …)
 * @param {ReturnType<import('./contacts.js').createContacts>} a.contacts
 * @param {(phone: string) => any} a.stateOf
 * @param {any} a.MessagingError
 */
export function createInboundControls ({ emulator, controls, contacts, stateOf, MessagingError }) {
  /** @type {Map<string, Promise<any>>} contact phone → its encryption chain (one ratchet step at a time) */
  const chains = new Map()
  /** Runs `fn` after the contact's earlier encryptions. @param {string} phone @param {() => Promise<any>} fn */
  function serial (phone, fn) {
    const next = (chains.get(phone) ?? Promise.resolve()).then(fn, fn)
    const tail = next.catch(() => {})
    chains.set(phone, tail)
    tail.then(() => { if (chains.get(phone) === tail) chains.delete(phone) })
    return next
  }

  /** The account's devices able to receive (linked, with uploaded keys). @param {string} phone */
  function receivers (phone) {
    const devices = emulator.accounts.devicesOf(phone).filter((d) => d.signedPreKey)
    if (!devices.length) throw new MessagingError('not_found', `no linked device with keys for ${phone}`)
    return devices
  }

  /**
   * The proto.Message a contact sends for an inbound spec. Targets (reply quote, edited,
   * revoked or reacted message) are named by `replyTo`; a target found in the account's
   * ledger is the device's own message (quoted with the account as participant, reacted to
   * with fromMe false from the contact's side), otherwise it is the contact's own.
   */
  function contentFor (phone, contact, { type, text, replyTo }) {
    const accountJid = `${phone}@s.whatsapp.net`
    const ours = replyTo ? entriesWithId(stateOf(phone), replyTo)[0] : undefined
    const theirs = replyTo ? stateOf(phone).inbound.get(replyTo) : undefined
    switch (type) {
      case 'text':
      case 'undecryptable':
        return textMessage(text ?? '')
      case 'reply':
        return replyMessage(text ?? '', { id: replyTo, participant: ours ? accountJid : contact.pnJid, message: ours?.message ?? theirs?.message ?? undefined })
      case 'edit':
        return editMessage({ remoteJid: accountJid, fromMe: true, id: replyTo }, text ?? '')
      case 'revoke':
        return revokeMessage({ remoteJid: accountJid, fromMe: true, id: replyTo })
      case 'reaction':
        return reactionMessage({ remoteJid: accountJid, fromMe: !ours, id: replyTo }, text ?? '👍')
    }
    throw new MessagingError('bad_request', `unknown inbound type ${type}`)
  }

  /**
   * Encrypts `message` from `contact` to every receiving device of the account and delivers it.
   * @returns {Promise<{live: number, queued: number}>}
   */
  async function sendFromContact (phone, contact, { id, message, addressing, undecryptable }) {
    const devices = receivers(phone)
    let live = 0
    await serial(contact.phone, async () => {
      for (const device of devices) {
        const stanza = undecryptable
          ? undecryptableStanza(contact, { id, addressing })
          : (await encryptToDevice(contact, { deviceJid: device.jid, bundle: () => controls.deviceBundle(device), message, id, addressing })).stanza
        if (controls.deliver(device, stanza)) live++
      }
    })
    return { live, queued: devices.length - live }
  }

  /**
   * WhatsApp delivers message `entry` again under its id (encrypted anew on the contact's
   * current session), counted in `entry.redelivered`.
   * @param {string} phone @param {any} contact @param {import('./messaging-ledger.js').InboundEntry} entry
   */
  async function redeliver (phone, contact, entry) {
    const { live, queued } = await sendFromContact(phone, contact, { id: entry.id, message: entry.message, addressing: entry.addressing, undecryptable: false })
    entry.redelivered = (entry.redelivered ?? 0) + 1
    return { id: entry.id, remoteJid: entry.addressing === 'lid' ? contact.lidJid : contact.pnJid, live, queued }
  }

  return {
    /** Runs `fn` after the contact's earlier encryptions (the groups part shares the chain). */
    serial,

    /**
     * A contact sends the account a message. `content` (a proto.Message object) replaces the
     * built one: the hook for media and other types. Resolves once the stanza is sent to the
     * live devices or queued for the offline ones.
     * @param {string} phone the account
     * `redeliver` with the `messageId` of an earlier message from the same contact sends that
     * message again under the same id (its stored content, decryptable even if it was sent as
     * undecryptable), as WhatsApp redelivers a message after a reconnect; otherwise an id sent
     * before is a conflict.
     * @param {{from: string, type?: string, text?: string, replyTo?: string, asLid?: boolean, pushName?: string, messageId?: string, content?: any, redeliver?: boolean}} spec
     * @returns {Promise<{id: string, remoteJid: string, live: number, queued: number}>}
     */
    async inbound (phone, spec) {
      const type = spec.type ?? 'text'
      if (!spec.content && !INBOUND_TYPES.includes(type)) throw new MessagingError('bad_request', `type must be one of ${INBOUND_TYPES.join(', ')}`)
      if (!spec.content && TARGETED.has(type) && !spec.replyTo) throw new MessagingError('bad_request', `type ${type} needs replyTo (the target message id)`)
      receivers(phone)
      const contact = contacts.contactFor(spec.from)
      if (spec.pushName) contact.pushName = spec.pushName
      const message = spec.content ?? contentFor(phone, contact, { type, text: spec.text, replyTo: spec.replyTo })
      const id = spec.messageId ?? newMessageId()
      const addressing = spec.asLid ? 'lid' : 'pn'
      const s = stateOf(phone)
      const earlier = s.inbound.get(id)
      if (earlier && spec.redeliver && earlier.from === contact.phone) return redeliver(phone, contact, earlier)
      if (earlier) throw new MessagingError('conflict', `message id ${id} was already sent to ${phone}${spec.redeliver ? ' by another contact' : ''}`)
      s.inbound.set(id, { id, from: contact.phone, addressing, type, message, acks: 0, receipts: [], resent: 0 })
      const { live, queued } = await sendFromContact(phone, contact, { id, message, addressing, undecryptable: type === 'undecryptable' })
      return { id, remoteJid: addressing === 'lid' ? contact.lidJid : contact.pnJid, live, queued }
    },

    /** What contacts sent to the account, with the device's acks and receipts. @param {string} phone */
    received: (phone) => [...stateOf(phone).inbound.values()],

    /**
     * A flood of `count` text messages from `senders` contacts (numbers 92340000000x), `batch`
     * encrypted and written per step; waits while the socket's send buffer is above 1 MiB, and
     * resolves when the device answered every message (receipt or ack) (or after `timeoutMs`
     * from the last write; 0 = as soon as everything is written). Sessions are reused
     * across calls, so only a contact's first message is a pkmsg. Each text is
     * `bench <epoch ms> <seq>` so a receiver can measure latency.
     * With `mediaPercent` > 0 that share of the messages (spread evenly: message `seq` is an image
     * when ⌊(seq+1)·p/100⌋ > ⌊seq·p/100⌋) is instead an image of `mediaBytes` bytes with that text
     * as its caption: a JPEG frame around random bytes, so every image is distinct content (a
     * content-addressed store cannot fold them into one), encrypted and hosted on the media host
     * as a phone uploads it, just before its message is encrypted.
     * @param {string} phone @param {{count: number, batch?: number, senders?: number, timeoutMs?: number, mediaPercent?: number, mediaBytes?: number}} b
     * @returns {Promise<{count: number, acked: number, media: number, ms: number, sendMs: number, perSecond: number}>}  sendMs: until the last stanza was written
     */
    async burst (phone, { count, batch = 50, senders = 10, timeoutMs = 120000, mediaPercent = 0, mediaBytes = 100 * 1024 }) {
      const devices = receivers(phone)
      const from = Array.from({ length: senders }, (_, i) => contacts.contactFor(`92340${String(i).padStart(7, '0')}`))
      const s = stateOf(phone)
      const expected = new Set()
      let acked = 0
      let settle = () => {}
      const allAcked = new Promise((resolve) => { settle = resolve })
      const off = controls.subscribe((e) => {
        // a device answers a decrypted message with a receipt, anything else with an ack
        if (e.phone !== phone || (e.kind !== 'ack' && e.kind !== 'receipt')) return
        for (const id of e.ids ?? [e.id]) if (expected.delete(id)) acked++
        if (!expected.size && sentAll) settle()
      })
      let sentAll = false
      let sendMs = 0
      let media = 0
      const started = Date.now()
      try {
        for (let done = 0; done < count; done += batch) {
          const n = Math.min(batch, count - done)
          for (let k = 0; k < n; k++) {
            const seq = done + k
            const contact = from[seq % senders]
            const id = newMessageId()
            const text = `bench ${Date.now()} ${seq}`
            const image = Math.floor((seq + 1) * mediaPercent / 100) > Math.floor(seq * mediaPercent / 100)
            const message = image
              ? await emulator.media.mediaMessageFrom({ type: 'image', bytes: distinctJpeg(mediaBytes), caption: text })
              : textMessage(text)
            if (image) media++
            s.inbound.set(id, { id, from: contact.phone, addressing: 'pn', type: image ? 'image' : 'text', message, acks: 0, receipts: [], resent: 0 })
            expected.add(id)
            await sendFromContact(phone, contact, { id, message, addressing: 'pn' })
          }
          await drained(devices)
        }
        sentAll = true
        sendMs = Date.now() - started
        if (!expected.size) settle()
        const timer = setTimeout(settle, timeoutMs)
        await allAcked
        clearTimeout(timer)
      } finally {
        off()
      }
      const ms = Date.now() - started
      return { count, acked, media, ms, sendMs, perSecond: ms ? Math.round(acked * 1000 / ms) : acked }
    }
  }

  /** Waits while any live session of these devices has more than HIGH_WATER bytes unsent. */
  async function drained (devices) {
    for (;;) {
      const busy = devices.some((d) => emulator.liveSessions(d.jid).some((x) => (x.buffered ?? 0) > HIGH_WATER))
      if (!busy) return
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  }
}

/**
 * `size` bytes (at least 4) shaped like a JPEG (start and end markers) around random bytes:
 * distinct content every call, so the benchmark's images are never deduplicated by hash.
 * @param {number} size
 */
export function distinctJpeg (size) {
  const bytes = randomBytes(Math.max(4, size))
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0)
  bytes.set([0xff, 0xd9], bytes.length - 2)
  return bytes
}
