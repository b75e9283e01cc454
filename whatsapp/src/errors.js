/**
 * The one failure type a command can raise. `code` is one of the protocol's error codes
 * (docs/engine-protocol.md) and is copied verbatim into the `ok:false` reply, so every
 * failure is translated to the wire in exactly one place (protocol.js).
 */
export class EngineError extends Error {
  /**
   * @param {ErrorCode} code
   * @param {string} message
   */
  constructor (code, message) {
    super(message)
    this.name = 'EngineError'
    /** @type {ErrorCode} */
    this.code = code
  }
}

/**
 * @typedef {'bad_request'|'unknown_command'|'not_found'|'not_ready'|'invalid_state'|'internal'} ErrorCode
 */
