// Live merging of chat messages: the list shown is the server's pages plus realtime events plus
// messages this tab is sending. Pure functions (no React), unit-tested in messages.test.ts.
//
// Guarantees: one entry per message (matched by message_id, then by client_message_id for a
// message this tab sent before the server answered, then by provider_message_id), newest first,
// and an outbound status never moves backwards along message-status-order.json:
// queued < sent < failed < delivered < read < played (failed beats queued/sent, never a receipt).
import type { Chat, Message, MessageStatus } from '../api/types';
import type { MessageStatusEvent } from './realtime-events';
import STATUS_ORDER from './message-status-order.json';

// The one status order, shared with Java and SQL (MessageStatusOrderIntegrationTest checks it).
const RANK: Record<string, number> = Object.fromEntries(STATUS_ORDER.map((s, i) => [s, i]));

/** The status to keep when `incoming` arrives for a message that shows `current`. */
export function mergeStatus(current: MessageStatus, incoming: MessageStatus): MessageStatus {
  if (current === incoming) return current;
  if (current === 'received' || incoming === 'received') return current === 'received' ? current : incoming;
  const a = RANK[current] ?? 0;
  const b = RANK[incoming] ?? 0;
  return b > a ? incoming : current;
}

function sameMessage(a: Pick<Message, 'message_id' | 'client_message_id' | 'provider_message_id' | 'connection_id'>,
  b: Partial<Pick<Message, 'message_id' | 'client_message_id' | 'provider_message_id' | 'connection_id'>>): boolean {
  if (a.message_id && b.message_id && a.message_id === b.message_id) return true;
  if (b.connection_id && a.connection_id && a.connection_id !== b.connection_id) return false;
  if (a.client_message_id && b.client_message_id && a.client_message_id === b.client_message_id) return true;
  return !!(a.provider_message_id && b.provider_message_id && a.provider_message_id === b.provider_message_id);
}

function timeOf(m: Message): number {
  const t = Date.parse(m.timestamp ?? m.created_at ?? '');
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

/** Newest first; ties keep a stable order by message_id. */
export function sortNewestFirst(list: Message[]): Message[] {
  return [...list].sort((x, y) => timeOf(y) - timeOf(x) || (x.message_id < y.message_id ? 1 : -1));
}

/** Combines two views of one message: newer fields win, but the status never goes backwards. */
function combine(old: Message, next: Message): Message {
  const merged: Message = { ...old, ...withoutNulls(next) };
  merged.status = mergeStatus(old.status, next.status);
  if (merged.status !== 'failed') merged.error = next.error ?? (old.status === 'failed' ? null : old.error);
  // the server's id replaces a temporary one given by this tab
  if (old.message_id.startsWith('local:') && next.message_id && !next.message_id.startsWith('local:')) {
    merged.message_id = next.message_id;
  }
  return merged;
}

function withoutNulls<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** Adds or updates one message (a `message.new` event, a send answer, an optimistic entry). */
export function upsertMessage(list: Message[], msg: Message): Message[] {
  const i = list.findIndex((m) => sameMessage(m, msg));
  if (i < 0) return sortNewestFirst([...list, msg]);
  const next = [...list];
  next[i] = combine(list[i], msg);
  return sortNewestFirst(next);
}

/** Applies a `message.status` event; unknown messages are ignored (they are not on screen). */
export function applyStatus(list: Message[], u: MessageStatusEvent): Message[] {
  const i = list.findIndex((m) => sameMessage(m, u as Partial<Message>));
  if (i < 0) return list;
  const cur = list[i];
  const status = mergeStatus(cur.status, u.status);
  if (status === cur.status && (status !== 'failed' || u.error === cur.error)) return list;
  const next = [...list];
  next[i] = {
    ...cur,
    status,
    error: status === 'failed' ? u.error ?? cur.error : cur.error,
    provider_message_id: cur.provider_message_id ?? u.provider_message_id ?? null,
  };
  return next;
}

/** Adds an older page (infinite scroll back) without duplicating what live events brought. */
export function mergeOlder(list: Message[], older: Message[]): Message[] {
  return older.reduce(upsertMessage, list);
}

/** Every field of a message, empty: the base of messages built here (the API type lists them all). */
export const EMPTY_MESSAGE: Message = {
  message_id: '', connection_id: '', direction: 'outbound', chat_jid: '', from: null, to: null, from_jid: null,
  to_jid: null, body: null, type: 'text', caption: null, mime_type: null, file_length: null, file_name: null,
  push_name: null, client_message_id: null, provider_message_id: null, in_reply_to: null,
  quoted_provider_message_id: null, status: 'queued', error: null, attempts: 0, next_attempt_at: null,
  timestamp: null, from_history: false, edited: false, deleted: false, sanitized: false, created_at: null,
  updated_at: null, details: null, media: null,
};

/** A chat that has no message yet (a new chat opened with a phone number, or first seen live). */
export function emptyChat(chatJid: string, name: string | null = null, phone: string | null = null): Chat {
  return {
    chat_jid: chatJid, name, phone, is_group: chatJid.endsWith('@g.us'), last_message_id: null,
    last_message_body: null, last_message_direction: null, last_message_at: null, unread_count: 0,
  };
}

/** A placeholder for a message this tab is sending, shown as queued until the server answers. */
export function optimisticMessage(connectionId: string, chatJid: string, body: string, clientMessageId: string,
  now: Date = new Date()): Message {
  return {
    ...EMPTY_MESSAGE,
    message_id: `local:${clientMessageId}`,
    connection_id: connectionId,
    direction: 'outbound',
    chat_jid: chatJid,
    to: chatJid,
    body,
    type: 'text',
    client_message_id: clientMessageId,
    status: 'queued',
    timestamp: now.toISOString(),
    created_at: now.toISOString(),
  };
}

/** The ticks of an outbound status: ✓ sent, ✓✓ delivered, blue ✓✓ read/played, ! failed, 🕓 queued. */
export function ticks(status: MessageStatus): { text: string; label: string; blue: boolean } {
  switch (status) {
    case 'sent':
      return { text: '✓', label: 'Sent', blue: false };
    case 'delivered':
      return { text: '✓✓', label: 'Delivered', blue: false };
    case 'read':
      return { text: '✓✓', label: 'Read', blue: true };
    case 'played':
      return { text: '✓✓', label: 'Played', blue: true };
    case 'failed':
      return { text: '!', label: 'Failed', blue: false };
    case 'queued':
      return { text: '🕓', label: 'Queued', blue: false };
    default:
      return { text: '', label: '', blue: false };
  }
}

/**
 * The chat list after a live message: the chat moves to the top with the new last message; its
 * unread count grows for inbound messages unless it is the chat on screen. Unknown chats appear.
 */
export function chatsAfterMessage(chats: Chat[], msg: Message, openChatJid: string | null): Chat[] {
  const i = chats.findIndex((c) => c.chat_jid === msg.chat_jid);
  const base: Chat = i >= 0 ? chats[i]
    // a group is named by its subject (from the server), never by one sender's name or number
    : msg.chat_jid.endsWith('@g.us') ? emptyChat(msg.chat_jid, null, null)
      : emptyChat(msg.chat_jid, msg.direction === 'inbound' ? msg.push_name : null, msg.direction === 'inbound' ? msg.from : msg.to);
  const counts = msg.direction === 'inbound' && msg.chat_jid !== openChatJid;
  const updated: Chat = {
    ...base,
    last_message_body: msg.body ?? `[${msg.type}]`,
    last_message_at: msg.timestamp ?? msg.created_at ?? base.last_message_at,
    unread_count: counts ? base.unread_count + 1 : base.unread_count,
  };
  return [updated, ...chats.filter((c) => c.chat_jid !== msg.chat_jid)];
}

/** A chat_jid from what a person types: digits become `<digits>@s.whatsapp.net`. */
export function chatJidFor(input: string): string | null {
  const t = input.trim();
  if (t.includes('@')) return t;
  const digits = t.replace(/[\s+()-]/g, '');
  return /^[0-9]{6,15}$/.test(digits) ? `${digits}@s.whatsapp.net` : null;
}

/**
 * Who wrote an inbound message, as a chat shows it above the text: in a group every message
 * names its sender (push name, else the phone number); in a 1:1 chat only a push name is shown
 * (the chat itself names the contact). Null for our own messages.
 */
export function senderLabel(m: Pick<Message, 'direction' | 'chat_jid' | 'push_name' | 'from'>): string | null {
  if (m.direction !== 'inbound') return null;
  if (!m.chat_jid.endsWith('@g.us')) return m.push_name || null;
  return m.push_name || (m.from ? `+${m.from}` : null);
}
