// Rich messages in Chats: pure helpers (no React) that read a message's `media` and `details`
// (README "Message details") into what a bubble shows, unit-tested in rich.test.ts.
//
// Guarantees: every helper accepts any shape the API may give (details is free-form JSON, old rows
// have no media) and answers null / [] rather than throwing, so one odd message never breaks the
// chat view.
import type { Message } from '../api/types';
import type { MessageMediaEvent } from './realtime-events';

type Details = Record<string, unknown>;

function detailsOf(m: Pick<Message, 'details'>): Details {
  const d = m.details as unknown;
  return d && typeof d === 'object' && !Array.isArray(d) ? (d as Details) : {};
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** "1.5 MB" style size; null for an unknown size. */
export function formatBytes(n: number | null | undefined): string | null {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return null;
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** The kinds of file messages a bubble shows with a player or a picture. */
export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'sticker' | 'document';

/** The kind of file a message carries (by its type), or null for a message without one. */
export function mediaKindOf(m: Pick<Message, 'type' | 'mime_type'>): MediaKind | null {
  switch (m.type) {
    case 'image': return 'image';
    case 'video': case 'ptv': case 'gif': return 'video';
    case 'audio': return 'audio';
    case 'ptt': case 'voice': return 'voice';
    case 'sticker': return 'sticker';
    case 'document': return 'document';
    default: return null;
  }
}

/**
 * The `type` of send-media for a file picked in the composer, by its MIME type: images, videos
 * and audio by their family (GIF and SVG go as documents: WhatsApp shows neither as a picture);
 * OGG/Opus audio as a voice note (WhatsApp plays only Opus as a voice note); anything else a
 * document, which keeps its file name.
 */
export function sendTypeFor(mime: string | null | undefined): 'image' | 'video' | 'audio' | 'voice' | 'document' {
  const t = (mime ?? '').toLowerCase().split(';')[0].trim();
  if (t === 'image/jpeg' || t === 'image/png' || t === 'image/webp') return 'image';
  if (t.startsWith('video/')) return 'video';
  if (t === 'audio/ogg' || t === 'audio/opus' || (mime ?? '').toLowerCase().includes('opus')) return 'voice';
  if (t.startsWith('audio/')) return 'audio';
  return 'document';
}

/** What a bubble says in place of a file that is not (or no longer) stored; null when it is or there is none. */
export function mediaNote(m: Pick<Message, 'media'>): string | null {
  const media = m.media;
  if (!media) return null;
  switch (media.state) {
    case 'stored': return null;
    case 'pending': return 'downloading…';
    case 'too_large': return `File too large to keep${formatBytes(media.size) ? ` (${formatBytes(media.size)})` : ''}`;
    case 'expired': return 'File removed (older than the retention period)';
    case 'failed': return `File could not be downloaded${media.error ? `: ${media.error}` : ''}`;
    default: return `File ${media.state}`;
  }
}

/** A message with the media of a `message.media` event (the bubble updates without a reload). */
export function applyMedia(list: Message[], e: MessageMediaEvent): Message[] {
  const i = list.findIndex((m) => m.message_id === e.message_id);
  if (i < 0) return list;
  const next = [...list];
  next[i] = {
    ...list[i],
    media: {
      state: e.state, error: e.error ?? null, mime_type: e.mime_type ?? null, file_name: e.file_name ?? null,
      size: e.size ?? null, sha256: e.sha256 ?? null, duration: e.duration ?? null, width: e.width ?? null,
      height: e.height ?? null, path: e.path ?? null,
    },
  };
  return next;
}

/** A location's point and labels, from details (coordinates required). */
export function locationOf(m: Pick<Message, 'type' | 'details'>): { lat: number; lng: number; name: string | null; address: string | null; live: boolean; mapUrl: string } | null {
  if (m.type !== 'location' && m.type !== 'liveLocation') return null;
  const d = detailsOf(m);
  const lat = num(d.latitude);
  const lng = num(d.longitude);
  if (lat === null || lng === null) return null;
  return {
    lat, lng, name: str(d.name) ?? str(d.caption), address: str(d.address), live: m.type === 'liveLocation',
    mapUrl: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`,
  };
}

/** Name and phones of each card in a vCard text (FN and TEL lines; folded lines joined). */
export function parseVcards(text: string): { name: string; phones: string[] }[] {
  const cards: { name: string; phones: string[] }[] = [];
  const lines = text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  let cur: { name: string; phones: string[] } | null = null;
  for (const line of lines) {
    const upper = line.toUpperCase();
    if (upper.startsWith('BEGIN:VCARD')) cur = { name: '', phones: [] };
    else if (upper.startsWith('END:VCARD') && cur) {
      cards.push(cur);
      cur = null;
    } else if (cur && /^(item\d+\.)?FN[:;]/i.test(line)) cur.name = line.slice(line.indexOf(':') + 1).replace(/\\([,;\\])/g, '$1').trim();
    else if (cur && /^(item\d+\.)?TEL[:;]/i.test(line)) {
      const waid = /waid=([0-9]+)/i.exec(line);
      const value = line.slice(line.lastIndexOf(':') + 1).trim();
      cur.phones.push(waid ? `+${waid[1]}` : value);
    }
  }
  return cards;
}

/**
 * The contact cards of a contact message: from details.contacts ({name, phones}, what send-contact
 * stores), from vCard text in details (vcard / vcards) or the body, else the name in the body's
 * "[contact Name]" placeholder. Empty for other messages.
 */
export function contactsOf(m: Pick<Message, 'type' | 'details' | 'body'>): { name: string; phones: string[] }[] {
  if (m.type !== 'contact' && m.type !== 'contacts' && m.type !== 'contactsArray') return [];
  const d = detailsOf(m);
  if (Array.isArray(d.contacts)) {
    const cards = d.contacts.flatMap((c) => {
      if (!c || typeof c !== 'object') return [];
      const o = c as Details;
      if (str(o.vcard)) return parseVcards(o.vcard as string);
      const phones = Array.isArray(o.phones) ? o.phones.filter((p): p is string => typeof p === 'string') : [];
      return [{ name: str(o.name) ?? str(o.display_name) ?? '', phones: phones.map((p) => (/^[0-9]+$/.test(p) ? `+${p}` : p)) }];
    });
    if (cards.length) return cards;
  }
  const texts = [str(d.vcard), ...(Array.isArray(d.vcards) ? d.vcards.map(str) : []), str(m.body)].filter((t): t is string => !!t && /BEGIN:VCARD/i.test(t));
  const parsed = texts.flatMap(parseVcards);
  if (parsed.length) return parsed;
  const named = /^\[contact (.+)\]$/.exec(m.body ?? '');
  return named ? [{ name: named[1], phones: [] }] : [];
}

/** A poll's question, options and the number of current votes for each (details.votes: voter → options). */
export function pollOf(m: Pick<Message, 'type' | 'details'>): { name: string; options: { name: string; votes: number }[]; voters: number; selectable: number | null } | null {
  if (m.type !== 'pollCreation' && m.type !== 'poll') return null;
  const d = detailsOf(m);
  const options = Array.isArray(d.options) ? d.options.filter((o): o is string => typeof o === 'string') : [];
  if (!options.length) return null;
  const votes = d.votes && typeof d.votes === 'object' ? Object.values(d.votes as Details) : [];
  const count = new Map(options.map((o) => [o, 0]));
  let voters = 0;
  for (const chosen of votes) {
    if (!Array.isArray(chosen) || chosen.length === 0) continue;
    voters++;
    for (const o of chosen) if (typeof o === 'string' && count.has(o)) count.set(o, (count.get(o) ?? 0) + 1);
  }
  return { name: str(d.name) ?? 'Poll', options: options.map((o) => ({ name: o, votes: count.get(o) ?? 0 })), voters, selectable: num(d.selectable_count) };
}

/** The message a reaction targets (our message_id), or null when unknown or not a reaction. */
export function reactionTarget(m: Pick<Message, 'type' | 'details'>): { messageId: string | null; providerId: string | null } | null {
  if (m.type !== 'reaction') return null;
  const d = detailsOf(m);
  const t = d.target && typeof d.target === 'object' ? (d.target as Details) : {};
  return { messageId: str(t.message_id) ?? str(d.target_message_id), providerId: str(t.id) ?? str(d.target_provider_message_id) };
}

/** One reactor's current emoji on a message. */
export type Reaction = { emoji: string; from: string; direction: string };

/**
 * Splits a chat's messages into those shown as bubbles and the reactions shown under their
 * target. Each sender keeps only their latest reaction per target (WhatsApp replaces it; an
 * empty or removed one takes it away). A reaction whose target is not on screen stays a bubble,
 * so nothing received is hidden. `list` is newest first, as the chat keeps it.
 */
export function withReactions(list: Message[]): { shown: Message[]; reactions: Map<string, Reaction[]> } {
  const byId = new Set(list.map((m) => m.message_id));
  const byProvider = new Map(list.filter((m) => m.provider_message_id).map((m) => [m.provider_message_id as string, m.message_id]));
  const latest = new Map<string, Map<string, Reaction | null>>();
  const shown: Message[] = [];
  for (const m of list) {
    const target = reactionTarget(m);
    const id = target && ((target.messageId && byId.has(target.messageId) ? target.messageId : null)
      ?? (target.providerId ? byProvider.get(target.providerId) ?? null : null));
    if (!target || !id) {
      shown.push(m);
      continue;
    }
    const from = m.direction === 'outbound' ? 'me' : m.from ?? m.from_jid ?? '?';
    const perTarget = latest.get(id) ?? new Map<string, Reaction | null>();
    latest.set(id, perTarget);
    if (perTarget.has(from)) continue; // newest first: an older reaction of the same sender is replaced
    const d = detailsOf(m);
    const emoji = str(d.emoji);
    perTarget.set(from, emoji && d.removed !== true ? { emoji, from, direction: m.direction } : null);
  }
  const reactions = new Map<string, Reaction[]>();
  for (const [id, per] of latest) {
    const list2 = [...per.values()].filter((r): r is Reaction => r !== null);
    if (list2.length) reactions.set(id, list2);
  }
  return { shown, reactions };
}
