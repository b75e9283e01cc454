import { getBinaryNodeChild, getBinaryNodeChildren } from 'baileys'
import { entriesWithId, openSentMedia, recordArrival } from './messaging-ledger.js'
import { unixTime } from './nodes.js'
import { decryptFromDevice, encryptToDevice, messageText, newMessageId, textMessage } from './signal/index.js'
import { decryptGroupMessage, encryptGroupMessage, processDistribution, senderKeyStore } from './signal/groups.js'

/*
 * Group messages through the emulator (docs/emulator.md "Groups"), both ways, with sender keys:
 *   - a linked device's message to a group: membership checked (error ack otherwise), acked, then
 *     every member's phone reads the sender key addressed to it and the one skmsg (the ledger);
 *   - a member's message to the account's devices: the member's sender key, pairwise, to each
 *     device that lacks it, then one skmsg from the group with the member as participant.
 */

/**
 * @param {object} a
 * @param {any} a.emulator
 * @param {(jid: string|undefined) => any} a.groupOf
 * @param {(g: any, phone: string) => any} a.memberOf
 * @param {(g: any) => string} a.jidOf
 * @param {{senderKeys: () => Map<string, string>, distributed: () => Map<string, Set<string>>}} a.keys  the groups part's persisted maps
 * @param {() => void} a.changed
 * @param {new (code: string, message: string) => Error} a.GroupError
 */
export function createGroupMessaging ({ emulator, groupOf, memberOf, jidOf, keys, changed, GroupError }) {
  const messaging = emulator.messaging
  const contacts = messaging.contacts
  const timers = new Set()

  /**
   * A linked device sent `node` to a group: refused (error ack 403) unless the account is a member;
   * otherwise acked, then every member's phone reads its sender key (when the stanza carries one for
   * it) and the skmsg, and the account's ledger records what each member got. A member that cannot
   * read it records nothing (counted in `undecryptable`). The own phone reads it last, counted as a
   * phone copy of the members' entries.
   */
  async function deviceMessage ({ session, device, state, node, ack }) {
    const g = groupOf(node.attrs.to)
    if (!g || !memberOf(g, device.phone)) {
      session.send({ tag: 'ack', attrs: { ...ack, error: g ? '403' : '404' } })
      return
    }
    session.send({ tag: 'ack', attrs: node.attrs.type ? { ...ack, type: node.attrs.type } : ack })
    const groupJid = jidOf(g)
    const participants = getBinaryNodeChild(node, 'participants')
    const identity = getBinaryNodeChild(node, 'device-identity')
    const skmsg = getBinaryNodeChildren(node, 'enc').find((e) => e.attrs.type === 'skmsg')
    const phones = g.participants.map((p) => p.phone).sort((a, b) => Number(a === device.phone) - Number(b === device.phone))
    for (const phone of phones) {
      const contact = contacts.contactFor(phone)
      const store = senderKeyStore(keys.senderKeys(), phone)
      let message
      try {
        const mine = getBinaryNodeChildren(participants, 'to').some((to) => contact.owns(to.attrs.jid))
        if (mine) {
          const pairwise = { tag: 'message', attrs: node.attrs, content: [participants, ...(identity ? [identity] : [])] }
          const record = await decryptFromDevice(contact, pairwise, { senderJid: device.jid })
          await processDistribution(store, device.jid, record.message.senderKeyDistributionMessage)
        }
        if (!skmsg) continue
        message = await decryptGroupMessage(store, { groupJid, senderJid: device.jid, ciphertext: skmsg.content })
      } catch (err) {
        state.undecryptable++
        emulator.log('undecryptable', session.id, { id: node.attrs.id, group: groupJid, member: phone, error: /** @type {Error} */ (err).message })
        continue
      }
      changed()
      const record = { id: node.attrs.id, from: device.jid, to: groupJid, type: 'skmsg', stanzaType: node.attrs.type, message, text: messageText(message) }
      if (phone === device.phone) {
        for (const e of entriesWithId(state, record.id)) if (e.to === groupJid) e.phoneCopies++
        continue
      }
      const { entry, first } = recordArrival(state, phone, record)
      if (first && emulator.media) await openSentMedia(emulator.media, entry)
      messaging.notify({ kind: 'sent', phone: device.phone, entry })
      if (first && messaging.deliveryDelayMs !== null) later(() => deliverReceipt(device.phone, g, contact, record.id), messaging.deliveryDelayMs)
    }
  }

  /** A member's delivery receipt for a group message: `from` the group, `participant` the member. */
  function deliverReceipt (phone, g, contact, id) {
    messaging.deliverToAccount(phone, () => ({ tag: 'receipt', attrs: { from: jidOf(g), participant: contact.pnJid, id, t: String(unixTime()) } }))
  }

  /** @param {() => void} fn @param {number} ms */
  function later (fn, ms) {
    const t = setTimeout(() => { timers.delete(t); fn() }, ms)
    t.unref?.()
    timers.add(t)
  }

  /**
   * A member of `group` sends a message in it to the account `phone` (a member too). The member's
   * sender key goes first, pairwise, to each device of the account that does not hold it yet;
   * then one skmsg. Resolves once sent to the live devices or queued for the offline ones.
   * @param {string} phone @param {{group: string, from: string, text?: string, content?: any, pushName?: string, messageId?: string}} spec
   * @returns {Promise<{id: string, remoteJid: string, participant: string, live: number, queued: number}>}
   */
  async function inbound (phone, { group, from, text, content, pushName, messageId }) {
    const g = groupOf(group)
    if (!g) throw new GroupError('not_found', `no group ${group}`)
    if (!memberOf(g, phone)) throw new GroupError('not_found', `${phone} is not a member of ${group}`)
    if (!memberOf(g, from)) throw new GroupError('bad_request', `${from} is not a member of ${group}`)
    const devices = emulator.accounts.devicesOf(phone).filter((d) => d.signedPreKey)
    if (!devices.length) throw new GroupError('not_found', `no linked device with keys for ${phone}`)
    const contact = contacts.contactFor(from)
    if (pushName) contact.pushName = pushName
    const s = messaging.stateOf(phone)
    const id = messageId ?? newMessageId()
    if (s.inbound.has(id)) throw new GroupError('conflict', `message id ${id} was already sent to ${phone}`)
    const message = content ?? textMessage(text ?? '')
    const groupJid = jidOf(g)
    s.inbound.set(id, { id, from: contact.phone, addressing: 'pn', type: 'text', message, acks: 0, receipts: [], resent: 0, group: groupJid })
    let live = 0
    await messaging.serial(contact.phone, async () => {
      const store = senderKeyStore(keys.senderKeys(), contact.phone)
      const { ciphertext, distribution } = await encryptGroupMessage(store, { groupJid, senderJid: contact.pnJid, message })
      const key = `${g.id}|${contact.phone}`
      const holders = keys.distributed().get(key) ?? new Set()
      keys.distributed().set(key, holders)
      for (const device of devices) {
        const content = []
        if (!holders.has(device.jid)) {
          const { stanza } = await encryptToDevice(contact, { deviceJid: device.jid, bundle: () => messaging.deviceBundle(device), message: { senderKeyDistributionMessage: distribution }, id })
          content.push(stanza.content[0])
          holders.add(device.jid)
        }
        content.push({ tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: ciphertext })
        const attrs = { from: groupJid, participant: contact.pnJid, ...(contact.lidJid ? { participant_lid: contact.lidJid } : {}), id, t: String(unixTime()), notify: contact.pushName, type: 'text' }
        if (messaging.deliver(device, { tag: 'message', attrs, content })) live++
      }
      changed()
    })
    return { id, remoteJid: groupJid, participant: contact.pnJid, live, queued: devices.length - live }
  }

  return { deviceMessage, inbound, close () { for (const t of timers) clearTimeout(t); timers.clear() } }
}
