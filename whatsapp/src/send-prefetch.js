/**
 * Sends that arrive together share the round trips Baileys would otherwise make for each one
 * alone (issue 18). Baileys' sendMessage holds the socket's key-store transaction (one per
 * account: every send of a connection waits for the one before) while it asks WhatsApp for the
 * recipient's device list (a usync query) and, for a device without a Signal session, its prekey
 * bundle (an `encrypt` iq) — two round trips per new chat, made one chat after the other. Java
 * hands a dispatcher pass's sends (up to 32 chats) to the engine at once, so this module gathers
 * the 1:1 recipients of the sends that arrive in the same turn of the event loop and, before they
 * queue for the transaction, asks once for all their device lists and once for all missing
 * sessions, with Baileys' own functions (the same cache and session store sendMessage reads).
 *
 * Guarantees: only a warm-up — a send never waits for more than its batch's two queries and never
 * fails because of them (a failed prefetch is logged at debug, and sendMessage then makes its own
 * queries as before); groups, status and newsletters are left to Baileys; a socket without these
 * functions (the tests' fakes) is not touched.
 */

const ONE_TO_ONE = /@(s\.whatsapp\.net|lid)$/

/**
 * @param {{ debug: Function }} logger
 * @returns {(sock: any, jid: string) => Promise<void>} resolves when the jid's batch was prepared
 */
export function makeSendPrefetch (logger) {
  /** @type {WeakMap<object, { jids: Set<string>, done: Promise<void> }>} */
  const gathering = new WeakMap()

  return function prepare (sock, jid) {
    if (!ONE_TO_ONE.test(jid) || typeof sock?.getUSyncDevices !== 'function' || typeof sock?.assertSessions !== 'function') {
      return Promise.resolve()
    }
    let batch = gathering.get(sock)
    if (!batch) {
      const jids = new Set()
      // the batch closes at the end of this turn: every send Java wrote in the same chunk of
      // stdin lines is parsed in it
      const done = new Promise(resolve => setImmediate(resolve)).then(async () => {
        gathering.delete(sock)
        await warm(sock, [...jids])
      }).catch(err => {
        logger.debug({ err: String(err?.message ?? err), recipients: jids.size }, 'send prefetch failed; each send queries alone')
      })
      batch = { jids, done }
      gathering.set(sock, batch)
    }
    batch.jids.add(jid)
    return batch.done
  }
}

/**
 * One usync query for the device lists of every recipient not in Baileys' device cache (and our
 * own, as sendMessage asks for both), then one prekey query for every device without a session.
 * @param {any} sock
 * @param {string[]} jids
 */
async function warm (sock, jids) {
  const me = sock.authState?.creds?.me
  if (!me?.id || jids.length === 0) return
  const meUser = me.id.split(':')[0].split('@')[0]
  const meLidUser = me.lid ? me.lid.split(':')[0].split('@')[0] : null
  const senders = new Set([`${meUser}@s.whatsapp.net`])
  if (meLidUser && jids.some(j => j.endsWith('@lid'))) senders.add(`${meLidUser}@lid`)
  const devices = await sock.getUSyncDevices([...senders, ...jids], true, false)
  // sendMessage skips our own sending device; every other device needs a session
  const recipients = devices.map(d => d.jid).filter(j => j !== me.id && j !== me.lid)
  if (recipients.length > 0) await sock.assertSessions(recipients)
}
