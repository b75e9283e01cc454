import { cleanMessage, getBinaryNodeChild, getBinaryNodeChildren, jidNormalizedUser, normalizeMessageContent, proto } from 'baileys'
import { awaitConfirmation, confirmStored } from './inbound-hold.js'
import { mapContacts } from './contacts.js'
import { mapClose, mapHistorySet, mapLidMappings, mapMe, mapMessagesUpdate, mapMessagesUpsert, mapReceiptUpdates } from './mapper.js'
import { isStatusBroadcast, lidsToResolve } from './messages.js'
import { pollVotesOf } from './poll-votes.js'
import { attachRestrictionHandlers } from './restrictions.js'
import { serverAcks, withoutSendErrors, withoutOwnEchoes } from './server-acks.js'

/*
 * Baileys event handlers, shared by both modes: the sandbox runs the same real Baileys socket
 * against the emulated WhatsApp, so every line here runs in sandbox tests on events Baileys
 * itself emitted. Handlers only translate and report; Java decides what a signal means.
 */

/**
 * @typedef {import('./registry.js').SessionEntry} SessionEntry
 * @typedef {object} HandlerContext
 * @property {import('./registry.js').Registry} registry
 * @property {import('pino').Logger} logger
 * @property {boolean} [ignoreStatusBroadcast]  hello setting (default true)
 * @property {(key: any) => Promise<any>} [getMessage]  Java's stored content of one of our messages (poll votes)
 * @property {ReturnType<typeof import('./media-download.js').createMediaDownloader>|null} [media]  live media downloads (null: none)
 * @property {(chatJid: string) => boolean} [ignoreChat]  chats whose messages this connection's settings drop (behaviour.js)
 * @property {ReturnType<typeof import('./inbound-hold.js').createInboundHold>|null} [hold]  hello `holdReceipts`: receipts wait for Java's commit
 */

/** How long a LID → phone lookup in Baileys' key store may delay a message event. */
const LID_LOOKUP_TIMEOUT_MS = 2000

/**
 * Subscribes the engine's handlers to `entry.sock.ev`. Must be called synchronously right
 * after the socket is created, before Baileys' first (nextTick) event.
 *
 * Guarantees: a handler failure is logged, never thrown back into Baileys' emitter; once
 * Java has asked for this socket to close (`stoppedByUs`), nothing more is reported for it;
 * message-family events (messages.upsert/update, history.set, contacts.lid) reach Java in
 * the order Baileys emitted them, even when one waits for a LID lookup.
 * @param {SessionEntry} entry
 * @param {HandlerContext} ctx
 */
export function attachHandlers (entry, ctx) {
  const log = ctx.logger.child({ connectionId: entry.connectionId })
  const ev = entry.sock.ev
  /** @param {string} name @param {(data: any) => void} fn */
  const on = (name, fn) => ev.on(name, (/** @type {any} */ data) => {
    try {
      fn(data)
    } catch (err) {
      log.error({ err, event: name }, 'handler failed')
    }
  })

  on('connection.update', (update) => onConnectionUpdate(entry, update, ctx.registry, log))
  on('creds.update', (update) => onCredsUpdate(entry, update, log))

  const ordered = orderedReporter(entry, log)
  /** @param {Map<string, string>} [lidToPn] @returns {import('./mapper.js').MapContext} */
  const mapCtx = (lidToPn) => ({
    me: entry.sock.user ?? entry.sock.authState?.creds?.me,
    lidToPn,
    ignoreStatusBroadcast: ctx.ignoreStatusBroadcast !== false,
    ignoreChat: ctx.ignoreChat
  })
  /** ids of received messages already reported before their receipt (hold): their upsert skips them */
  const reportedEarly = new Set()
  if (ctx.hold) ctx.hold.bind(earlyReporter(entry, { ordered, mapCtx, reportedEarly, log }))
  on('messages.upsert', (raw) => {
    // (the echoes of messages sent through `send`: Java has them; only a receipt merged into one is news)
    const upsert = withoutOwnEchoes(entry.sock, raw)
    const fresh = reportedEarly.size === 0 ? upsert : { ...upsert, messages: (upsert?.messages ?? []).filter((m) => !reportedEarly.delete(m?.key?.id)) }
    ordered('messages.upsert', () =>
      then(lidMapFor(entry, fresh?.messages ?? [], [], log), (lids) => {
        const data = mapMessagesUpsert(fresh, mapCtx(lids))
        // the upsert is reported right after this returns; the downloads are queued on the next
        // turn of the event loop (after that report) and report through `ordered` too, so a media
        // event always follows its message's upsert, even one refused at once (too large)
        if ((data || fresh !== upsert) && ctx.media) setImmediate(() => scheduleMedia(entry, upsert.messages, ctx, (event, d) => ordered(event, () => d)))
        return data
      }))
    // votes on our polls, decrypted with the stored poll, right after the vote messages themselves
    if (ctx.getMessage) {
      const getMessage = ctx.getMessage
      ordered('poll.vote', () => pollVotesOf(upsert?.messages, { me: entry.sock.user ?? entry.sock.authState?.creds?.me, getMessage }))
    }
  })
  // (an error ack of a message sent through `send` is that send's failure: not reported twice)
  on('messages.update', (updates) => ordered('messages.update', () => mapMessagesUpdate(withoutSendErrors(entry.sock, updates), mapCtx())))
  on('message-receipt.update', (receipts) => ordered('messages.update', () => mapReceiptUpdates(receipts, mapCtx())))
  on('messaging-history.set', (set) => {
    ordered('contacts.upsert', () => names(mapContacts(set?.contacts)))
    ordered('contacts.lid', () => set?.lidPnMappings?.length ? mapLidMappings(set.lidPnMappings) : null)
    ordered('history.set', () =>
      then(lidMapFor(entry, set?.messages ?? [], set?.lidPnMappings, log), (lids) => mapHistorySet(set, mapCtx(lids))))
  })
  on('lid-mapping.update', (mapping) => ordered('contacts.lid', () => mapLidMappings(mapping)))
  // Names: the address book and push names (history sync, app state, every inbound message).
  // Baileys repeats a sender's push name with each of its messages: only changes are reported.
  const names = changedNames()
  on('contacts.upsert', (list) => ordered('contacts.upsert', () => names(mapContacts(list))))
  on('contacts.update', (list) => ordered('contacts.upsert', () => names(mapContacts(list))))
  // How many QR refs the server handed out: with the first QR's time this is when a pairing
  // code requested on this socket stops working (the socket closes 408 when the refs run out).
  entry.sock.ws?.on?.('CB:iq,type:set,pair-device', (/** @type {any} */ node) => {
    entry.qrRefs = getBinaryNodeChildren(getBinaryNodeChild(node, 'pair-device'), 'ref').length
  })
  // Account restriction signals: time lock, message capping, 463 (restrictions.js).
  attachRestrictionHandlers(entry, (event, data) => report(entry, event, data), log)
}

/**
 * The report of a received message before its receipt (inbound-hold.js): the message as its
 * upsert will carry it (Baileys cleans a copy; the original is cleaned by Baileys itself later),
 * in the same ordered stream as every message event, with a `confirm` token Java answers with
 * `inbound.stored` once it committed the message. Resolves then; rejects when the socket
 * closes first (the receipt must not leave). A message the upsert would not report (ignored
 * chat, status post) or that cannot be copied resolves at once: it goes the old way.
 * @param {SessionEntry} entry
 * @param {{ordered: ReturnType<typeof orderedReporter>, mapCtx: (lids?: Map<string, string>) => import('./mapper.js').MapContext, reportedEarly: Set<string>, log: import('pino').Logger}} deps
 * @returns {(msg: any, node: any) => Promise<void>}
 */
function earlyReporter (entry, { ordered, mapCtx, reportedEarly, log }) {
  /** @type {Set<(why: Error) => void>} */
  const open = new Set()
  entry.sock.ev.on('connection.update', (/** @type {any} */ u) => {
    if (u?.connection !== 'close') return
    for (const cancel of open) cancel(new Error('socket closed before the message was stored'))
    open.clear()
  })
  return async (msg, node) => {
    if (entry.stoppedByUs) throw new Error('socket closing')
    let copy
    try {
      const me = entry.sock.authState?.creds?.me
      // cleanMessage rewrites the key, and inside the content only a reaction's or poll vote's key:
      // only then is the content copied (a protobuf round trip), so Baileys' own clean finds it untouched
      const content = normalizeMessageContent(msg.message)
      const nestedKey = Boolean(content?.reactionMessage || content?.pollUpdateMessage)
      copy = { ...msg, key: { ...msg.key }, message: nestedKey ? proto.Message.decode(proto.Message.encode(msg.message).finish()) : msg.message }
      cleanMessage(copy, me?.id, me?.lid)
    } catch (err) {
      log.warn({ err, id: msg?.key?.id }, 'received message not reported before its receipt')
      return
    }
    const upsert = { messages: [copy], type: node?.attrs?.offline ? 'append' : 'notify' }
    const { token, confirmed, cancel } = awaitConfirmation()
    open.add(cancel)
    ordered('messages.upsert', () => then(lidMapFor(entry, upsert.messages, [], log), (lids) => {
      let data = null
      try {
        data = entry.stoppedByUs ? null : mapMessagesUpsert(upsert, mapCtx(lids))
      } catch (err) {
        log.error({ err, id: copy.key.id }, 'mapping a received message failed; its upsert reports it')
      }
      if (!data) {
        if (entry.stoppedByUs) cancel(new Error('socket closing'))
        else confirmStored([token])
        return null
      }
      reportedEarly.add(copy.key.id)
      return { ...data, confirm: token }
    }))
    try {
      await confirmed
    } finally {
      open.delete(cancel)
    }
  }
}

/** A socket remembers at most this many contacts' names to drop repeats (then it starts over). */
const NAMES_REMEMBERED = 20000

/**
 * A filter for contacts.upsert data that drops contacts whose names this socket already
 * reported unchanged (null when none is left), so a push name repeated on every message costs
 * nothing downstream.
 * @returns {(data: ReturnType<typeof mapContacts>) => ReturnType<typeof mapContacts>}
 */
function changedNames () {
  /** @type {Map<string, string>} jid → the names last reported */
  const seen = new Map()
  return (data) => {
    if (!data) return null
    const fresh = data.contacts.filter((c) => {
      const value = JSON.stringify([c.phone, c.lid, c.name, c.notify, c.verifiedName])
      if (seen.get(c.jid) === value) return false
      if (seen.size >= NAMES_REMEMBERED) seen.clear()
      seen.set(c.jid, value)
      return true
    })
    return fresh.length > 0 ? { contacts: fresh } : null
  }
}

/**
 * Queues the media of live messages for download (media-download.js): messages kept for Java
 * (status posts follow `ignoreStatusBroadcast`), except those this engine sent through `send`
 * itself (Java already holds their content).
 * @param {SessionEntry} entry @param {any[]} messages @param {HandlerContext} ctx
 * @param {(event: string, data: object) => void} report
 */
function scheduleMedia (entry, messages, ctx, report) {
  const acks = serverAcks(entry.sock)
  const wanted = (messages ?? []).filter((m) => !(ctx.ignoreStatusBroadcast !== false && isStatusBroadcast(m)) &&
    !ctx.ignoreChat?.(m?.key?.remoteJid) &&
    !(m?.key?.fromMe && typeof m.key.id === 'string' && acks?.sentHere(m.key.id)))
  ctx.media?.schedule(wanted, entry.sock, report)
}

/**
 * Reports events of one socket strictly in call order. A builder returns the event data (or
 * null: nothing to report) synchronously — then it is emitted at once, as before — or a
 * promise when it had to look something up; later events wait for it.
 * @param {SessionEntry} entry
 * @param {import('pino').Logger} log
 * @returns {(event: string, build: () => object|null|Promise<object|null>) => void}
 */
function orderedReporter (entry, log) {
  /** @type {Promise<void>|null} */
  let tail = null
  /** @param {Promise<unknown>} p */
  const chain = (p) => {
    const t = p.then(() => {}, (err) => log.error({ err }, 'handler failed'))
    tail = t
    void t.then(() => { if (tail === t) tail = null })
  }
  return (event, build) => {
    const step = () => {
      const out = build()
      if (out instanceof Promise) return out.then((data) => { if (data) report(entry, event, data) })
      if (out) report(entry, event, out)
      return undefined
    }
    if (tail === null) {
      const pending = step() // a synchronous failure surfaces in `on` (logged there)
      if (pending) chain(pending)
    } else {
      chain(tail.then(step))
    }
  }
}

/**
 * normalized LID → PN for the LID senders/chats of these messages that carry no phone alternative:
 * from the given pairs (history sets bring their own) and Baileys' LID mapping store
 * (`signalRepository.lidMapping.getPNsForLIDs`, local key files only). Synchronous when
 * nothing needs a lookup; a failing or slow lookup just leaves those phones null.
 * @param {SessionEntry} entry
 * @param {any[]} messages
 * @param {Array<{lid: string, pn: string}>|null|undefined} pairs
 * @param {import('pino').Logger} log
 * @returns {Map<string, string>|Promise<Map<string, string>>}
 */
function lidMapFor (entry, messages, pairs, log) {
  /** @type {Map<string, string>} */
  const map = new Map()
  for (const p of pairs ?? []) {
    if (typeof p?.lid === 'string' && typeof p?.pn === 'string') map.set(jidNormalizedUser(p.lid), p.pn)
  }
  const store = entry.sock.signalRepository?.lidMapping
  const wanted = lidsToResolve(messages).filter((lid) => !map.has(lid))
  if (!store || wanted.length === 0) return map
  /** @type {NodeJS.Timeout|undefined} */
  let timer
  const timeout = new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error('LID lookup timed out')), LID_LOOKUP_TIMEOUT_MS) })
  return Promise.race([store.getPNsForLIDs(wanted), timeout])
    .then((found) => {
      for (const pair of /** @type {any[]} */ (found ?? [])) map.set(jidNormalizedUser(pair.lid), pair.pn)
      return map
    }, (err) => {
      log.warn({ err, lids: wanted.length }, 'LID lookup failed, phones stay unknown')
      return map
    })
    .finally(() => clearTimeout(timer))
}

/**
 * Applies fn to a value or to what a promise resolves to, staying synchronous for values.
 * @template T, R @param {T|Promise<T>} v @param {(x: T) => R} fn @returns {R|Promise<R>}
 */
function then (v, fn) {
  return v instanceof Promise ? v.then(fn) : fn(v)
}

/**
 * `connection.update` → connection.qr / connection.authenticated / connection.connecting /
 * connection.open / connection.close. One update may carry several fields; each is handled.
 * @param {SessionEntry} entry
 * @param {any} update  Partial<ConnectionState>
 * @param {import('./registry.js').Registry} registry
 * @param {import('pino').Logger} log
 */
export function onConnectionUpdate (entry, update, registry, log) {
  const { connection, qr, isNewLogin, lastDisconnect } = update ?? {}
  if (typeof qr === 'string' && qr.length > 0) {
    entry.qrCount += 1
    if (entry.qrCount === 1) entry.qrFirstAt = Date.now()
    entry.state = 'qr'
    const lifetime = entry.qrCount === 1 ? entry.qrTiming.firstMs : entry.qrTiming.nextMs
    log.info({ ref: entry.qrCount }, 'qr issued') // never the QR string itself: it is a login secret
    report(entry, 'connection.qr', { qr, expiresAt: Date.now() + lifetime, ref: entry.qrCount })
  }
  if (isNewLogin === true) markAuthenticated(entry, true, log)
  if (connection === 'connecting') {
    report(entry, 'connection.connecting', {})
  } else if (connection === 'open') {
    entry.wasOpen = true
    entry.state = 'open'
    log.info('connection open')
    report(entry, 'connection.open', mapMe(entry.sock.user))
  } else if (connection === 'close') {
    onClose(entry, lastDisconnect?.error, registry, log)
  }
}

/**
 * `creds.update`: persists the whole (already merged) creds through saveCreds, so
 * useMultiFileAuthState's creds.json is always current; a `me` in the update means the
 * account is known → connection.authenticated (once per socket).
 * @param {SessionEntry} entry
 * @param {any} update  Partial<AuthenticationCreds>
 * @param {import('pino').Logger} log
 */
export function onCredsUpdate (entry, update, log) {
  if (!entry.discardCreds) {
    const write = entry.saveCreds()
      .catch((err) => {
        // after logout/purge the folder is gone on purpose; anything else is worth an error
        if (entry.discardCreds) log.debug({ err }, 'creds not saved, session removed')
        else log.error({ err }, 'saveCreds failed')
      })
      .finally(() => entry.pendingWrites.delete(write))
    entry.pendingWrites.add(write)
  }
  // requestPairingCode also sets `me` (the phone asked for, name "~") before anything is
  // linked: that update carries the pairing code and no account, and is not a login.
  const pairingRequest = typeof update?.pairingCode === 'string' && !update?.account
  if (typeof update?.me?.id === 'string' && !pairingRequest) markAuthenticated(entry, false, log)
}

/**
 * Emits connection.authenticated once per socket. `isNewLogin` is true when Baileys said so
 * or when this socket started without a registered login (i.e. a QR was just scanned), so it
 * does not depend on which of creds.update / isNewLogin arrives first.
 * @param {SessionEntry} entry
 * @param {boolean} isNewLoginSignal
 * @param {import('pino').Logger} log
 */
function markAuthenticated (entry, isNewLoginSignal, log) {
  if (entry.authenticated) return
  entry.authenticated = true
  if (!entry.wasOpen) entry.state = 'authenticated'
  const me = mapMe(entry.sock.user ?? entry.sock.authState?.creds?.me)
  log.info({ phone: me.phone }, 'authenticated')
  report(entry, 'connection.authenticated', { ...me, isNewLogin: isNewLoginSignal || !entry.hadSession })
}

/**
 * The socket is gone: drop it from the registry (identity-checked, so a replaced socket
 * cannot evict its successor) and, unless Java asked for this close, report it with
 * Baileys' status code so Java can decide about restarting.
 * @param {SessionEntry} entry
 * @param {unknown} error
 * @param {import('./registry.js').Registry} registry
 * @param {import('pino').Logger} log
 */
function onClose (entry, error, registry, log) {
  registry.remove(entry)
  if (entry.stoppedByUs) {
    log.debug('socket closed on request')
    return
  }
  const data = mapClose(error, { wasOpen: entry.wasOpen, wasAuthenticated: entry.authenticated })
  log.info({ code: data.code, reason: data.reason, message: data.message }, 'connection closed')
  entry.emit('connection.close', data)
}

/**
 * Emits a protocol event for this socket unless Java already closed it.
 * @param {SessionEntry} entry
 * @param {string} event
 * @param {object} data
 */
function report (entry, event, data) {
  if (!entry.stoppedByUs) entry.emit(event, data)
}
