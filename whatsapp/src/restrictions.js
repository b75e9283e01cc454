/*
 * Account restriction signals (docs/engine-protocol.md `connection.restriction`): what Baileys
 * 7.0.0-rc14 reports when WhatsApp restricts the account, mapped to one protocol event.
 *   - `connection.update` with `reachoutTimeLock` {isActive, timeEnforcementEnds, enforcementType}
 *     (from the server's mex notification, or from fetchAccountReachoutTimelock);
 *   - `message-capping.update` (the server's capping notification; Baileys passes the payload
 *     through: capping_status NONE | FIRST_WARNING | SECOND_WARNING | CAPPED, cycle_end_timestamp);
 *   - a server ack with error 463 on a message to a new contact. Baileys meant to refetch the
 *     time lock then, but its branch is unreachable in rc14 (463 is matched first as
 *     MessageAccountRestriction), so this module asks itself: the server's answer says whether
 *     the 463 came from a restriction (the send's own failure is reported by `send`).
 * The engine also asks for both states when the socket opens, so a restriction that started
 * while the gateway was away is known at once. Handlers only translate; Java decides.
 */

/** A 463 refetch is asked at most this often per socket (a burst of refused sends asks once). */
const REFETCH_GAP_MS = 5000

/**
 * The protocol data for Baileys' `reachoutTimeLock` state.
 * @param {any} lock  {isActive, timeEnforcementEnds?: Date, enforcementType?}
 * @returns {{kind: string, active: boolean, until: number|null, detail: string|null}}
 */
export function mapTimelock (lock) {
  const ends = lock?.timeEnforcementEnds instanceof Date ? lock.timeEnforcementEnds.getTime() : null
  return {
    kind: 'reachout_timelock',
    active: lock?.isActive === true,
    until: Number.isFinite(ends) ? ends : null,
    detail: typeof lock?.enforcementType === 'string' ? lock.enforcementType : null
  }
}

/**
 * The protocol data for a message-capping payload: restricted only when CAPPED (the warnings
 * are not a restriction yet); until = the end of the capping cycle.
 * @param {any} info  Baileys' NewChatMessageCapInfo
 * @returns {{kind: string, active: boolean, until: number|null, detail: string|null}|null}
 */
export function mapCapping (info) {
  if (!info || typeof info !== 'object') return null
  const end = Number.parseInt(String(info.cycle_end_timestamp ?? ''), 10)
  return {
    kind: 'message_capping',
    active: info.capping_status === 'CAPPED',
    until: Number.isFinite(end) && end > 0 ? end * 1000 : null,
    detail: typeof info.capping_status === 'string' ? info.capping_status : null
  }
}

/**
 * Subscribes the restriction handlers to a socket. `report(event, data)` emits a protocol event
 * (nothing once Java closed the socket).
 * @param {import('./registry.js').SessionEntry} entry
 * @param {(event: string, data: object) => void} report
 * @param {import('pino').Logger} log
 */
export function attachRestrictionHandlers (entry, report, log) {
  const sock = entry.sock
  let last463Fetch = 0

  /** Asks the server for the time lock state; the answer arrives as connection.update (below). */
  const fetchTimelock = () => {
    if (typeof sock.fetchAccountReachoutTimelock !== 'function') return
    sock.fetchAccountReachoutTimelock().catch((/** @type {any} */ err) => log.debug({ err: err?.message }, 'reach-out time lock query failed'))
  }
  /** Asks for the capping state and reports it (Baileys returns it without an event). */
  const fetchCapping = () => {
    if (typeof sock.fetchNewChatMessageCap !== 'function') return
    sock.fetchNewChatMessageCap()
      .then((/** @type {any} */ info) => { const data = mapCapping(info); if (data) report('connection.restriction', data) })
      .catch((/** @type {any} */ err) => log.debug({ err: err?.message }, 'message capping query failed'))
  }

  sock.ev.on('connection.update', (/** @type {any} */ u) => {
    try {
      if (u?.reachoutTimeLock) {
        const data = mapTimelock(u.reachoutTimeLock)
        log.info({ active: data.active, until: data.until, detail: data.detail }, 'reach-out time lock')
        report('connection.restriction', data)
      }
      if (u?.connection === 'open') { fetchTimelock(); fetchCapping() }
    } catch (err) {
      log.error({ err }, 'restriction handler failed')
    }
  })
  sock.ev.on('message-capping.update', (/** @type {any} */ info) => {
    const data = mapCapping(info)
    if (!data) return
    log.info({ active: data.active, until: data.until, detail: data.detail }, 'message capping')
    report('connection.restriction', data)
  })
  sock.ws?.on?.('CB:ack,class:message', (/** @type {any} */ node) => {
    if (node?.attrs?.error !== '463' || Date.now() - last463Fetch < REFETCH_GAP_MS) return
    last463Fetch = Date.now()
    fetchTimelock()
  })
}
