import { randomBytes } from 'node:crypto'
import { decodeBinaryNode, encodeBinaryNode, getBinaryNodeChild, S_WHATSAPP_NET } from 'baileys'

/*
 * Binary-node helpers on top of Baileys' own WABinary codec (so the emulator and the client
 * agree on the token dictionary by construction). A node is {tag, attrs, content}.
 */

export { decodeBinaryNode, encodeBinaryNode, getBinaryNodeChild, S_WHATSAPP_NET }

/** Unique id for stanzas the server originates (the client echoes it in its result/ack). */
export function serverId () {
  return randomBytes(8).toString('hex').toUpperCase()
}

/** Seconds since the epoch, as WhatsApp puts it in `t` attributes. */
export function unixTime () {
  return String(Math.floor(Date.now() / 1000))
}

/**
 * A `result` answer to a client IQ, addressed back to where the client sent it.
 * @param {any} iq @param {any[]|undefined} [content]
 */
export function iqResult (iq, content) {
  return { tag: 'iq', attrs: { from: iq.attrs.to || S_WHATSAPP_NET, type: 'result', id: iq.attrs.id }, ...(content ? { content } : {}) }
}

/**
 * An `error` answer to a client IQ (Baileys' assertNodeErrorFree turns it into a Boom with `code`).
 * @param {any} iq @param {number} code @param {string} text
 */
export function iqError (iq, code, text) {
  return {
    tag: 'iq',
    attrs: { from: iq.attrs.to || S_WHATSAPP_NET, type: 'error', id: iq.attrs.id },
    content: [{ tag: 'error', attrs: { code: String(code), text } }]
  }
}

/** Error a handler throws to answer with an IQ error instead of a result. */
export class IqError extends Error {
  /** @param {number} code @param {string} text */
  constructor (code, text) {
    super(`${code} ${text}`)
    this.code = code
    this.text = text
  }
}

/** Children of a node that are nodes (content may be bytes or absent). @param {any} node */
export function childrenOf (node) {
  return Array.isArray(node?.content) ? node.content : []
}

/** Content bytes of a child, or null. @param {any} node @param {string} tag */
export function childBytes (node, tag) {
  const c = getBinaryNodeChild(node, tag)?.content
  return c instanceof Uint8Array ? Buffer.from(c) : null
}

/** Big-endian unsigned integer from bytes (ids and registration ids are sent this way). @param {Buffer} b */
export function readUIntBE (b) {
  let n = 0
  for (const byte of b) n = n * 256 + byte
  return n
}

/**
 * The stream error a server sends before closing, per code; shaped so that Baileys'
 * getErrorCodeFromStreamError yields the same code (`code` attribute wins, else `conflict` → 440).
 * 428 is a stream end (`xmlstreamend`), which Baileys reports as "Connection Terminated by Server".
 * @param {number} code
 */
export function streamErrorNode (code) {
  switch (code) {
    case 428: return { tag: 'xmlstreamend', attrs: {} }
    case 440: return { tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] }
    case 401: return { tag: 'stream:error', attrs: { code: '401' }, content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] }
    default: return { tag: 'stream:error', attrs: { code: String(code) } }
  }
}
