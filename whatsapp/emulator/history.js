import { deflateSync } from 'node:zlib'
import { getBinaryNodeChildren, proto } from 'baileys'
import { encryptMedia } from './media-crypto.js'
import { Contact, encryptToDevice, newMessageId } from './signal/index.js'

/*
 * History sync (docs/emulator.md "History sync"): the account's own phone sends its linked
 * device a HistorySync the way WhatsApp's phone does. The emulator builds the `proto.HistorySync`
 * (conversations with WebMessageInfo messages, pushnames, sync type), zlib-deflates it, encrypts
 * it as media type `md-msg-hist`, hosts the blob on the media host, and sends the device a
 * `protocolMessage HISTORY_SYNC_NOTIFICATION` from the phone (PN jid, device 0), Signal-encrypted
 * by the phone's own `Contact`. Baileys downloads, decrypts, inflates and emits
 * `messaging-history.set`.
 *
 * When: once after each new pairing (the first login of a newly linked device: INITIAL_BOOTSTRAP
 * with what `seed(phone, …)` set, empty by default, so Baileys does not wait 20 s for it), and on
 * demand (`send(phone, …)`, the control route `/control/history`).
 *
 * Baileys follows a processed history sync with an app-state resync; a fresh account has no
 * app state, so `w:sync:app:state` is answered with each requested collection empty.
 */

export const SYNC_TYPES = ['INITIAL_BOOTSTRAP', 'RECENT', 'PUSH_NAME', 'ON_DEMAND', 'FULL']

/**
 * @typedef {{id?: string, fromMe?: boolean, text?: string, message?: any, timestamp?: number, pushName?: string, participant?: string}} HistoryMessage
 * @typedef {{jid: string, name?: string, unreadCount?: number, messages?: HistoryMessage[]}} HistoryChat
 * @typedef {{chats?: HistoryChat[], pushnames?: {jid: string, pushName: string}[], syncType?: string}} HistoryInput
 */

/**
 * Checks a history request from the control API or a test; returns the reason it is bad, or null.
 * @param {any} input @returns {string|null}
 */
export function historyInputProblem (input) {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'history must be an object'
  if (input.syncType !== undefined && !SYNC_TYPES.includes(input.syncType)) return `syncType must be one of ${SYNC_TYPES.join(', ')}`
  if (input.chats !== undefined && !Array.isArray(input.chats)) return 'chats must be an array'
  for (const c of input.chats ?? []) {
    if (typeof c?.jid !== 'string' || !/^[0-9]{5,20}(-[0-9]+)?@(s\.whatsapp\.net|g\.us|lid)$/.test(c.jid)) return 'every chat needs a jid like 15550002222@s.whatsapp.net'
    if (c.messages !== undefined && !Array.isArray(c.messages)) return 'chat messages must be an array'
    for (const m of c.messages ?? []) {
      if (typeof m !== 'object' || m === null) return 'every message must be an object'
      if (m.text === undefined && m.message === undefined) return 'every message needs text (or a message proto)'
      if (m.text !== undefined && typeof m.text !== 'string') return 'text must be a string'
      if (m.timestamp !== undefined && !Number.isInteger(m.timestamp)) return 'timestamp must be unix seconds'
    }
  }
  if (input.pushnames !== undefined && (!Array.isArray(input.pushnames) || input.pushnames.some((p) => typeof p?.jid !== 'string' || typeof p?.pushName !== 'string'))) {
    return 'pushnames must be [{jid, pushName}]'
  }
  return null
}

/**
 * The HistorySync proto for `input` (messages oldest first per chat, as the phone sends them).
 * @param {HistoryInput} input @returns {any} a proto.HistorySync
 */
export function buildHistorySync (input) {
  const now = Math.floor(Date.now() / 1000)
  const syncType = proto.HistorySync.HistorySyncType[input.syncType ?? 'INITIAL_BOOTSTRAP']
  let order = 0
  const conversations = (input.chats ?? []).map((chat) => {
    const messages = (chat.messages ?? []).map((m, i) => ({
      message: {
        key: { remoteJid: chat.jid, fromMe: !!m.fromMe, id: m.id ?? newMessageId(), ...(m.participant ? { participant: m.participant } : {}) },
        message: m.message ?? { conversation: m.text },
        messageTimestamp: m.timestamp ?? now - ((chat.messages ?? []).length - i),
        ...(m.pushName ? { pushName: m.pushName } : {}),
        status: m.fromMe ? proto.WebMessageInfo.Status.READ : proto.WebMessageInfo.Status.DELIVERY_ACK
      },
      msgOrderId: ++order
    }))
    const last = messages.at(-1)?.message.messageTimestamp
    return {
      id: chat.jid,
      messages,
      ...(chat.name ? { name: chat.name } : {}),
      unreadCount: chat.unreadCount ?? 0,
      ...(last ? { conversationTimestamp: last, lastMsgTimestamp: last } : {})
    }
  })
  return proto.HistorySync.fromObject({
    syncType,
    conversations,
    pushnames: (input.pushnames ?? []).map((p) => ({ id: p.jid, pushname: p.pushName })),
    chunkOrder: 1,
    progress: 100
  })
}

/**
 * @param {any} emulator  with `media` (media.js) and `accounts`
 */
export function createHistory (emulator) {
  /** @type {Map<string, Contact>} phone → the phone's own Contact (its primary device's Signal identity) */
  const phones = new Map()
  /** @type {Map<string, HistoryInput>} phone → what the phone sends after a new pairing */
  const seeds = new Map()
  /** @type {Map<string, Map<string, HistoryMessage[]>>} phone → chat jid → the messages the phone holds (for on-demand requests) */
  const archives = new Map()
  /** @type {WeakSet<object>} devices that already got their initial history */
  const synced = new WeakSet()
  const stats = { sent: 0, onDemand: 0 }

  /** Keeps what the phone has sent (or was seeded with), oldest first per chat, without duplicate ids. */
  function remember (phone, input) {
    let archive = archives.get(phone)
    if (!archive) { archive = new Map(); archives.set(phone, archive) }
    for (const chat of input.chats ?? []) {
      const list = archive.get(chat.jid) ?? []
      for (const m of chat.messages ?? []) if (!m.id || !list.some((x) => x.id === m.id)) list.push(m)
      list.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))
      archive.set(chat.jid, list)
    }
  }

  /** The account's own phone as a Signal Contact (shared with the messaging part when it provides one). @param {string} phone */
  function phoneContact (phone) {
    if (typeof emulator.phoneContact === 'function') return emulator.phoneContact(phone)
    let c = phones.get(phone)
    if (!c) {
      const p = emulator.accounts.phoneFor(phone)
      c = new Contact({ phone, lid: p.lidUser, pushName: 'Phone' })
      phones.set(phone, c)
    }
    return c
  }

  /**
   * The stanza that carries `input` to `device`: blob hosted, notification encrypted from the phone.
   * @param {import('./accounts.js').Device} device @param {HistoryInput} input
   */
  async function stanzaFor (device, input, extra = {}) {
    const plain = deflateSync(proto.HistorySync.encode(buildHistorySync(input)).finish())
    const enc = await encryptMedia(plain, 'md-msg-hist')
    const entry = emulator.media.host(enc.blob, { kind: 'md-msg-hist', mediaKey: enc.mediaKey })
    const syncType = proto.Message.HistorySyncType[input.syncType ?? 'INITIAL_BOOTSTRAP']
    const message = {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
        historySyncNotification: {
          fileSha256: enc.fileSha256,
          fileLength: enc.fileLength,
          mediaKey: enc.mediaKey,
          fileEncSha256: enc.fileEncSha256,
          directPath: entry.directPath,
          syncType,
          chunkOrder: 1,
          progress: 100,
          ...extra
        }
      }
    }
    const { stanza } = await encryptToDevice(phoneContact(device.phone), {
      deviceJid: device.jid, bundle: () => deviceBundle(device), message, announceLid: false
    })
    stanza.attrs.category = 'peer'
    stats.sent++
    return { stanza, directPath: entry.directPath }
  }

  // A fresh account has no app state: every requested collection comes back empty and complete.
  emulator.iq.register({ xmlns: 'w:sync:app:state', type: 'set', child: 'sync' }, ({ node }) => {
    const collections = getBinaryNodeChildren(getBinaryNodeChildren(node, 'sync')[0], 'collection')
    return [{
      tag: 'sync',
      attrs: {},
      content: collections.map((c) => ({ tag: 'collection', attrs: { name: c.attrs.name, version: c.attrs.version ?? '0', has_more_patches: 'false' } }))
    }]
  })

  // After a new pairing: the phone sends the initial history with the device's first login.
  emulator.onLogin(async ({ session, device }) => {
    if (!device || synced.has(device) || emulator.historyAfterPairing === false) return 0
    synced.add(device)
    try {
      const chunks = chunksOf({ syncType: 'INITIAL_BOOTSTRAP', ...(seeds.get(device.phone) ?? {}) })
      for (const chunk of chunks) session.send((await stanzaFor(device, chunk)).stanza)
      return chunks.length
    } catch (err) {
      // A history that cannot be built must not cost the device its login (Baileys then waits 20 s and goes on).
      emulator.log('error', session.id, `initial history sync not sent: ${err.message}`)
      return 0
    }
  })

  return {
    stats,
    phoneContact,
    /**
     * What the phone sends a device linked later (INITIAL_BOOTSTRAP unless syncType says otherwise).
     * `held`: older messages the phone also keeps but does not send then (a real phone sends only
     * the recent part of a long chat); they answer the device's on-demand requests.
     * @param {string} phone @param {HistoryInput} input @param {HistoryInput} [held]
     */
    seed (phone, input, held) {
      const why = historyInputProblem(input) ?? (held ? historyInputProblem(held) : null)
      if (why) throw new Error(why)
      seeds.set(phone, input)
      remember(phone, input)
      if (held) remember(phone, held)
    },
    /**
     * The phone sends `input` now to each of its online linked devices (push names as a second,
     * PUSH_NAME sync). @param {string} phone @param {HistoryInput} input
     * @returns {Promise<{devices: number, directPaths: string[]}>} directPaths: one per sync sent
     */
    async send (phone, input) {
      const why = historyInputProblem(input)
      if (why) throw new Error(why)
      remember(phone, input)
      const directPaths = []
      let devices = 0
      for (const device of emulator.accounts.devicesOf(phone)) {
        if (!emulator.liveSessions(device.jid).length) continue
        let reached = false
        for (const chunk of chunksOf({ syncType: 'RECENT', ...input })) {
          const { stanza, directPath } = await stanzaFor(device, chunk)
          if (emulator.sendTo(device.jid, stanza)) { directPaths.push(directPath); reached = true }
        }
        if (reached) devices++
      }
      return { devices, directPaths }
    },

    /**
     * The phone answers a device's peer-data request (Baileys' fetchMessageHistory sends
     * `protocolMessage PEER_DATA_OPERATION_REQUEST_MESSAGE` to its own phone). For
     * HISTORY_SYNC_ON_DEMAND: the newest `onDemandMsgCount` messages of `chatJid` older than
     * `oldestMsgTimestampMs` that the phone holds (seeded or sent before), as an ON_DEMAND
     * history sync tagged with the request's message id (`peerDataRequestSessionId`). Other
     * request types are ignored (returns false). The messaging part calls this for every
     * message the device sends to its own phone; `record` is decryptFromDevice's result.
     * @param {import('./accounts.js').Device} device @param {{id: string, message: any}} record
     * @returns {Promise<boolean>} true when an answer was sent
     */
    async answerPeerRequest (device, record) {
      const request = record.message?.protocolMessage?.peerDataOperationRequestMessage
      const OnDemand = proto.Message.PeerDataOperationRequestType.HISTORY_SYNC_ON_DEMAND
      if (!request || request.peerDataOperationRequestType !== OnDemand || !request.historySyncOnDemandRequest) return false
      const { chatJid, onDemandMsgCount, oldestMsgTimestampMs } = request.historySyncOnDemandRequest
      const before = Number(oldestMsgTimestampMs ?? Infinity) / 1000
      const held = archives.get(device.phone)?.get(chatJid) ?? []
      const older = held.filter((m) => (m.timestamp ?? 0) < before)
      const count = Math.max(0, Number(onDemandMsgCount ?? 50))
      const messages = count ? older.slice(-count) : []
      const { stanza } = await stanzaFor(device, { syncType: 'ON_DEMAND', chats: [{ jid: chatJid, messages }] }, { peerDataRequestSessionId: record.id })
      stats.onDemand++
      return emulator.sendTo(device.jid, stanza)
    }
  }
}

/**
 * The syncs one history request becomes: WhatsApp's phone sends push names in a chunk of their own
 * (PUSH_NAME; Baileys reads pushnames only there), after the conversations.
 * @param {HistoryInput} input @returns {HistoryInput[]}
 */
function chunksOf (input) {
  const { pushnames, ...rest } = input
  if (!pushnames?.length || input.syncType === 'PUSH_NAME') return [input]
  return [rest, { syncType: 'PUSH_NAME', pushnames }]
}

/** The device's prekey bundle as a Contact (the phone, a contact) needs it to start a session; consumes one one-time prekey. */
export function deviceBundle (device) {
  if (!device.signedPreKey) throw new Error(`device ${device.jid} has uploaded no signed prekey`)
  const bundle = {
    registrationId: device.registrationId,
    identityKey: device.identityKey,
    signedPreKey: { keyId: device.signedPreKey.id, publicKey: device.signedPreKey.public, signature: device.signedPreKey.signature }
  }
  const [preKeyId] = [...device.preKeys.keys()].sort((a, b) => a - b)
  if (preKeyId !== undefined) {
    bundle.preKey = { keyId: preKeyId, publicKey: device.preKeys.get(preKeyId) }
    device.preKeys.delete(preKeyId)
  }
  return bundle
}
