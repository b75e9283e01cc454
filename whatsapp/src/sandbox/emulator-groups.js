import { EngineError } from '../errors.js'

/*
 * The groups half of the `sandbox.*` commands (docs/engine-protocol.md "Sandbox group commands"):
 * a member of a group sends a message in it (`groupInbound`), a member changes its subject or
 * description (`groupUpdate`), as the emulator's groups part does it (docs/emulator.md "Groups").
 * Needs the engine's own emulator (a standalone one has no HTTP route for groups): invalid_state.
 */

/**
 * @param {object} a
 * @param {import('./emulator-link.js').EmulatorLink} a.link
 * @param {() => string} a.phone   this connection's account phone
 * @param {() => boolean} a.isOpen
 */
export function emulatorGroupControls ({ link, phone, isOpen }) {
  const groups = () => {
    const g = /** @type {any} */ (link.emulator)?.groups
    if (!g) throw new EngineError('invalid_state', 'group simulation needs the engine\'s own emulator (not a standalone one)')
    return g
  }
  /** The emulator's refusals (GroupError codes) become the engine's error codes. @param {() => any} fn */
  const call = async (fn) => {
    try {
      const r = await fn()
      link.emulator?.store?.changed()
      return r
    } catch (err) {
      if (err instanceof EngineError) throw err
      const code = /** @type {any} */ (err).code
      throw new EngineError(code === 'bad_request' || code === 'not_found' ? code : code === 'conflict' ? 'invalid_state' : 'internal', `emulator: ${/** @type {Error} */ (err).message}`)
    }
  }
  return {
    /** Member `from` writes `message` in `group`; resolves once the emulator sent it to the device. */
    async groupInbound ({ group, from, message, pushName, messageId }) {
      if (!isOpen()) throw new EngineError('invalid_state', 'the connection is not open')
      const r = await call(() => groups().inbound(phone(), { group, from, text: message, pushName: pushName ?? undefined, messageId: messageId ?? undefined }))
      return { providerMessageId: r.id, remoteJid: r.remoteJid, participant: r.participant }
    },
    /** Member `by` changes the subject and/or the description (null removes it), or (an admin) acts on participants, on their phone. */
    async groupUpdate ({ group, by, subject, description, action, participants }) {
      const g = await call(() => groups().update(group, { by, ...(subject !== undefined ? { subject } : {}), ...(description !== undefined ? { description } : {}), ...(action ? { action, participants } : {}) }))
      return { groupJid: `${g.id}@g.us`, subject: g.subject, description: g.desc }
    }
  }
}
