import { proto } from 'baileys'
import { isObject } from './config.js'
import { EngineError } from './errors.js'

/*
 * `media.fetch` (docs/engine-protocol.md, "Media"): Java asks again for the media of stored live
 * messages whose download never ended (the engine or the gateway restarted in between). The
 * messages come back as Java stored them (key + content, the JSON the engine emitted), go into the
 * same download pool, and end in the same media.downloaded / media.failed events.
 */

/** Most messages one media.fetch may name. */
export const MAX_FETCH = 500

/**
 * @param {object} deps
 * @param {import('./registry.js').Registry} deps.registry
 * @param {() => ReturnType<typeof import('./media-download.js').createMediaDownloader>|null} deps.media
 * @returns {Record<string, import('./commands.js').CommandSpec>}
 */
export function mediaCommands ({ registry, media }) {
  return {
    'media.fetch': {
      needsHello: true,
      connection: true,
      /**
       * Queues downloads for `messages: [{key: {id, remoteJid, fromMe, participant?}, message}]`
       * (at most 500) on the connection's open socket; replies `{queued, invalid}` at once. A
       * message whose content protobuf cannot take, or that carries no media, is not queued.
       */
      async run (args) {
        const pool = media()
        if (!pool) throw new EngineError('invalid_state', 'hello had no media settings: media are not downloaded')
        const list = args.messages
        if (!Array.isArray(list) || list.length > MAX_FETCH) throw new EngineError('bad_request', `messages must be an array of at most ${MAX_FETCH}`)
        const entry = registry.get(args.connectionId)
        if (!entry || entry.state !== 'open') throw new EngineError('not_ready', `connection ${args.connectionId} is not open`)
        const msgs = []
        let invalid = 0
        for (const m of list) {
          const k = m?.key
          if (!isObject(m) || !isObject(k) || typeof k.id !== 'string' || typeof k.remoteJid !== 'string' || !isObject(m.message)) {
            invalid += 1
            continue
          }
          try {
            const key = { id: k.id, remoteJid: k.remoteJid, fromMe: k.fromMe === true, ...(typeof k.participant === 'string' ? { participant: k.participant } : {}) }
            msgs.push({ key, message: proto.Message.fromObject(m.message) })
          } catch {
            invalid += 1
          }
        }
        const report = (/** @type {string} */ event, /** @type {object} */ data) => { if (!entry.stoppedByUs) entry.emit(event, data) }
        const queued = pool.schedule(msgs, entry.sock, report)
        return { queued, invalid: invalid + (msgs.length - queued) }
      }
    }
  }
}
