import { mapClose, mapHistorySet, mapMe, mapMessagesUpdate, mapMessagesUpsert } from './mapper.js'

/*
 * Baileys event handlers, shared by both socket factories: the sandbox socket emits the same
 * Baileys events through Baileys' own event emitter, so every line here runs in sandbox tests.
 * Handlers only translate and report; Java decides what a signal means.
 */

/**
 * @typedef {import('./registry.js').SessionEntry} SessionEntry
 * @typedef {object} HandlerContext
 * @property {import('./registry.js').Registry} registry
 * @property {import('pino').Logger} logger
 */

/**
 * Subscribes the engine's handlers to `entry.sock.ev`. Must be called synchronously right
 * after the socket is created, before Baileys' first (nextTick) event.
 *
 * Guarantees: a handler failure is logged, never thrown back into Baileys' emitter; once
 * Java has asked for this socket to close (`stoppedByUs`), nothing more is reported for it.
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
  on('messages.upsert', (upsert) => report(entry, 'messages.upsert', mapMessagesUpsert(upsert)))
  on('messages.update', (updates) => report(entry, 'messages.update', mapMessagesUpdate(updates)))
  on('messaging-history.set', (set) => report(entry, 'history.set', mapHistorySet(set)))
  on('lid-mapping.update', (mapping) => log.debug({ mapping }, 'lid-mapping.update'))
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
  if (typeof update?.me?.id === 'string') markAuthenticated(entry, false, log)
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
