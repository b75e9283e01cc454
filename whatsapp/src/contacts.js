import { jidDecode, jidNormalizedUser } from 'baileys'
import { EngineError } from './errors.js'

/*
 * Contacts (docs/engine-protocol.md, "Contact commands"): who is on WhatsApp (`contacts.check`,
 * one Baileys onWhatsApp call for the whole batch), a contact's profile picture
 * (`contacts.picture`), and the names Baileys learns (`contacts.upsert` event, mapped here).
 * The engine only asks and reports; Java caches, stores and answers the API.
 */

/** At most this many numbers per check (the API's limit; one usync query). */
export const MAX_CHECK = 50
/** How long the LID lookup after a check may take before the answer goes without LIDs. */
const LID_LOOKUP_TIMEOUT_MS = 5000

/**
 * @param {object} deps
 * @param {import('./registry.js').Registry} deps.registry
 * @param {import('pino').Logger} deps.logger
 * @returns {Record<string, import('./commands.js').CommandSpec>}
 */
export function contactCommands ({ registry, logger }) {
  /** The open socket of a connection, or not_ready (nothing is asked of WhatsApp). @param {string} id */
  const openSocket = (id) => {
    const entry = registry.get(id)
    if (!entry || entry.state !== 'open') throw new EngineError('not_ready', `connection ${id} is not open`)
    return entry.sock
  }

  return {
    /**
     * Which of these numbers are on WhatsApp: one onWhatsApp (usync contact) query for all of
     * them, then their LIDs from Baileys' LID store (which asks WhatsApp once, batched, for those
     * it does not know yet). Every number asked gets exactly one answer, in the order asked;
     * a number WhatsApp leaves out of its answer does not exist.
     */
    'contacts.check': {
      needsHello: true,
      connection: true,
      async run (args) {
        const phones = args.phones
        if (!Array.isArray(phones) || phones.length < 1 || phones.length > MAX_CHECK || phones.some((p) => typeof p !== 'string' || !/^[1-9][0-9]{5,14}$/.test(p))) {
          throw new EngineError('bad_request', `phones must be 1-${MAX_CHECK} phone numbers (6-15 digits, no leading 0)`)
        }
        const sock = openSocket(args.connectionId)
        let found
        try {
          found = await /** @type {any} */ (sock).onWhatsApp(...phones.map((p) => `${p}@s.whatsapp.net`))
        } catch (err) {
          throw new EngineError('send_failed', `onWhatsApp failed: ${/** @type {Error} */ (err).message}`, { statusCode: /** @type {any} */ (err)?.output?.statusCode ?? null })
        }
        /** @type {Map<string, string>} phone → its phone JID, for those that exist */
        const existing = new Map()
        for (const r of found ?? []) {
          const user = jidDecode(r?.jid)?.user
          if (r?.exists && user) existing.set(user, jidNormalizedUser(r.jid))
        }
        const lids = await lidsFor(sock, [...existing.values()], logger)
        return {
          results: phones.map((phone) => {
            const jid = existing.get(phone) ?? null
            return { phone, exists: jid !== null, jid, lid: jid ? lids.get(jid) ?? null : null }
          })
        }
      }
    },

    /**
     * The URL of a user's profile picture (full size), or null when there is none or the
     * user's privacy settings hide it from us (WhatsApp answers 404 / 401 / 403 then).
     */
    'contacts.picture': {
      needsHello: true,
      connection: true,
      async run (args) {
        const jid = args.jid
        const d = typeof jid === 'string' ? jidDecode(jid) : undefined
        if (!d?.user || !['s.whatsapp.net', 'lid'].includes(d.server) || d.device) throw new EngineError('bad_request', 'jid must be a user JID (phone or LID) without device')
        const sock = openSocket(args.connectionId)
        try {
          const url = await /** @type {any} */ (sock).profilePictureUrl(jid, 'image')
          return { url: typeof url === 'string' && url ? url : null }
        } catch (err) {
          // an IQ error is a Boom whose `data` is WhatsApp's error code (assertNodeErrorFree)
          const e = /** @type {any} */ (err)
          const status = typeof e?.data === 'number' ? e.data : e?.output?.statusCode
          if ([401, 403, 404].includes(Number(status))) return { url: null }
          throw new EngineError('send_failed', `profile picture query failed: ${/** @type {Error} */ (err).message}`, { statusCode: Number(status) || null })
        }
      }
    }
  }
}

/**
 * phone JID → LID JID for these numbers from Baileys' LID store (getLIDsForPNs asks WhatsApp
 * for unknown ones in one usync and stores them; Baileys then emits lid-mapping.update, which
 * reaches Java as contacts.lid). A failure or timeout only leaves the LIDs out.
 * @param {any} sock @param {string[]} pns @param {import('pino').Logger} logger
 * @returns {Promise<Map<string, string>>}
 */
async function lidsFor (sock, pns, logger) {
  const map = new Map()
  const store = sock.signalRepository?.lidMapping
  if (pns.length === 0 || typeof store?.getLIDsForPNs !== 'function') return map
  /** @type {NodeJS.Timeout|undefined} */
  let timer
  try {
    const pairs = await Promise.race([
      store.getLIDsForPNs(pns),
      new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error('LID lookup timed out')), LID_LOOKUP_TIMEOUT_MS) })
    ])
    for (const p of pairs ?? []) map.set(jidNormalizedUser(p.pn), jidNormalizedUser(p.lid))
  } catch (err) {
    logger.warn({ err, count: pns.length }, 'LID lookup for a contact check failed, answering without LIDs')
  } finally {
    clearTimeout(timer)
  }
  return map
}

/**
 * Baileys `contacts.upsert` / `contacts.update` / a history chunk's `contacts` → the data of a
 * `contacts.upsert` event, or null when nothing is worth reporting. Each contact: `jid` (as
 * Baileys names it), `phone` (digits, from a phone JID or Baileys' `phoneNumber`, else null),
 * `lid` (a LID JID when known), `name` (the address-book name), `notify` (the push name),
 * `verifiedName` (a business's verified name); absent values are null. Group and broadcast
 * entries and entries without any name are left out (names are what this event is for).
 * @param {any} list
 * @returns {{contacts: Array<{jid: string, phone: string|null, lid: string|null, name: string|null, notify: string|null, verifiedName: string|null}>}|null}
 */
export function mapContacts (list) {
  if (!Array.isArray(list)) return null
  const contacts = []
  for (const c of list) {
    if (typeof c?.id !== 'string') continue
    const jid = jidNormalizedUser(c.id)
    const d = jidDecode(jid)
    if (!d?.user || !['s.whatsapp.net', 'lid'].includes(d.server)) continue
    const str = (/** @type {unknown} */ v) => typeof v === 'string' && v.trim() !== '' ? v : null
    const name = str(c.name); const notify = str(c.notify); const verifiedName = str(c.verifiedName)
    if (!name && !notify && !verifiedName) continue
    const pnJid = d.server === 's.whatsapp.net' ? jid : (typeof c.phoneNumber === 'string' ? jidNormalizedUser(c.phoneNumber) : null)
    const lid = d.server === 'lid' ? jid : (typeof c.lid === 'string' ? jidNormalizedUser(c.lid) : null)
    contacts.push({ jid, phone: pnJid ? jidDecode(pnJid)?.user ?? null : null, lid, name, notify, verifiedName })
  }
  return contacts.length > 0 ? { contacts } : null
}
