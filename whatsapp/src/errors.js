/**
 * The one failure type a command can raise. `code` is one of the protocol's error codes
 * (docs/engine-protocol.md) and is copied verbatim into the `ok:false` reply, so every
 * failure is translated to the wire in exactly one place (protocol.js). `details` (optional,
 * plain JSON) is merged into the reply's error object, e.g. `statusCode` of a failed send.
 */
export class EngineError extends Error {
  /**
   * @param {ErrorCode} code
   * @param {string} message
   * @param {Record<string, string|number|boolean|null>} [details]
   */
  constructor (code, message, details) {
    super(message)
    this.name = 'EngineError'
    /** @type {ErrorCode} */
    this.code = code
    /** @type {Record<string, string|number|boolean|null>|undefined} */
    this.details = details
  }
}

/**
 * @typedef {'bad_request'|'unknown_command'|'not_found'|'not_ready'|'invalid_state'|'send_failed'|'internal'} ErrorCode
 */
