import { randomBytes } from 'node:crypto'
import { getAllBinaryNodeChildren, getBinaryNodeChild, jidDecode } from 'baileys'
import { serverId, unixTime } from './nodes.js'

/*
 * Presence, typing and calls between the linked device and simulated contacts (issue 16 part 4/5),
 * in WhatsApp's stanzas as Baileys 7.0.0-rc14 writes and reads them:
 *
 * - device → server: `<presence type=available|unavailable name=…>` (Baileys sendPresenceUpdate;
 *   it needs a push name), `<presence type=subscribe to=…>` (presenceSubscribe), and
 *   `<chatstate from=me to=contact><composing/>|<composing media=audio/>|<paused/></chatstate>`.
 *   What each contact got is kept per account (`seenBy`), the account's own presence too.
 * - contact → device: `<presence from=contact type=available|unavailable last=…>` and
 *   `<chatstate from=contact><composing/>…</chatstate>` (Baileys emits `presence.update`).
 * - calls: `<call from=contact id t><offer call-id call-creator>[<video/>|<audio/>]</offer></call>`,
 *   which Baileys turns into its `call` event and acks; the device's `<call to=contact><reject
 *   call-id …/></call>` (Baileys rejectCall, a query) is answered with an ack of the same id and
 *   recorded on the call.
 *
 * In memory only (presence is momentary; a call log across restarts is not needed by any test).
 */

/** Chat states a contact can show or see (Baileys' WAPresence). */
export const PRESENCE_STATES = ['available', 'unavailable', 'composing', 'recording', 'paused']

/**
 * Plugs presence and calls into an emulator that has messaging (its contacts directory).
 * @param {any} emulator
 */
export function installPresence (emulator) {
  const contacts = emulator.messaging.contacts
  /** @type {Map<string, {online: string|null, onlineAt: number|null, contacts: Map<string, {states: Array<{state: string, at: number}>, subscribed: boolean}>, calls: Map<string, any>}>} */
  const accounts = new Map()
  const stateOf = (/** @type {string} */ phone) => {
    let s = accounts.get(phone)
    if (!s) { s = { online: null, onlineAt: null, contacts: new Map(), calls: new Map() }; accounts.set(phone, s) }
    return s
  }
  const contactOf = (/** @type {string} */ phone, /** @type {string} */ contact) => {
    const s = stateOf(phone)
    let c = s.contacts.get(contact)
    if (!c) { c = { states: [], subscribed: false }; s.contacts.set(contact, c) }
    return c
  }
  /** The phone number behind a user jid (phone or LID), or null. @param {string|undefined} jid */
  const phoneOf = (jid) => {
    const d = jid ? jidDecode(jid) : undefined
    if (!d?.user) return null
    if (d.server === 's.whatsapp.net') return d.user
    if (d.server === 'lid') return contacts.find(`${d.user}@lid`)?.phone ?? null
    return null
  }

  // The device's own presence (online/offline for everyone) or a subscription to a contact's.
  emulator.onStanza('presence', ({ node, device }) => {
    if (!device) return
    const { type, to } = node.attrs
    if (type === 'subscribe') {
      const contact = phoneOf(to)
      if (!contact) return
      contactOf(device.phone, contact).subscribed = true
      // WhatsApp answers a subscription with the contact's last known presence
      const last = [...contactOf(device.phone, contact).states].reverse().find((s) => s.state === 'contact:available' || s.state === 'contact:unavailable')
      if (last) sendPresence(device.phone, contact, last.state.slice('contact:'.length))
      return
    }
    if (type === 'available' || type === 'unavailable') {
      const s = stateOf(device.phone)
      s.online = type
      s.onlineAt = Date.now()
    }
  })

  // The device is typing / recording / stopped, in one chat.
  emulator.onStanza('chatstate', ({ node, device }) => {
    if (!device) return
    const contact = phoneOf(node.attrs.to)
    const [child] = getAllBinaryNodeChildren(node)
    if (!contact || !child) return
    const state = child.tag === 'composing' && child.attrs?.media === 'audio' ? 'recording' : child.tag
    contactOf(device.phone, contact).states.push({ state, at: Date.now() })
  })

  // The device rejects a call (Baileys rejectCall waits for an answer with the stanza's id).
  emulator.onStanza('call', ({ session, node, device }) => {
    session.send({ tag: 'ack', attrs: { id: node.attrs.id, class: 'call', from: node.attrs.to ?? 's.whatsapp.net', t: unixTime() } })
    if (!device) return
    const reject = getBinaryNodeChild(node, 'reject')
    const call = reject ? stateOf(device.phone).calls.get(reject.attrs['call-id']) : undefined
    if (call && !call.rejectedAt) call.rejectedAt = Date.now()
  })

  /** Sends a contact's presence (or chat state) to every live device of the account. */
  function sendPresence (/** @type {string} */ phone, /** @type {string} */ contact, /** @type {string} */ state) {
    const from = `${contact}@s.whatsapp.net`
    const node = state === 'available' || state === 'unavailable'
      ? { tag: 'presence', attrs: { from, type: state, ...(state === 'unavailable' ? { last: String(unixTime()) } : {}) } }
      : { tag: 'chatstate', attrs: { from }, content: [{ tag: state === 'recording' ? 'composing' : state, attrs: state === 'recording' ? { media: 'audio' } : {} }] }
    let sent = 0
    for (const d of emulator.accounts.devicesOf(phone)) if (emulator.sendTo(d.jid, node)) sent++
    return sent
  }

  emulator.presence = {
    /**
     * A contact shows `state` to the account's live devices (presence is not queued for an
     * offline device, as on WhatsApp). Remembered, so a later subscription gets the last
     * online/offline. @returns {{sent: number}} how many live devices got it
     */
    contactPresence (/** @type {string} */ phone, /** @type {{from: string, state: string}} */ { from, state }) {
      if (!PRESENCE_STATES.includes(state)) throw new Error(`state must be one of ${PRESENCE_STATES.join(', ')}`)
      contactOf(phone, from).states.push({ state: `contact:${state}`, at: Date.now() })
      return { sent: sendPresence(phone, from, state) }
    },

    /**
     * A contact calls the account: the offer goes to every live device. @returns {{callId: string, sent: number}}
     * @param {string} phone @param {{from: string, video?: boolean}} call
     */
    call (phone, { from, video = false }) {
      const callId = randomBytes(16).toString('hex').toUpperCase()
      const fromJid = `${from}@s.whatsapp.net`
      stateOf(phone).calls.set(callId, { callId, from, video, at: Date.now(), rejectedAt: null })
      let sent = 0
      for (const d of emulator.accounts.devicesOf(phone)) {
        const node = {
          tag: 'call',
          attrs: { from: fromJid, id: serverId(), t: String(unixTime()) },
          content: [{
            tag: 'offer',
            attrs: { 'call-id': callId, 'call-creator': fromJid },
            content: [video ? { tag: 'video', attrs: { enc: 'vp8', dec: 'vp8' } } : { tag: 'audio', attrs: { enc: 'opus', rate: '16000' } }]
          }]
        }
        if (emulator.sendTo(d.jid, node)) sent++
      }
      return { callId, sent }
    },

    /**
     * What one contact got from the account: the chat states the device sent it (oldest first),
     * whether the device subscribed to its presence, its calls (rejected or not), the account's
     * own last presence. @param {string} phone @param {string} contact
     */
    seenBy (phone, contact) {
      const s = stateOf(phone)
      const c = s.contacts.get(contact)
      return {
        contact,
        states: (c?.states ?? []).filter((x) => !x.state.startsWith('contact:')),
        subscribed: c?.subscribed ?? false,
        online: s.online,
        calls: [...s.calls.values()].filter((x) => x.from === contact).map((x) => ({ ...x }))
      }
    }
  }
}
