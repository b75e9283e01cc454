import { jidDecode, jidNormalizedUser, WAMessageStubType } from 'baileys'
import { EngineError } from './errors.js'
import { jidToPhone } from './values.js'

/*
 * Groups (docs/engine-protocol.md, "Group commands"): list, metadata, create, participant actions,
 * invite code, leave — each one Baileys call against WhatsApp — plus the per-socket group metadata
 * cache Baileys reads when it sends to a group (`cachedGroupMetadata`), and the `group.participants`
 * / `group.updated` events. The engine asks and reports; Java validates, answers the API and fires
 * webhooks.
 */

/** At most this many participants per create or participant action (one IQ). */
export const MAX_PARTICIPANTS = 256
const GROUP_JID = /^[0-9]{1,32}(-[0-9]{1,16})?@g\.us$/
const ACTIONS = new Set(['add', 'remove', 'promote', 'demote'])

/**
 * One socket's group metadata, as Baileys' `cachedGroupMetadata` wants it (the whole
 * GroupMetadata). Filled by every metadata fetch, list and create, kept current by
 * group-participants.update / groups.update (applied in place), emptied of a group we left.
 * Guarantees: a send to a group uses the participants WhatsApp last told us about, without a
 * metadata query per message; a group not in the cache makes Baileys fetch it (and the fetch
 * lands here through the command that triggered it or the next event).
 */
export function createGroupCache () {
  /** @type {Map<string, any>} */
  const groups = new Map()
  return {
    /** @param {string} jid */
    get: (jid) => groups.get(jid),
    /** @param {any} meta */
    set (meta) { if (typeof meta?.id === 'string' && Array.isArray(meta.participants)) groups.set(meta.id, meta) },
    /** @param {string} jid */
    delete: (jid) => groups.delete(jid),
    /**
     * Applies a group-participants.update to the cached group (if cached).
     * @param {{id: string, action: string, participants: any[]}} u
     */
    applyParticipants (u) {
      const meta = groups.get(u.id)
      if (!meta) return
      const ids = new Set((u.participants ?? []).map((p) => jidNormalizedUser(typeof p === 'string' ? p : p.id)))
      if (u.action === 'add') {
        for (const p of u.participants ?? []) {
          const id = jidNormalizedUser(typeof p === 'string' ? p : p.id)
          if (!meta.participants.some((x) => x.id === id)) meta.participants.push({ ...(typeof p === 'string' ? {} : p), id, admin: null })
        }
      } else if (u.action === 'remove') {
        meta.participants = meta.participants.filter((x) => !ids.has(x.id))
      } else if (u.action === 'promote' || u.action === 'demote') {
        for (const x of meta.participants) if (ids.has(x.id)) x.admin = u.action === 'promote' ? 'admin' : null
      }
      meta.size = meta.participants.length
    },
    /** Applies a groups.update change (subject, description …) to the cached group. @param {any} u */
    applyUpdate (u) {
      const meta = groups.get(u.id)
      if (!meta) return
      if (typeof u.subject === 'string') meta.subject = u.subject
      if ('desc' in u) meta.desc = u.desc
    }
  }
}

/**
 * Subscribes the group events of one socket: keeps `entry.groupCache` current and reports
 * `group.participants` and `group.updated` (docs/engine-protocol.md). A `groups.update` carrying
 * whole metadata (what groupFetchAllParticipating emits) only refreshes the cache: it is no change.
 * @param {import('./registry.js').SessionEntry & {groupCache: ReturnType<typeof createGroupCache>}} entry
 * @param {import('pino').Logger} logger
 */
export function attachGroupHandlers (entry, logger) {
  const ev = entry.sock.ev
  const report = (/** @type {string} */ event, /** @type {object} */ data) => { if (!entry.stoppedByUs) entry.emit(event, data) }
  const guard = (/** @type {string} */ name, /** @type {(d: any) => void} */ fn) => ev.on(name, (/** @type {any} */ d) => {
    try { fn(d) } catch (err) { logger.error({ err, event: name, connectionId: entry.connectionId }, 'group handler failed') }
  })
  guard('groups.upsert', (list) => {
    for (const meta of list ?? []) {
      entry.groupCache.set(meta)
      report('group.updated', { groupJid: meta.id, subject: meta.subject ?? null, description: meta.desc ?? null, author: str(meta.author), authorPhone: phoneOf(meta.authorPn, meta.author), created: true })
    }
  })
  // groups.update only refreshes the cache: Baileys' event buffer keeps the first update per group
  // and drops later ones of the same flush (Utils/event-buffer.js), so changes are reported from
  // the notification messages themselves (below), which the buffer keeps one by one.
  guard('groups.update', (list) => {
    for (const u of list ?? []) {
      if (Array.isArray(u?.participants)) entry.groupCache.set(u)
      else if (u?.id) entry.groupCache.applyUpdate(u)
    }
  })
  guard('messages.upsert', (upsert) => {
    for (const m of upsert?.messages ?? []) {
      const groupJid = m?.key?.remoteJid
      const type = m?.messageStubType
      if (typeof groupJid !== 'string' || !groupJid.endsWith('@g.us')) continue
      if (type !== WAMessageStubType.GROUP_CHANGE_SUBJECT && type !== WAMessageStubType.GROUP_CHANGE_DESCRIPTION) continue
      const value = m.messageStubParameters?.[0] ?? null
      const change = type === WAMessageStubType.GROUP_CHANGE_SUBJECT ? { subject: value } : { description: value }
      entry.groupCache.applyUpdate({ id: groupJid, ...(type === WAMessageStubType.GROUP_CHANGE_SUBJECT ? { subject: value } : { desc: value }) })
      const author = str(m.key.participant) ?? str(m.participant)
      report('group.updated', { groupJid, ...change, author, authorPhone: phoneOf(m.key.participantAlt, author), created: false })
    }
  })
  guard('group-participants.update', (u) => {
    entry.groupCache.applyParticipants(u)
    const me = entry.sock.user
    const participants = (u.participants ?? []).map((/** @type {any} */ p) => participantOf(p))
    // we left or were removed: the group is no longer ours to send to
    if (u.action === 'remove' && participants.some((p) => p.phone && p.phone === jidToPhone(me?.id))) entry.groupCache.delete(u.id)
    report('group.participants', { groupJid: u.id, action: u.action, author: str(u.author), authorPhone: phoneOf(u.authorPn, u.author), participants })
  })
}

/** A participant as the protocol carries it: jid, phone, lid, admin (null, admin, superadmin). @param {any} p */
function participantOf (p) {
  const id = typeof p === 'string' ? p : str(p?.id)
  const d = id ? jidDecode(id) : undefined
  const lid = d?.server === 'lid' ? jidNormalizedUser(id) : str(p?.lid)
  const phone = d?.server === 's.whatsapp.net' ? jidToPhone(id) : jidToPhone(str(p?.phoneNumber))
  return { jid: id, phone, lid: lid ? jidNormalizedUser(lid) : null, admin: str(p?.admin) }
}

/**
 * Metadata → the protocol's group shape (jid, subject, description, owner, creation, size,
 * participants, isAdmin: whether our own account is an admin).
 * @param {any} meta @param {any} me  sock.user
 */
export function mapGroup (meta, me) {
  const participants = (meta?.participants ?? []).map(participantOf)
  const mePhone = jidToPhone(me?.id)
  const meLid = me?.lid ? jidNormalizedUser(me.lid) : null
  const mine = participants.find((p) => (mePhone && p.phone === mePhone) || (meLid && p.lid === meLid))
  return {
    jid: meta.id,
    subject: str(meta.subject),
    description: str(meta.desc),
    owner: phoneOf(meta.ownerPn, meta.owner),
    creation: typeof meta.creation === 'number' && Number.isFinite(meta.creation) ? meta.creation : null,
    size: participants.length,
    isAdmin: mine?.admin === 'admin' || mine?.admin === 'superadmin',
    participants
  }
}

/**
 * @param {object} deps
 * @param {import('./registry.js').Registry} deps.registry
 * @returns {Record<string, import('./commands.js').CommandSpec>}
 */
export function groupCommands ({ registry }) {
  /** The open entry of a connection, or not_ready. @param {string} id @returns {any} */
  const openEntry = (id) => {
    const entry = registry.get(id)
    if (!entry || entry.state !== 'open') throw new EngineError('not_ready', `connection ${id} is not open`)
    return entry
  }
  /** @param {any} v */
  const groupJid = (v) => {
    if (typeof v !== 'string' || !GROUP_JID.test(v)) throw new EngineError('bad_request', 'jid must be a group JID (digits@g.us)')
    return v
  }
  /** @param {any} v */
  const userJids = (v) => {
    if (!Array.isArray(v) || v.length > MAX_PARTICIPANTS || v.some((j) => typeof j !== 'string' || !/^[1-9][0-9]{5,14}@s\.whatsapp\.net$|^[0-9]{1,20}@lid$/.test(j))) {
      throw new EngineError('bad_request', `participants must be at most ${MAX_PARTICIPANTS} user JIDs (phone@s.whatsapp.net or lid@lid)`)
    }
    return v
  }
  /** Runs a WhatsApp query; its IQ error becomes send_failed with WhatsApp's code as statusCode. */
  const ask = async (/** @type {string} */ what, /** @type {() => Promise<any>} */ fn) => {
    try {
      return await fn()
    } catch (err) {
      const e = /** @type {any} */ (err)
      const status = typeof e?.data === 'number' ? e.data : Number(e?.data?.attrs?.code) || e?.output?.statusCode
      throw new EngineError('send_failed', `${what} failed: ${e?.message}`, { statusCode: Number(status) || null })
    }
  }
  const spec = (/** @type {(args: any) => Promise<object>} */ run) => ({ needsHello: true, connection: true, run })

  return {
    /** Every group our account is in (one `participating` query), with participants. */
    'groups.list': spec(async (args) => {
      const entry = openEntry(args.connectionId)
      const all = await ask('groups list', () => entry.sock.groupFetchAllParticipating())
      const metas = Object.values(all ?? {})
      for (const m of metas) entry.groupCache.set(m)
      return { groups: metas.map((m) => mapGroup(m, entry.sock.user)) }
    }),
    /** One group's metadata, fresh from WhatsApp (and into the cache). */
    'groups.metadata': spec(async (args) => {
      const jid = groupJid(args.jid)
      const entry = openEntry(args.connectionId)
      const meta = await ask('group metadata', () => entry.sock.groupMetadata(jid))
      entry.groupCache.set(meta)
      return { group: mapGroup(meta, entry.sock.user) }
    }),
    /** Creates a group with this subject and these members (we become its super admin). */
    'groups.create': spec(async (args) => {
      if (typeof args.subject !== 'string' || args.subject.trim() === '' || args.subject.length > 100) throw new EngineError('bad_request', 'subject must be 1-100 characters')
      const participants = userJids(args.participants)
      const entry = openEntry(args.connectionId)
      const meta = await ask('group create', () => entry.sock.groupCreate(args.subject, participants))
      entry.groupCache.set(meta)
      return { group: mapGroup(meta, entry.sock.user) }
    }),
    /**
     * add | remove | promote | demote: one result per participant, `status` WhatsApp's code
     * ("200" done, "403"/"404"/"409" … refused for that participant).
     */
    'groups.participants': spec(async (args) => {
      const jid = groupJid(args.jid)
      if (!ACTIONS.has(args.action)) throw new EngineError('bad_request', 'action must be add, remove, promote or demote')
      const participants = userJids(args.participants)
      if (participants.length === 0) throw new EngineError('bad_request', 'participants must not be empty')
      const entry = openEntry(args.connectionId)
      const results = await ask(`group ${args.action}`, () => entry.sock.groupParticipantsUpdate(jid, participants, args.action))
      return { results: (results ?? []).map((/** @type {any} */ r) => ({ jid: str(r.jid), status: String(r.status ?? '') })) }
    }),
    /** The group's invite code (admins only; WhatsApp refuses others). */
    'groups.inviteCode': spec(async (args) => {
      const jid = groupJid(args.jid)
      const entry = openEntry(args.connectionId)
      const code = await ask('group invite code', () => entry.sock.groupInviteCode(jid))
      if (typeof code !== 'string' || code === '') throw new EngineError('send_failed', 'WhatsApp gave no invite code', { statusCode: null })
      return { code }
    }),
    /** We leave the group. */
    'groups.leave': spec(async (args) => {
      const jid = groupJid(args.jid)
      const entry = openEntry(args.connectionId)
      await ask('group leave', () => entry.sock.groupLeave(jid))
      entry.groupCache.delete(jid)
      return { left: true }
    })
  }
}

/** The phone digits of the first of these JIDs that carries one (a LID carries none). @param {...unknown} jids */
function phoneOf (...jids) {
  for (const j of jids) {
    const p = jidToPhone(j)
    if (p) return p
  }
  return null
}

/** @param {unknown} v @returns {string|null} */
function str (v) {
  return typeof v === 'string' && v !== '' ? v : null
}
