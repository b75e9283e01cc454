import { isObject } from './config.js'
import { EngineError } from './errors.js'
import { CONNECTION_ID_RE } from './sessions.js'

/*
 * Line framing and command dispatch (docs/engine-protocol.md, "Framing"): one JSON object
 * per line in, one JSON object per line out. Every command line with an id gets exactly one
 * reply; a line that cannot carry a reply gets an `engine.protocol_error` event instead.
 */

/**
 * The output side: replies and events, one JSON object per line. JSON.stringify escapes \n
 * and \r inside strings, so each object is exactly one line.
 * @param {(line: string) => void} writeLine  the only writer of the real stdout
 */
export function createWire (writeLine) {
  return {
    /** @param {object} obj */
    send (obj) {
      writeLine(JSON.stringify(obj) + '\n')
    },
    /**
     * Emits an event. `connectionId` is null only for engine-level events.
     * @param {string|null} connectionId @param {string} event @param {object} data
     */
    emitEvent (connectionId, event, data) {
      writeLine(JSON.stringify({ type: 'event', event, connectionId, data }) + '\n')
    },
    /**
     * Asks Java something (engine → Java request; Java answers with the `respond` command).
     * @param {string} id  request id, `r<n>`
     * @param {string} request  e.g. "getMessage"
     * @param {string} connectionId @param {object} data
     */
    sendRequest (id, request, connectionId, data) {
      writeLine(JSON.stringify({ type: 'request', id, request, connectionId, data }) + '\n')
    }
  }
}

/**
 * @typedef {object} ProtocolDeps
 * @property {Record<string, import('./commands.js').CommandSpec>} commands
 * @property {() => boolean} isReady        true once hello succeeded
 * @property {ReturnType<typeof createWire>} wire
 * @property {import('pino').Logger} logger
 */

/**
 * Creates the protocol endpoint.
 * @param {ProtocolDeps} deps
 */
export function createProtocol ({ commands, isReady, wire, logger }) {
  const send = wire.send
  const emitEvent = wire.emitEvent
  /** @type {Promise<unknown>} settles when the last hello received so far has been answered */
  let helloInFlight = Promise.resolve()

  /**
   * Handles one input line. Never throws and never rejects: a bad line becomes a
   * protocol_error event, a failing command an ok:false reply.
   * @param {string} line
   * @returns {Promise<void>}
   */
  async function handleLine (line) {
    if (line.trim() === '') return
    let msg
    try {
      msg = JSON.parse(line)
    } catch (err) {
      protocolError(`line is not JSON: ${/** @type {Error} */ (err).message}`)
      return
    }
    if (!isObject(msg)) return protocolError('line is not a JSON object')
    if (typeof msg.id !== 'string' || msg.id === '') return protocolError('command has no string id')
    await dispatch(msg.id, msg.cmd, msg.args)
  }

  /**
   * Runs one command and writes its single reply (then the command's afterReply hooks).
   * @param {string} id @param {unknown} cmd @param {unknown} rawArgs
   */
  async function dispatch (id, cmd, rawArgs) {
    /** @type {Array<() => void>} */
    const after = []
    const prior = helloInFlight
    const run = (async () => {
      // Lines are answered concurrently, but a command (even a second hello) sent after a
      // `hello` must see its outcome: wait for a hello still in flight instead of racing it.
      await prior
      return runCommand(cmd, rawArgs, { afterReply: (fn) => after.push(fn) })
    })()
    if (cmd === 'hello') helloInFlight = run.catch(() => {})
    try {
      const result = await run
      send({ type: 'reply', id, ok: true, result })
    } catch (err) {
      const known = err instanceof EngineError
      if (!known) logger.error({ err, cmd }, 'command failed')
      else logger.debug({ cmd, code: err.code, message: err.message }, 'command refused')
      send({
        type: 'reply',
        id,
        ok: false,
        error: known
          ? { ...err.details, code: err.code, message: err.message }
          : { code: 'internal', message: String(/** @type {any} */ (err)?.message ?? err) }
      })
    }
    for (const fn of after) {
      try { fn() } catch (err) { logger.error({ err, cmd }, 'afterReply hook failed') }
    }
  }

  /**
   * Checks, in this order: the command exists, hello happened, args is an object, the
   * connectionId is valid. Only then the command runs.
   * @param {unknown} cmd @param {unknown} rawArgs @param {import('./commands.js').CommandContext} ctx
   */
  async function runCommand (cmd, rawArgs, ctx) {
    if (typeof cmd !== 'string' || cmd === '') throw new EngineError('bad_request', 'cmd must be a non-empty string')
    const spec = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined
    if (!spec) throw new EngineError('unknown_command', `unknown command ${JSON.stringify(cmd).slice(0, 80)}`)
    if (spec.needsHello && !isReady()) throw new EngineError('invalid_state', 'hello first')
    const args = rawArgs === undefined || rawArgs === null ? {} : rawArgs
    if (!isObject(args)) throw new EngineError('bad_request', 'args must be an object')
    if (spec.connection && (typeof args.connectionId !== 'string' || !CONNECTION_ID_RE.test(args.connectionId))) {
      throw new EngineError('bad_request', 'connectionId must match ^[A-Za-z0-9_-]{1,64}$')
    }
    return spec.run(args, ctx)
  }

  /** @param {string} message */
  function protocolError (message) {
    logger.warn({ message }, 'protocol error')
    emitEvent(null, 'engine.protocol_error', { message })
  }

  return { handleLine }
}
