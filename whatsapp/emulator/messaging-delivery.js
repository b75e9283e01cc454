/**
 * How the emulator delivers stanzas to an account's devices, as WhatsApp does: a stanza goes to
 * the device's live session, or waits for its next login; a `message` sent live stays owed until
 * the device acks it (an ack, with or without an error, or a receipt other than `retry`), and one
 * whose session ended first (the process was killed, the socket dropped, a lease moved the account
 * to another process) is sent again, marked offline, at the device's next login. Never drops a
 * stanza. The owed stanzas are not part of the persisted state.
 *
 * @param {object} deps
 * @param {any} deps.emulator                        the server (sendTo, onLogin)
 * @param {any} deps.accounts                        linked devices per phone
 * @param {(phone: string) => any} deps.stateOf      an account's messaging state (created if missing)
 * @param {(phone: string) => any} deps.peekState    the same, or undefined (never created)
 * @param {(e: any) => void} deps.notify             messaging events (`offline`)
 */
export function createDelivery ({ emulator, accounts, stateOf, peekState, notify }) {
  /** @type {Map<string, Map<string, any>>} device jid → message id → stanza sent live, not acked */
  const unacked = new Map()

  /** Remembers a message stanza just sent live until its ack. @param {any} device @param {any} node */
  function owe (device, node) {
    if (node.tag !== 'message' || !node.attrs?.id) return
    let owed = unacked.get(device.jid)
    if (!owed) { owed = new Map(); unacked.set(device.jid, owed) }
    owed.set(node.attrs.id, node)
  }

  /**
   * Sends `node` to a device's live session, or queues it for the device's next login.
   * @param {any} device @param {any} node @returns {boolean} true when sent now
   */
  function deliver (device, node) {
    if (emulator.sendTo(device.jid, node)) {
      owe(device, node)
      return true
    }
    const s = stateOf(device.phone)
    const list = s.offline.get(device.jid) ?? []
    list.push(node)
    s.offline.set(device.jid, list)
    return false
  }

  /** Sends to every linked device of the account. @param {string} phone @param {() => any} build */
  function deliverToAccount (phone, build) {
    for (const d of accounts.devicesOf(phone)) deliver(d, build())
  }

  /** The device has these messages (it acked them or sent a receipt): nothing is owed for them any more. */
  function settled (device, ids) {
    const owed = unacked.get(device.jid)
    if (owed) for (const id of ids) owed.delete(id)
  }

  // Offline delivery: what WhatsApp kept for the device, marked offline, before <ib><offline>:
  // first what an earlier session was sent and never acked, then what arrived while it was away.
  emulator.onLogin(({ session, device }) => {
    const s = peekState(device.phone)
    const owed = [...(unacked.get(device.jid)?.values() ?? [])]
    unacked.delete(device.jid)
    const queued = [...owed, ...(s?.offline.get(device.jid) ?? [])]
    if (s) s.offline.delete(device.jid)
    const left = []
    for (const node of queued) {
      if (session.send({ ...node, attrs: { ...node.attrs, offline: '1' } })) owe(device, node)
      else left.push(node) // the new session closed already: still owed
    }
    if (s && left.length) s.offline.set(device.jid, left)
    notify({ kind: 'offline', phone: device.phone, jid: device.jid, count: queued.length })
    return queued.length
  })

  return { deliver, deliverToAccount, settled }
}
