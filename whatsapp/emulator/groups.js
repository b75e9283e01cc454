import { randomInt } from 'node:crypto'
import { getBinaryNodeChild, getBinaryNodeChildren, jidDecode } from 'baileys'
import { createGroupMessaging } from './groups-messaging.js'
import { IqError, serverId, unixTime } from './nodes.js'

/*
 * WhatsApp's side of groups, as Baileys 7.0.0-rc14 speaks it (Socket/groups.js, the group branch of
 * Socket/messages-send.js relayMessage, the w:gp2 branch of Socket/messages-recv.js); docs/emulator.md
 * "Groups":
 *   - `w:g2` IQs: create, metadata (`query request=interactive`), participating, add / remove /
 *     promote / demote (admins only, a result per participant), invite code (admins only), leave,
 *     subject and description;
 *   - `notification type=w:gp2` to every member device for each change (create, add, remove,
 *     promote, demote, subject, description), which Baileys turns into groups.upsert / groups.update /
 *     group-participants.update;
 *   - group messages from a linked device: the server checks the sender is a member, acks, and every
 *     member's phone reads the SenderKeyDistributionMessage addressed to it and the one `skmsg`;
 *   - group messages from a member (`inbound`): the member's sender key, distributed once per device in
 *     a pairwise pkmsg/msg, then the skmsg, `from=<group>` with `participant=<member>`.
 * Groups use phone-number addressing (`addressing_mode` pn): participants are phone JIDs with their LID
 * in `lid`. Members are users (phone numbers): a simulated contact or the phone of a linked account.
 */

/** WhatsApp's limit on a group's members. */
export const MAX_MEMBERS = 1024
const ADMIN_TYPES = new Set(['admin', 'superadmin'])

export class GroupError extends Error {
  /** @param {'bad_request'|'not_found'|'conflict'} code @param {string} message */
  constructor (code, message) { super(message); this.code = code }
}

/**
 * @typedef {object} Group
 * @property {string} id          the group's user part (digits-digits), JID `${id}@g.us`
 * @property {string} subject
 * @property {string} subjectOwner  phone
 * @property {number} subjectTime
 * @property {number} creation
 * @property {string} creator     phone
 * @property {string|null} desc
 * @property {string|null} descId
 * @property {string|null} descOwner
 * @property {number|null} descTime
 * @property {Array<{phone: string, type: 'superadmin'|'admin'|null}>} participants
 * @property {string} inviteCode
 */

/**
 * Plugs groups into an emulator whose messaging part is installed; returns the controls (also
 * `emulator.groups`).
 * @param {any} emulator
 */
export function installGroups (emulator) {
  const messaging = emulator.messaging
  const contacts = messaging.contacts
  /** @type {Map<string, Group>} */
  let groups = new Map()
  /** @type {Map<string, string>} sender-key records of every simulated phone (signal/groups.js) */
  let senderKeys = new Map()
  /** @type {Map<string, Set<string>>} `${group}|${member phone}` → device jids that got the member's sender key */
  let distributed = new Map()
  const changed = () => emulator.store?.changed()

  const jidOf = (/** @type {Group} */ g) => `${g.id}@g.us`
  const pnJid = (/** @type {string} */ phone) => `${phone}@s.whatsapp.net`
  const memberOf = (/** @type {Group} */ g, /** @type {string} */ phone) => g.participants.find((p) => p.phone === phone) ?? null
  const isAdmin = (/** @type {Group} */ g, /** @type {string} */ phone) => ADMIN_TYPES.has(memberOf(g, phone)?.type ?? '')

  /** The group a JID names, or null. @param {string|undefined} jid */
  function groupOf (jid) {
    const d = typeof jid === 'string' ? jidDecode(jid) : undefined
    return d?.server === 'g.us' ? groups.get(d.user) ?? null : null
  }

  /** The phone of a user JID (phone or LID) on WhatsApp, or null (an unknown LID, a number not on WhatsApp). @param {string} jid */
  function userPhone (jid) {
    const d = jidDecode(jid)
    if (!d?.user || d.device || !['s.whatsapp.net', 'lid'].includes(d.server)) return null
    return contacts.resolve(`${d.user}@${d.server}`)?.phone ?? null
  }

  /** A `participant` node as WhatsApp lists one in pn addressing. @param {string} phone @param {Record<string, string>} [extra] */
  function participantNode (phone, extra = {}) {
    const c = contacts.contactFor(phone)
    return { tag: 'participant', attrs: { jid: c.pnJid, ...(c.lidJid ? { lid: c.lidJid } : {}), ...extra } }
  }

  /** The `<group>` node of metadata answers and create notifications. @param {Group} g */
  function groupNode (g) {
    const content = g.participants.map((p) => participantNode(p.phone, p.type ? { type: p.type } : {}))
    if (g.desc) {
      content.push({
        tag: 'description',
        attrs: { id: g.descId ?? serverId(), participant: pnJid(g.descOwner ?? g.creator), t: String(g.descTime ?? g.creation) },
        content: [{ tag: 'body', attrs: {}, content: Buffer.from(g.desc, 'utf8') }]
      })
    }
    return {
      tag: 'group',
      attrs: {
        id: g.id,
        subject: g.subject,
        s_o: pnJid(g.subjectOwner),
        s_t: String(g.subjectTime),
        creation: String(g.creation),
        creator: pnJid(g.creator),
        size: String(g.participants.length),
        addressing_mode: 'pn'
      },
      content
    }
  }

  /**
   * Sends a w:gp2 notification about `g` to every device of every linked account among `phones`
   * (default: the members), acting member `actor`. Sent after the current IQ's result.
   * @param {Group} g @param {string} actor @param {any} child @param {string[]} [phones]
   */
  function notify (g, actor, child, phones = g.participants.map((p) => p.phone)) {
    const a = contacts.contactFor(actor)
    const attrs = { from: jidOf(g), type: 'w:gp2', participant: a.pnJid, ...(a.lidJid ? { participant_lid: a.lidJid } : {}), t: String(unixTime()) }
    const targets = [...new Set(phones)].filter((p) => emulator.accounts.findPhone(p))
    setImmediate(() => {
      for (const phone of targets) {
        for (const d of emulator.accounts.devicesOf(phone)) messaging.deliver(d, { tag: 'notification', attrs: { ...attrs, id: serverId() }, content: [child] })
      }
    })
  }

  /** The group an IQ names (`to`), for a member; 404 unknown, 403 not a member. @param {any} ctx */
  function groupFor (ctx) {
    if (!ctx.device) throw new IqError(401, 'not-authorized')
    const g = groupOf(ctx.node.attrs.to)
    if (!g) throw new IqError(404, 'item-not-found')
    if (!memberOf(g, ctx.device.phone)) throw new IqError(403, 'forbidden')
    return g
  }

  /** Like groupFor, and the requester must be an admin (401 not-authorized otherwise). @param {any} ctx */
  function adminGroupFor (ctx) {
    const g = groupFor(ctx)
    if (!isAdmin(g, ctx.device.phone)) throw new IqError(401, 'not-authorized')
    return g
  }

  const iq = emulator.iq
  iq.register({ xmlns: 'w:g2', type: 'get', child: 'participating' }, (ctx) => {
    if (!ctx.device) throw new IqError(401, 'not-authorized')
    const mine = [...groups.values()].filter((g) => memberOf(g, ctx.device.phone))
    return [{ tag: 'groups', attrs: {}, content: mine.map(groupNode) }]
  })

  iq.register({ xmlns: 'w:g2', type: 'get', child: 'query' }, (ctx) => [groupNode(groupFor(ctx))])

  iq.register({ xmlns: 'w:g2', type: 'set', child: 'create' }, (ctx) => {
    if (!ctx.device) throw new IqError(401, 'not-authorized')
    const create = getBinaryNodeChild(ctx.node, 'create')
    const subject = String(create.attrs.subject ?? '').trim()
    if (!subject || subject.length > 100) throw new IqError(400, 'bad-request')
    const creator = ctx.device.phone
    const invited = getBinaryNodeChildren(create, 'participant').map((p) => userPhone(p.attrs.jid)).filter((p) => p && p !== creator)
    const members = [...new Set(invited)]
    if (members.length + 1 > MAX_MEMBERS) throw new IqError(406, 'not-acceptable')
    const now = unixTime()
    let id
    do { id = `120363${randomInt(1e11, 1e12)}` } while (groups.has(id)) // 18 digits, as WhatsApp's
    /** @type {Group} */
    const g = {
      id, subject, subjectOwner: creator, subjectTime: now, creation: now, creator, desc: null, descId: null, descOwner: null, descTime: null,
      participants: [{ phone: creator, type: 'superadmin' }, ...members.map((phone) => ({ phone, type: /** @type {null} */ (null) }))],
      inviteCode: inviteCode()
    }
    groups.set(id, g)
    changed()
    notify(g, creator, { tag: 'create', attrs: {}, content: [groupNode(g)] })
    return [groupNode(g)]
  })

  for (const action of ['add', 'remove', 'promote', 'demote']) {
    iq.register({ xmlns: 'w:g2', type: 'set', child: action }, (ctx) => {
      const g = adminGroupFor(ctx)
      const actor = ctx.device.phone
      const results = []
      const done = []
      for (const p of getBinaryNodeChildren(getBinaryNodeChild(ctx.node, action), 'participant')) {
        const jid = p.attrs.jid
        const phone = userPhone(jid)
        const error = applyAction(g, action, phone)
        results.push({ tag: 'participant', attrs: { jid, ...(error ? { error } : {}) } })
        if (!error && phone) done.push(phone)
      }
      if (done.length) {
        changed()
        const child = { tag: action, attrs: {}, content: done.map((phone) => participantNode(phone)) }
        // removed members learn it too; added members get the group itself first
        notify(g, actor, child, [...g.participants.map((m) => m.phone), ...(action === 'remove' ? done : [])])
      }
      return [{ tag: action, attrs: {}, content: results }]
    })
  }

  iq.register({ xmlns: 'w:g2', type: 'get', child: 'invite' }, (ctx) => {
    const g = adminGroupFor(ctx)
    return [{ tag: 'invite', attrs: { code: g.inviteCode } }]
  })

  iq.register({ xmlns: 'w:g2', type: 'set', child: 'leave' }, (ctx) => {
    if (!ctx.device) throw new IqError(401, 'not-authorized')
    const phone = ctx.device.phone
    const results = []
    for (const node of getBinaryNodeChildren(getBinaryNodeChild(ctx.node, 'leave'), 'group')) {
      const g = groupOf(node.attrs.id?.includes('@') ? node.attrs.id : `${node.attrs.id}@g.us`)
      if (!g) { results.push({ tag: 'group', attrs: { id: node.attrs.id, error: '404' } }); continue }
      if (!memberOf(g, phone)) { results.push({ tag: 'group', attrs: { id: node.attrs.id, error: '403' } }); continue }
      leave(g, phone)
      results.push({ tag: 'group', attrs: { id: node.attrs.id } })
    }
    if (results.length && results.every((r) => r.attrs.error)) throw new IqError(Number(results[0].attrs.error), results[0].attrs.error === '404' ? 'item-not-found' : 'forbidden')
    return [{ tag: 'leave', attrs: {}, content: results }]
  })

  iq.register({ xmlns: 'w:g2', type: 'set', child: 'subject' }, (ctx) => {
    const g = groupFor(ctx)
    const subject = Buffer.from(getBinaryNodeChild(ctx.node, 'subject').content ?? '').toString('utf8').trim()
    if (!subject || subject.length > 100) throw new IqError(400, 'bad-request')
    setSubject(g, ctx.device.phone, subject)
    return undefined
  })

  iq.register({ xmlns: 'w:g2', type: 'set', child: 'description' }, (ctx) => {
    const g = groupFor(ctx)
    const node = getBinaryNodeChild(ctx.node, 'description')
    const body = getBinaryNodeChild(node, 'body')
    setDescription(g, ctx.device.phone, node.attrs.delete === 'true' ? null : Buffer.from(body?.content ?? '').toString('utf8'))
    return undefined
  })

  /**
   * Applies one participant action; returns WhatsApp's per-participant error code, or null.
   * add: 404 not on WhatsApp, 409 already a member, 406 group full; remove/promote/demote: 404 not a member.
   * @param {Group} g @param {string} action @param {string|null} phone
   */
  function applyAction (g, action, phone) {
    if (!phone) return '404'
    const m = memberOf(g, phone)
    switch (action) {
      case 'add':
        if (m) return '409'
        if (g.participants.length >= MAX_MEMBERS) return '406'
        g.participants.push({ phone, type: null })
        return null
      case 'remove':
        if (!m) return '404'
        if (m.type === 'superadmin' && phone === g.creator) return '406' // the creator cannot be removed
        g.participants = g.participants.filter((p) => p !== m)
        return null
      case 'promote':
        if (!m) return '404'
        if (!m.type) m.type = 'admin'
        return null
      case 'demote':
        if (!m) return '404'
        m.type = null
        return null
    }
    return '400'
  }

  /** `phone` leaves `g`; when no admin is left the oldest member becomes one (WhatsApp's rule). @param {Group} g @param {string} phone */
  function leave (g, phone) {
    g.participants = g.participants.filter((p) => p.phone !== phone)
    if (g.participants.length && !g.participants.some((p) => ADMIN_TYPES.has(p.type ?? ''))) g.participants[0].type = 'admin'
    changed()
    notify(g, phone, { tag: 'remove', attrs: {}, content: [participantNode(phone)] }, [...g.participants.map((p) => p.phone), phone])
    if (!g.participants.length) groups.delete(g.id)
  }

  /** @param {Group} g @param {string} phone @param {string} subject */
  function setSubject (g, phone, subject) {
    g.subject = subject; g.subjectOwner = phone; g.subjectTime = unixTime()
    changed()
    notify(g, phone, { tag: 'subject', attrs: { subject, s_o: pnJid(phone), s_t: String(g.subjectTime) } })
  }

  /** @param {Group} g @param {string} phone @param {string|null} desc  null deletes it */
  function setDescription (g, phone, desc) {
    g.desc = desc && desc.trim() ? desc : null
    g.descId = g.desc ? serverId() : null; g.descOwner = phone; g.descTime = unixTime()
    changed()
    const child = g.desc
      ? { tag: 'description', attrs: { id: g.descId }, content: [{ tag: 'body', attrs: {}, content: Buffer.from(g.desc, 'utf8') }] }
      : { tag: 'description', attrs: { delete: 'true' } }
    notify(g, phone, child)
  }

  const messages = createGroupMessaging({
    emulator, groupOf, memberOf, jidOf, changed, GroupError, keys: { senderKeys: () => senderKeys, distributed: () => distributed }
  })

  const controls = {
    /** @param {string} jid */
    get: (jid) => groupOf(jid),
    /** Groups the phone is a member of. @param {string} phone */
    of: (phone) => [...groups.values()].filter((g) => memberOf(g, phone)),
    /** A linked device's message to a group (messaging.js hands group stanzas here). */
    deviceMessage: messages.deviceMessage,
    /**
     * A member of `group` sends a message in it to the account `phone` (a member too); see
     * groups-messaging.js. @param {string} phone
     * @param {{group: string, from: string, text?: string, content?: any, pushName?: string, messageId?: string}} spec
     */
    inbound: messages.inbound,


    /**
     * A member changes the group's subject or description (as from their phone); every member
     * device gets the notification; `action` + `participants` (phones): the member, an admin,
     * adds, removes, promotes or demotes them. @param {string} group
     * @param {{by: string, subject?: string, description?: string|null, action?: string, participants?: string[]}} change
     */
    update (group, { by, subject, description, action, participants }) {
      const g = groupOf(group)
      if (!g) throw new GroupError('not_found', `no group ${group}`)
      if (!memberOf(g, by)) throw new GroupError('bad_request', `${by} is not a member of ${group}`)
      if (action !== undefined) {
        // a member acts on participants from their phone: admins only, as the server checks
        if (!['add', 'remove', 'promote', 'demote'].includes(action) || !Array.isArray(participants) || !participants.length) throw new GroupError('bad_request', 'action must be add, remove, promote or demote with participants')
        if (!isAdmin(g, by)) throw new GroupError('bad_request', `${by} is not an admin of ${group}`)
        const done = participants.filter((phone) => !applyAction(g, action, contacts.resolve(pnJid(phone))?.phone ?? null))
        if (done.length) {
          changed()
          notify(g, by, { tag: action, attrs: {}, content: done.map((phone) => participantNode(phone)) }, [...g.participants.map((m) => m.phone), ...(action === 'remove' ? done : [])])
        }
      }
      if (subject !== undefined) setSubject(g, by, subject)
      if (description !== undefined) setDescription(g, by, description)
      return g
    },

    /** State for persistence: groups, the phones' sender keys, who holds which member's key. */
    toJSON: () => ({ version: 1, groups: [...groups.values()], senderKeys: [...senderKeys], distributed: [...distributed].map(([k, v]) => [k, [...v]]) }),
    /** @param {any} json */
    fromJSON (json) {
      if (json?.version !== 1) throw new Error('unknown emulator groups state version')
      groups = new Map(json.groups.map((/** @type {Group} */ g) => [g.id, g]))
      senderKeys = new Map(json.senderKeys)
      distributed = new Map(json.distributed.map((/** @type {[string, string[]]} */ [k, v]) => [k, new Set(v)]))
    },
    close: () => messages.close()
  }
  emulator.groups = controls
  return controls
}

/** An invite code in WhatsApp's shape (22 characters, letters and digits). */
function inviteCode () {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return Array.from({ length: 22 }, () => alphabet[randomInt(alphabet.length)]).join('')
}
