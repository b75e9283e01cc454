import { randomBytes, randomInt } from 'node:crypto'
import { generateMessageIDV2 } from 'baileys'

/*
 * The history the sandbox account's phone holds when a device links (sandbox.historyChats), in
 * the emulator's `history.seed` input shape (docs/emulator.md, "History sync"). The emulator
 * sends the recent part as INITIAL_BOOTSTRAP at the new device's first login and answers the
 * device's on-demand requests from the older, held part, as a real phone does.
 */

/** Messages in the synced chats: the first chat is longer than a "last 50" window. */
const CHAT_SIZES = [60, 12]
const OTHER_CHAT_SIZE = 5
/** Older messages per chat the phone holds beyond what it sends after pairing. */
const ON_DEMAND_EXTRA = 50
/** Seconds between two generated messages of a chat. */
const STEP_S = 60

/** Messages of chat `index` in the initial sync (60, 12, 5, 5 …). @param {number} index */
export function historyChatSize (index) {
  return CHAT_SIZES[index] ?? OTHER_CHAT_SIZE
}

/** A message id like the iPhone app's (`3A` + 18 hex): what contacts' phones send. */
export function phoneMessageId () {
  return `3A${randomBytes(9).toString('hex').toUpperCase()}`
}

/**
 * The phone's history for `chats` chats: `bootstrap` is what it sends after pairing (chats of
 * 60, 12, 5, 5 … messages, every third one ours, a minute apart, chat i ending i hours before
 * `nowS`, newest chat first); `held` the ON_DEMAND_EXTRA older messages per chat it also keeps,
 * so on-demand requests get answers even for short chats. `chats` 0 gives an empty history.
 * Contacts are random `92300…` numbers, so two pairings never share a chat by accident.
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
      const n = j - ON_DEMAND_EXTRA // the sent part is numbered 1..size
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
