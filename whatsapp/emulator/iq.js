import { createHash } from 'node:crypto'
import { KEY_BUNDLE_TYPE } from 'baileys'
import { verifySignature } from './verify.js'
import { childBytes, childrenOf, getBinaryNodeChild, IqError, readUIntBE } from './nodes.js'

/*
 * Client IQs (`<iq type="get|set" xmlns=…>`) are answered by handlers registered per
 * (xmlns, type, first child tag); `*` matches anything. The most specific match wins. A handler
 * returns the result's content (or nothing) or throws IqError for an IQ error. An IQ nobody
 * handles is answered `501 feature-not-implemented`, as a server that lacks the feature would:
 * the client sees an error instead of hanging until its query times out.
 *
 * Handlers get {session, node, device, emulator}; `device` is null before login completed.
 * The Signal part of the emulator registers its own (usync, prekey bundle fetch) here.
 */

/** @typedef {{session: any, node: any, device: import('./accounts.js').Device|null, emulator: any}} IqContext */
/** @typedef {(ctx: IqContext) => any[]|undefined|void|Promise<any[]|undefined|void>} IqHandler */

export function createIqRegistry () {
  /** @type {Map<string, IqHandler>} */
  const handlers = new Map()
  const key = (xmlns, type, child) => `${xmlns}|${type}|${child}`
  return {
    /**
     * @param {{xmlns: string, type?: string, child?: string}} match
     * @param {IqHandler} handler  replaces an earlier handler for the same match
     */
    register ({ xmlns, type = '*', child = '*' }, handler) {
      handlers.set(key(xmlns, type, child), handler)
    },
    /** @param {any} node @returns {IqHandler|null} */
    find (node) {
      const { xmlns = '', type = '' } = node.attrs
      const child = childrenOf(node)[0]?.tag ?? ''
      return handlers.get(key(xmlns, type, child)) ?? handlers.get(key(xmlns, type, '*')) ??
        handlers.get(key(xmlns, '*', '*')) ?? null
    }
  }
}

/** @param {IqContext} ctx */
function loggedIn (ctx) {
  if (!ctx.device) throw new IqError(401, 'not-authorized')
  return ctx.device
}

/**
 * The IQs Baileys sends while logging in and right after (keep-alive, passive/active, prekey
 * count/upload/digest/rotate, AB props, blocklist, privacy, dirty bits, groups, logout).
 * @param {ReturnType<typeof createIqRegistry>} iq
 */
export function registerLoginHandlers (iq) {
  iq.register({ xmlns: 'w:p', type: 'get' }, () => undefined)
  iq.register({ xmlns: 'passive', type: 'set' }, () => undefined)

  iq.register({ xmlns: 'encrypt', type: 'get', child: 'count' }, (ctx) => {
    return [{ tag: 'count', attrs: { value: String(loggedIn(ctx).preKeys.size) } }]
  })

  // Prekey upload: registration id, key type 5, identity, the one-time prekeys and the signed prekey.
  iq.register({ xmlns: 'encrypt', type: 'set', child: 'registration' }, (ctx) => {
    const device = loggedIn(ctx)
    const type = childBytes(ctx.node, 'type')
    const identity = childBytes(ctx.node, 'identity')
    const registration = childBytes(ctx.node, 'registration')
    if (!type || !type.equals(KEY_BUNDLE_TYPE)) throw new IqError(400, 'bad-request')
    if (!identity || !identity.equals(device.identityKey)) throw new IqError(406, 'not-acceptable')
    const keys = []
    for (const k of childrenOf(getBinaryNodeChild(ctx.node, 'list'))) {
      const id = childBytes(k, 'id'); const value = childBytes(k, 'value')
      if (!id || !value || value.length !== 32) throw new IqError(400, 'bad-request')
      keys.push([readUIntBE(id), value])
    }
    const skey = readSignedPreKey(getBinaryNodeChild(ctx.node, 'skey'), device.identityKey)
    if (registration) device.registrationId = readUIntBE(registration)
    for (const [id, value] of keys) device.preKeys.set(id, value)
    device.signedPreKey = skey
    ctx.emulator.events.emit('prekeys', { jid: device.jid, count: keys.length })
    // Durable before the upload is acknowledged (a restarted emulator must still hand these out).
    return ctx.emulator.store.flush().then(() => undefined)
  })

  iq.register({ xmlns: 'encrypt', type: 'set', child: 'rotate' }, (ctx) => {
    const device = loggedIn(ctx)
    device.signedPreKey = readSignedPreKey(getBinaryNodeChild(getBinaryNodeChild(ctx.node, 'rotate'), 'skey'), device.identityKey)
    return ctx.emulator.store.flush().then(() => undefined)
  })

  // Key-bundle digest: what the server holds, so the client can compare.
  iq.register({ xmlns: 'encrypt', type: 'get', child: 'digest' }, (ctx) => {
    const device = loggedIn(ctx)
    if (!device.signedPreKey) throw new IqError(404, 'item-not-found')
    const ids = [...device.preKeys.keys()]
    const hash = createHash('sha1')
    hash.update(device.identityKey).update(device.signedPreKey.public).update(device.signedPreKey.signature)
    const list = ids.map((id) => ({ tag: 'id', attrs: {}, content: int(id, 3) }))
    return [{
      tag: 'digest',
      attrs: {},
      content: [
        { tag: 'type', attrs: {}, content: KEY_BUNDLE_TYPE },
        { tag: 'identity', attrs: {}, content: device.identityKey },
        { tag: 'registration', attrs: {}, content: int(device.registrationId, 4) },
        { tag: 'skey', attrs: {}, content: [{ tag: 'id', attrs: {}, content: int(device.signedPreKey.id, 3) }] },
        { tag: 'list', attrs: {}, content: list },
        { tag: 'hash', attrs: {}, content: hash.digest() }
      ]
    }]
  })

  iq.register({ xmlns: 'abt', type: 'get' }, () => [{
    tag: 'props',
    attrs: { protocol: '1', hash: 'emulator-1' },
    content: [{ tag: 'prop', attrs: { config_code: '10518', config_value: 'false' } }]
  }])
  iq.register({ xmlns: 'w', type: 'get', child: 'props' }, () => [{ tag: 'props', attrs: { version: '1', hash: 'emulator-1' } }])
  iq.register({ xmlns: 'blocklist', type: 'get' }, () => [{ tag: 'list', attrs: {} }])
  iq.register({ xmlns: 'privacy', type: 'get' }, () => [{
    tag: 'privacy',
    attrs: {},
    content: ['last', 'online', 'profile', 'status', 'readreceipts', 'groupadd', 'calladd']
      .map((name) => ({ tag: 'category', attrs: { name, value: name === 'readreceipts' ? 'all' : 'all' } }))
  }])
  iq.register({ xmlns: 'urn:xmpp:whatsapp:dirty', type: 'set' }, () => undefined)
  iq.register({ xmlns: 'w:g2', type: 'get', child: 'participating' }, () => [{ tag: 'groups', attrs: {} }])

  // Logout from the companion: the device is unlinked; its later logins are refused with 401.
  iq.register({ xmlns: 'md', type: 'set', child: 'remove-companion-device' }, (ctx) => {
    const device = loggedIn(ctx)
    device.removed = true
    ctx.emulator.events.emit('unlinked', { jid: device.jid, by: 'device' })
    return ctx.emulator.store.flush().then(() => undefined)
  })
}

/**
 * A signed prekey as uploaded; refused (406) unless the identity key signed it (over the key
 * with its 0x05 type byte, as libsignal signs it), so the bundles handed out later are valid.
 * @param {any} skey @param {Buffer} identityKey @returns {{id: number, public: Buffer, signature: Buffer}}
 */
function readSignedPreKey (skey, identityKey) {
  const id = childBytes(skey, 'id'); const value = childBytes(skey, 'value'); const signature = childBytes(skey, 'signature')
  if (!id || !value || value.length !== 32 || !signature || signature.length !== 64) throw new IqError(400, 'bad-request')
  if (!verifySignature(identityKey, Buffer.concat([KEY_BUNDLE_TYPE, value]), signature)) throw new IqError(406, 'not-acceptable')
  return { id: readUIntBE(id), public: value, signature }
}

/** @param {number} n @param {number} bytes */
function int (n, bytes) {
  const b = Buffer.alloc(bytes)
  b.writeUIntBE(n, 0, bytes)
  return b
}
