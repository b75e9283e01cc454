import { jidDecode } from 'baileys'
import { IqError, serverId, unixTime } from './nodes.js'

/*
 * Account restrictions, as WhatsApp signals them to a linked device (docs/emulator.md
 * "Account restrictions"), in exactly the nodes Baileys 7.0.0-rc14 parses:
 *   - the reach-out time lock: `<notification type="mex"><update op_name=
 *     "NotificationUserReachoutTimelockUpdate">` with JSON `{data: {xwa2_notify_account_reachout_timelock:
 *     {is_active, time_enforcement_ends (unix seconds, string), enforcement_type}}}` (Baileys emits it as
 *     `connection.update` `reachoutTimeLock`), and the answer to the `w:mex` query
 *     REACHOUT_TIMELOCK (`xwa2_fetch_account_reachout_timelock`, Baileys fetchAccountReachoutTimelock);
 *   - message capping: the same notification with op_name `MessageCappingInfoNotification` and
 *     `{data: {xwa2_notify_new_chat_messages_capping_info_update: {capping_status, total_quota,
 *     used_quota, cycle_start_timestamp, cycle_end_timestamp, server_sent_timestamp}}}` (Baileys
 *     emits `message-capping.update`), and the `w:mex` query MESSAGE_CAPPING_INFO;
 *   - while either is in force, a message to a contact the account never chatted with (no
 *     message either way in the emulator's ledger) gets the server ack with `error="463"`, as
 *     WhatsApp refuses a new chat without a privacy token; known contacts and groups still go.
 * A restriction whose `until` has passed is over (the emulator sends nothing at that moment:
 * whether WhatsApp does is not known). Notifications reach live devices at once and offline
 * ones at their next login, like every server notification.
 */

/** The kinds a restriction can be. */
export const RESTRICTION_KINDS = ['reachout_timelock', 'message_capping']
/** The error code of the server ack refusing a message to a new contact (Baileys' SenderReachoutTimelocked). */
export const NEW_CONTACT_REFUSED = '463'
/** Baileys' QueryIds (Types/Mex.js) of the two `w:mex` queries a device may send. */
export const MEX_QUERY = { reachoutTimelock: '23983697327930364', messageCapping: '24503548349331633' }
/** Enforcement types the time lock may carry: Baileys' ReachoutTimelockEnforcementType (without the BIZ_COMMERCE ones) and RESTRICT_ALL_COMPANIONS, which WhatsApp sends but rc14 does not list (a notification then reads DEFAULT). */
export const ENFORCEMENT_TYPES = ['DEFAULT', 'BIZ_QUALITY', 'WEB_COMPANION_ONLY', 'RESTRICT_ALL_COMPANIONS']

/**
 * @typedef {object} Restriction
 * @property {string} kind      reachout_timelock | message_capping
 * @property {number|null} untilMs  when it ends (epoch ms), null = not said
 * @property {string} enforcementType  time lock only
 * @property {number} totalQuota  capping only: new chats allowed per cycle
 * @property {number} since     epoch ms it started
 */

/**
 * Plugs restrictions into an emulator that has messaging. Sets `emulator.restrictions`.
 * @param {any} emulator
 */
export function installRestrictions (emulator) {
  /** @type {Map<string, Map<string, Restriction>>} phone → kind → restriction in force */
  const byPhone = new Map()
  const messaging = emulator.messaging

  /** The restrictions of a phone still in force now (expired ones are dropped). @param {string} phone */
  function active (phone) {
    const list = byPhone.get(phone)
    if (!list) return []
    for (const [kind, r] of list) if (r.untilMs !== null && r.untilMs <= Date.now()) list.delete(kind)
    return [...list.values()]
  }

  /** @param {string} phone @param {string} kind */
  const find = (phone, kind) => active(phone).find((r) => r.kind === kind) ?? null

  /** The mex notification for a kind's current state (null restriction = lifted). @param {string} kind @param {Restriction|null} r */
  function notification (kind, r) {
    const data = kind === 'reachout_timelock'
      ? { xwa2_notify_account_reachout_timelock: timelockPayload(r) }
      : { xwa2_notify_new_chat_messages_capping_info_update: cappingPayload(r) }
    const opName = kind === 'reachout_timelock' ? 'NotificationUserReachoutTimelockUpdate' : 'MessageCappingInfoNotification'
    return {
      tag: 'notification',
      attrs: { from: 's.whatsapp.net', type: 'mex', id: serverId(), t: unixTime() },
      content: [{ tag: 'update', attrs: { op_name: opName }, content: Buffer.from(JSON.stringify({ data }), 'utf8') }]
    }
  }

  /**
   * Answers the two `w:mex` queries a device sends about its own account; any other query is
   * 501 as before (what a server without that feature answers).
   */
  const previousMex = emulator.iq.find({ attrs: { xmlns: 'w:mex', type: 'get' }, content: [{ tag: 'query', attrs: {} }] })
  emulator.iq.register({ xmlns: 'w:mex', type: 'get', child: 'query' }, (ctx) => {
    const query = Array.isArray(ctx.node.content) ? ctx.node.content.find((c) => c.tag === 'query') : null
    const id = query?.attrs?.query_id
    if (id !== MEX_QUERY.reachoutTimelock && id !== MEX_QUERY.messageCapping) {
      if (previousMex) return previousMex(ctx)
      throw new IqError(501, 'feature-not-implemented')
    }
    if (!ctx.device) throw new IqError(401, 'not-authorized')
    const data = id === MEX_QUERY.reachoutTimelock
      ? { xwa2_fetch_account_reachout_timelock: timelockPayload(find(ctx.device.phone, 'reachout_timelock')) }
      : { xwa2_message_capping_info: cappingPayload(find(ctx.device.phone, 'message_capping')) }
    return [{ tag: 'result', attrs: {}, content: Buffer.from(JSON.stringify({ data }), 'utf8') }]
  })

  const controls = {
    /**
     * WhatsApp restricts the account `phone`: the state is kept and every linked device is told
     * (mex notification). `untilMs` null: the notification carries no end (Baileys then assumes
     * 60 s for a time lock). Replaces an earlier restriction of the same kind.
     * @param {string} phone
     * `silent`: the devices are not told (as when the notification was missed); they learn it
     * from a 463 and their own query.
     * @param {{kind: string, untilMs?: number|null, enforcementType?: string, totalQuota?: number, silent?: boolean}} r
     */
    restrict (phone, { kind, untilMs = null, enforcementType = 'BIZ_QUALITY', totalQuota = 0, silent = false }) {
      if (!RESTRICTION_KINDS.includes(kind)) throw new Error(`kind must be one of ${RESTRICTION_KINDS.join(', ')}`)
      const restriction = { kind, untilMs, enforcementType, totalQuota, since: Date.now() }
      const list = byPhone.get(phone) ?? new Map()
      list.set(kind, restriction)
      byPhone.set(phone, list)
      emulator.store.changed()
      if (!silent) messaging.deliverToAccount(phone, () => notification(kind, restriction))
      return view(restriction)
    },

    /**
     * WhatsApp lifts a restriction: the devices get the notification saying it is over
     * (is_active false / capping_status NONE) even when none was in force, as a server may repeat it.
     * @param {string} phone @param {string} kind @returns {{kind: string, lifted: boolean}}
     */
    lift (phone, kind) {
      if (!RESTRICTION_KINDS.includes(kind)) throw new Error(`kind must be one of ${RESTRICTION_KINDS.join(', ')}`)
      const lifted = byPhone.get(phone)?.delete(kind) ?? false
      emulator.store.changed()
      messaging.deliverToAccount(phone, () => notification(kind, null))
      return { kind, lifted }
    },

    /** The restrictions of `phone` in force now. @param {string} phone */
    list: (phone) => active(phone).map(view),

    /**
     * True when the server refuses this message stanza of `phone`'s device with 463: a
     * restriction is in force and the stanza goes to one person the account never exchanged a
     * message with (groups, the own phone and known contacts are never refused).
     * @param {string} phone @param {any} node
     */
    refuses (phone, node) {
      if (active(phone).length === 0) return false
      const to = jidDecode(node.attrs.to ?? '')
      if (!to || (to.server !== 's.whatsapp.net' && to.server !== 'lid')) return false
      const contact = messaging.contacts.find(`${to.user}@${to.server}`)
      const other = contact?.phone ?? (to.server === 's.whatsapp.net' ? to.user : null)
      if (!other || other === phone) return false
      const s = messaging.stateOf(phone)
      for (const e of s.ledger.values()) if (e.contact === other) return false
      for (const e of s.inbound.values()) if (e.from === other) return false
      return true
    }
  }

  emulator.store.register('restrictions', {
    save: () => [...byPhone].map(([phone, list]) => [phone, [...list.values()]]),
    load: (saved) => {
      for (const [phone, list] of saved ?? []) byPhone.set(phone, new Map(list.map((/** @type {Restriction} */ r) => [r.kind, r])))
    }
  })
  emulator.restrictions = controls
  return controls
}

/** What a control call answers about one restriction. @param {Restriction} r */
function view (r) {
  return { kind: r.kind, untilMs: r.untilMs, since: r.since, ...(r.kind === 'reachout_timelock' ? { enforcementType: r.enforcementType } : { totalQuota: r.totalQuota }) }
}

/** Seconds since the epoch as the string WhatsApp puts in these payloads. @param {number} ms */
const seconds = (ms) => String(Math.floor(ms / 1000))

/** The time lock payload (notification and query answer alike). @param {Restriction|null} r */
function timelockPayload (r) {
  if (!r) return { is_active: false, time_enforcement_ends: '0', enforcement_type: 'DEFAULT' }
  return { is_active: true, ...(r.untilMs !== null ? { time_enforcement_ends: seconds(r.untilMs) } : {}), enforcement_type: r.enforcementType }
}

/** The capping payload (Baileys' NewChatMessageCapInfo). @param {Restriction|null} r */
function cappingPayload (r) {
  const now = Date.now()
  if (!r) return { capping_status: 'NONE', server_sent_timestamp: seconds(now) }
  return {
    capping_status: 'CAPPED',
    total_quota: r.totalQuota,
    used_quota: r.totalQuota,
    cycle_start_timestamp: seconds(r.since),
    ...(r.untilMs !== null ? { cycle_end_timestamp: seconds(r.untilMs) } : {}),
    server_sent_timestamp: seconds(now),
    ote_status: 'NOT_ELIGIBLE',
    mv_status: 'NOT_ELIGIBLE'
  }
}

const PHONE = /^[1-9][0-9]{5,14}$/
const FIELDS = { '/control/restrict': ['phone', 'kind', 'untilMs', 'enforcementType', 'totalQuota', 'silent'], '/control/lift': ['phone', 'kind'] }

/**
 * HTTP routes of the restriction controls (control.js hands them over):
 *   POST /control/restrict {phone, kind, untilMs?, enforcementType?, totalQuota?, silent?} → the restriction
 *   POST /control/lift     {phone, kind}                                         → {kind, lifted}
 *   GET  /control/restrictions/:phone                                            → {restrictions: [...]}
 * Bad input (unknown fields included) is 400 bad_request and changes nothing; null when the
 * path is not one of these.
 * @param {any} emulator @param {string} method @param {string} path @param {() => Promise<any>} readBody
 * @returns {Promise<{status: number, body: any}|null>}
 */
export async function handleRestrictionRoute (emulator, method, path, readBody) {
  const bad = (message) => ({ status: 400, body: { error: { code: 'bad_request', message } } })
  const listed = /^\/control\/restrictions\/([^/]+)$/.exec(path)
  if (listed && method === 'GET') {
    if (!PHONE.test(listed[1])) return bad('phone must be digits only (6-15)')
    return { status: 200, body: { restrictions: emulator.restrictions.list(listed[1]) } }
  }
  const fields = FIELDS[path]
  if (!fields || method !== 'POST') return null
  const body = await readBody()
  if (body === undefined) return bad('body must be a JSON object')
  const problem = restrictionProblem(body, fields)
  if (problem) return bad(problem)
  if (path === '/control/lift') return { status: 200, body: emulator.restrictions.lift(body.phone, body.kind) }
  const { phone, ...r } = body
  return { status: 200, body: emulator.restrictions.restrict(phone, r) }
}

/** What is wrong with a restrict/lift body, or null. @param {any} body @param {string[]} fields */
export function restrictionProblem (body, fields) {
  const extra = Object.keys(body).filter((k) => !fields.includes(k))
  if (extra.length) return `unknown field(s): ${extra.join(', ')}`
  if (typeof body.phone !== 'string' || !PHONE.test(body.phone)) return 'phone must be digits only (6-15)'
  if (!RESTRICTION_KINDS.includes(body.kind)) return `kind must be one of ${RESTRICTION_KINDS.join(', ')}`
  if (body.untilMs !== undefined && body.untilMs !== null && (!Number.isSafeInteger(body.untilMs) || body.untilMs <= Date.now())) return 'untilMs must be a future time in epoch milliseconds (or null)'
  if (body.enforcementType !== undefined && !ENFORCEMENT_TYPES.includes(body.enforcementType)) return `enforcementType must be one of ${ENFORCEMENT_TYPES.join(', ')}`
  if (body.silent !== undefined && typeof body.silent !== 'boolean') return 'silent must be a boolean'
  if (body.totalQuota !== undefined && (!Number.isInteger(body.totalQuota) || body.totalQuota < 0 || body.totalQuota > 100000)) return 'totalQuota must be an integer 0-100000'
  return null
}
