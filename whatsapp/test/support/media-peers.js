import { Contact, buildKeyFetchResult, buildUSyncResult, contactAccount, decryptFromDevice } from '../../emulator/signal/index.js'

/*
 * Test-only stand-in for the emulator's messaging part (which another step wires into the
 * server): a usync answer (the account's own phone and companions, plus simulated contacts), a
 * key-fetch answer for the contacts and the own phone, and the contacts' (and the phone's)
 * decryption of what the device sends (the ledger); the phone answers peer-data requests. Just enough for the media and history tests to drive the real Baileys socket.
 */

/**
 * @param {any} emulator @param {string} phone the linked account
 * @param {Contact[]} contacts
 * @returns {{ledger: any[], next: (pred: (r: any) => boolean, what: string, timeoutMs?: number) => Promise<any>}}
 */
export function plugPeers (emulator, phone, contacts) {
  const ledger = []
  const waiters = new Set()
  const own = () => {
    const p = emulator.accounts.phoneFor(phone)
    return {
      pnJid: `${phone}@s.whatsapp.net`,
      lidJid: `${p.lidUser}@lid`,
      devices: [{ id: 0 }, ...emulator.accounts.devicesOf(phone).map((d) => ({ id: d.deviceId, keyIndex: d.keyIndex }))]
    }
  }
  // The account's own phone (device 0) is a Contact too: it answers the device's peer requests.
  const ownPhone = emulator.history.phoneContact(phone)
  const byJid = (jid) => [ownPhone, ...contacts].find((c) => c.owns(String(jid).replace(/:0@/, '@')))
  emulator.iq.register({ xmlns: 'usync', type: 'get' }, ({ node }) => buildUSyncResult(node, ({ jid, phone: asked }) => {
    const user = jid ? jid.split('@')[0].split(':')[0] : String(asked ?? '').replace(/\D/g, '')
    if (user === phone || user === emulator.accounts.phoneFor(phone).lidUser) return own()
    const c = contacts.find((x) => x.phone === user || x.lid === user)
    return c ? contactAccount(c) : undefined
  }).content)
  emulator.iq.register({ xmlns: 'encrypt', type: 'get', child: 'key' }, ({ node }) => buildKeyFetchResult(node, (jid) => byJid(jid)?.takeBundle()).content)
  emulator.onStanza('message', async ({ session, node }) => {
    session.send({ tag: 'ack', attrs: { class: 'message', id: node.attrs.id, from: node.attrs.to, t: String(Math.floor(Date.now() / 1000)) } })
    for (const c of contacts) {
      try {
        const record = await decryptFromDevice(c, node, { senderJid: session.device.jid })
        ledger.push({ ...record, contact: c.phone })
      } catch { /* not for this contact */ }
    }
    try {
      const record = await decryptFromDevice(ownPhone, node, { senderJid: session.device.jid })
      ledger.push({ ...record, contact: phone })
      await emulator.history.answerPeerRequest(session.device, record)
    } catch { /* not for the own phone */ }
    for (const w of [...waiters]) w()
  })
  return {
    ledger,
    next (pred, what, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = ledger.find(pred)
          if (!hit) return false
          waiters.delete(check); clearTimeout(timer); resolve(hit)
          return true
        }
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no ledger record with ${what}; got ${ledger.length}`)) }, timeoutMs)
        if (!check()) waiters.add(check)
      })
    }
  }
}

export { Contact }
