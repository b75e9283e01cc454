import { randomInt } from 'node:crypto'
import { WAMessageStatus, generateMessageIDV2, isJidGroup, proto } from 'baileys'
import { phoneMessageId } from './inbound.js'

/*
 * The history the simulated phone syncs: `messaging-history.set` payloads shaped like the ones
 * Baileys emits after downloading a HistorySync blob (decoded WebMessageInfo messages with
 * Long timestamps, Conversation-shaped chats, contacts), for the initial sync after pairing
 * and for on-demand fetches.
 */

/** Messages in the synced chats: the first chat is longer than a "last 50" window. */
const CHAT_SIZES = [60, 12]
const OTHER_CHAT_SIZE = 5
/** Older messages per chat the emulator's phone holds beyond what it sends after pairing. */
const ON_DEMAND_EXTRA = 50
/** Seconds between two generated messages of a chat. */
const STEP_S = 60

/** @param {number} index */
export function historyChatSize (index) {
  return CHAT_SIZES[index] ?? OTHER_CHAT_SIZE
}

/**
 * The INITIAL_BOOTSTRAP sync a freshly linked phone sends: `chats` chats (sizes 60, 12, 5, 5 …),
 * a third of the messages ours (status read, the newest of ours delivered), timestamps rising
 * a minute apart and ending shortly before `nowS`, newest chat first.
 * @param {object} o
 * @param {string} o.meJid   our jid without device
 * @param {number} o.chats
 * @param {number} [o.nowS]  epoch seconds
 */
export function initialHistory ({ meJid, chats, nowS = Math.floor(Date.now() / 1000) }) {
  const out = { chats: /** @type {any[]} */ ([]), contacts: /** @type {any[]} */ ([]), messages: /** @type {any[]} */ ([]) }
  for (let i = 0; i < chats; i++) {
    const phone = `92300${randomInt(1000000, 10000000)}`
    const jid = `${phone}@s.whatsapp.net`
    const name = `Sandbox Contact ${i + 1}`
    const size = historyChatSize(i)
    const lastTs = nowS - 30 - i * 3600 // chat i ends i hours ago
    const msgs = chatMessages({ meJid, chatJid: jid, name, count: size, lastTs })
    out.messages.push(...msgs)
    out.chats.push({ id: jid, name, conversationTimestamp: lastTs, unreadCount: msgs.at(-1)?.key?.fromMe ? 0 : 1 })
    out.contacts.push({ id: jid, name })
  }
  return {
    ...out,
    lidPnMappings: [],
    isLatest: true,
    progress: 100,
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    chunkOrder: 1
  }
}

/**
 * The answer to fetchMessageHistory: `count` messages of `chatJid` older than `beforeS`
 * (the simulated phone always has more), ON_DEMAND, tagged with the request's id.
 * @param {object} o
 * @param {string} o.meJid @param {string} o.chatJid @param {number} o.count
 * @param {number} o.beforeS  epoch seconds of the oldest message Java has
 * @param {string} o.requestId
 */
export function onDemandHistory ({ meJid, chatJid, count, beforeS, requestId }) {
  return {
    chats: [],
    contacts: [],
    messages: chatMessages({ meJid, chatJid, name: 'Sandbox Contact', count, lastTs: beforeS - STEP_S }),
    lidPnMappings: [],
    progress: 100,
    syncType: proto.HistorySync.HistorySyncType.ON_DEMAND,
    chunkOrder: 1,
    peerDataRequestSessionId: requestId
  }
}

/**
 * `count` messages of one chat, oldest first, the last at `lastTs`.
 * @param {{meJid: string, chatJid: string, name: string, count: number, lastTs: number}} o
 */
function chatMessages ({ meJid, chatJid, name, count, lastTs }) {
  const group = isJidGroup(chatJid)
  const member = `92311${randomInt(1000000, 10000000)}@s.whatsapp.net`
  const lastOurs = lastIndexOurs(count)
  const msgs = []
  for (let j = 0; j < count; j++) {
    const fromMe = j % 3 === 2
    const info = proto.WebMessageInfo.fromObject({
      key: {
        remoteJid: chatJid,
        fromMe,
        id: fromMe ? generateMessageIDV2(meJid) : phoneMessageId(),
        ...(group ? { participant: fromMe ? meJid : member } : {})
      },
      message: { conversation: `History message ${j + 1} of ${count} (${fromMe ? 'sent' : name})` },
      messageTimestamp: lastTs - (count - 1 - j) * STEP_S,
      ...(fromMe ? { status: j === lastOurs ? WAMessageStatus.DELIVERY_ACK : WAMessageStatus.READ } : { pushName: name })
    })
    msgs.push(proto.WebMessageInfo.decode(proto.WebMessageInfo.encode(info).finish()))
  }
  return msgs
}

/** @param {number} count @returns {number} index of the newest message of ours, -1 if none */
function lastIndexOurs (count) {
  for (let j = count - 1; j >= 0; j--) if (j % 3 === 2) return j
  return -1
}

/**
 * The same initial history for the emulator (socket mode "emulator"), in its `history.seed`
 * input shape: `bootstrap` is what the phone sends after pairing (chats of 60, 12, 5, 5 …
 * messages, a third ours, a minute apart, chat i ending i hours before `nowS`, newest chat first),
 * `held` the ON_DEMAND_EXTRA older messages per chat the phone also keeps, so the device's
 * on-demand requests for short chats get answers as they do from the simulated phone.
 * @param {{chats: number, nowS?: number}} o
 * @returns {{bootstrap: {syncType: string, chats: any[]}, held: {chats: any[]}}}
 */
export function emulatorInitialHistory ({ chats, nowS = Math.floor(Date.now() / 1000) }) {
  const bootstrap = { syncType: 'INITIAL_BOOTSTRAP', chats: /** @type {any[]} */ ([]) }
  const held = { chats: /** @type {any[]} */ ([]) }
  for (let i = 0; i < chats; i++) {
    const jid = `92300${randomInt(1000000, 10000000)}@s.whatsapp.net`
    const name = `Sandbox Contact ${i + 1}`
    const size = historyChatSize(i)
    const total = size + ON_DEMAND_EXTRA
    const lastTs = nowS - 30 - i * 3600
    const messages = []
    for (let j = 0; j < total; j++) {
      const n = j - ON_DEMAND_EXTRA // the sent part is numbered 1..size as in initialHistory
      const fromMe = j % 3 === 2
      messages.push({
        id: fromMe ? generateMessageIDV2() : phoneMessageId(),
        fromMe,
        text: n >= 0 ? `History message ${n + 1} of ${size} (${fromMe ? 'sent' : name})` : `Older history message ${j + 1} (${fromMe ? 'sent' : name})`,
        timestamp: lastTs - (total - 1 - j) * STEP_S,
        ...(fromMe ? {} : { pushName: name })
      })
    }
    const sent = messages.slice(ON_DEMAND_EXTRA)
    bootstrap.chats.push({ jid, name, unreadCount: sent.at(-1)?.fromMe ? 0 : 1, messages: sent })
    held.chats.push({ jid, name, messages: messages.slice(0, ON_DEMAND_EXTRA) })
  }
  return { bootstrap, held }
}
