// The usync `iq` (xmlns usync): who is on WhatsApp (contact protocol), which devices a user has (devices
// protocol), and a phone number's LID (lid protocol). Request and result shapes follow Baileys 7.0.0-rc14
// (Socket/socket.js executeUSyncQuery, WAUSync/*) and whatsmeow's usync parsing.
import { getBinaryNodeChild, getBinaryNodeChildren, jidDecode } from 'baileys'
import { iqResult } from './bundles.js'

const node = (tag, attrs = {}, content) => (content === undefined ? { tag, attrs } : { tag, attrs, content })
const KNOWN_PROTOCOLS = new Set(['devices', 'contact', 'lid', 'status', 'disappearing_mode'])

/**
 * Reads a usync query: its usync attributes, the protocols asked for (children of `query`), and per `user` the
 * jid and/or phone (`contact` child content, '+digits') and `lid` hint. Throws on a node that is not a usync get.
 * @returns {{sid, context, mode, protocols: string[], users: {jid?: string, phone?: string, lid?: string}[]}}
 */
export function parseUSyncQuery (iq) {
  if (iq?.tag !== 'iq' || iq.attrs?.xmlns !== 'usync' || iq.attrs?.type !== 'get') throw new Error('not a usync get iq')
  const usync = getBinaryNodeChild(iq, 'usync')
  if (!usync) throw new Error('usync iq without usync child')
  const protocols = (getBinaryNodeChild(usync, 'query')?.content || []).map(child => child.tag)
  const users = getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user').map(user => {
    const contact = getBinaryNodeChild(user, 'contact')
    const lid = getBinaryNodeChild(user, 'lid')
    const phone = contact?.content instanceof Uint8Array ? Buffer.from(contact.content).toString('utf8')
      : typeof contact?.content === 'string' ? contact.content : undefined
    return { jid: user.attrs.jid || undefined, phone, lid: lid?.attrs?.jid }
  })
  return { sid: usync.attrs.sid, context: usync.attrs.context, mode: usync.attrs.mode, protocols, users }
}

/** The account description the usync result needs for a simulated contact: phone jid, LID jid, device 0 only. */
export function contactAccount (contact) {
  return { pnJid: contact.pnJid, lidJid: contact.lidJid, devices: [{ id: 0 }] }
}

/** The `devices` node: device-list with key-index on companions (Baileys drops companions without one). */
function devicesNode (account) {
  const devices = [...account.devices].sort((a, b) => a.id - b.id)
  const list = devices.map(d => node('device', d.id === 0 ? { id: '0' } : { id: String(d.id), 'key-index': String(d.keyIndex || 1) }))
  const content = [node('device-list', {}, list)]
  if (devices.some(d => d.id !== 0)) content.push(node('key-index-list', { ts: String(account.keyIndexTs || Math.floor(Date.now() / 1000)) }))
  return node('devices', {}, content)
}

/**
 * The result node for a usync query. `lookup({jid, phone})` returns the account (see contactAccount; a linked
 * account adds its companion devices with their key-index) or undefined for a number not on WhatsApp.
 * Per user and per asked protocol:
 * - contact: `contact type=in|out` with the phone as content; the user's jid is the phone jid either way
 *   (Baileys' onWhatsApp keeps only type=in);
 * - devices: the device list (empty for an unknown user);
 * - lid: `lid val=<lid jid>` when a phone jid was asked and the account has a LID (Baileys stores the mapping).
 * Guarantees every user of the query gets exactly one `user` node, in query order, so nothing is dropped.
 */
export function buildUSyncResult (iq, lookup) {
  const query = parseUSyncQuery(iq)
  const users = query.users.map(user => {
    const account = lookup({ jid: user.jid, phone: user.phone })
    const askedLid = user.jid && jidDecode(user.jid)?.server === 'lid'
    const jid = user.jid
      ? (user.jid.includes(':') ? `${jidDecode(user.jid).user}@${jidDecode(user.jid).server}` : user.jid)
      : account?.pnJid || `${String(user.phone || '').replace(/\D/g, '')}@s.whatsapp.net`
    const content = []
    for (const protocol of query.protocols) {
      if (protocol === 'contact') {
        content.push(node('contact', { type: account ? 'in' : 'out' }, Buffer.from(user.phone || `+${jidDecode(jid)?.user}`)))
      } else if (protocol === 'devices') {
        content.push(devicesNode(account || { devices: [] }))
      } else if (protocol === 'lid') {
        if (account?.lidJid && !askedLid) content.push(node('lid', { val: account.lidJid }))
        else content.push(node('lid', {}))
      } else if (protocol === 'status' && account) {
        content.push(node('status', { t: String(account.statusT || 0) }, Buffer.from(account.status || '')))
      } else if (protocol === 'disappearing_mode' && account) {
        content.push(node('disappearing_mode', { duration: '0', t: '0' }))
      }
    }
    return node('user', { jid }, content)
  })
  const result = node('result', {}, query.protocols.filter(p => KNOWN_PROTOCOLS.has(p)).map(p => node(p, {})))
  const usyncAttrs = { sid: query.sid, index: '0', last: 'true', mode: query.mode, context: query.context }
  return iqResult(iq, [node('usync', usyncAttrs, [result, node('list', {}, users)])])
}
