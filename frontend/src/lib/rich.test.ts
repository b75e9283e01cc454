import { describe, expect, it } from 'vitest';
import type { Message } from '../api/types';
import { EMPTY_MESSAGE } from './messages';
import { applyMedia, contactsOf, formatBytes, locationOf, mediaKindOf, mediaNote, parseVcards, pollOf, sendTypeFor, withReactions } from './rich';

function msg(over: Partial<Message>): Message {
  return {
    ...EMPTY_MESSAGE, message_id: 'm1', connection_id: 'c1', direction: 'inbound', chat_jid: '923001112233@s.whatsapp.net',
    from: '923001112233', status: 'received', timestamp: '2026-11-21T05:40:00Z', created_at: '2026-11-21T05:40:00Z', ...over,
  };
}

const stored = (over: Partial<NonNullable<Message['media']>> = {}): NonNullable<Message['media']> => ({
  state: 'stored', error: null, mime_type: 'image/png', file_name: null, size: 2048, sha256: 'ab', duration: null,
  width: 10, height: 10, path: '/api/connections/c1/messages/m1/media', ...over,
});

describe('sendTypeFor', () => {
  it('picks the send-media type from the MIME type', () => {
    expect(sendTypeFor('image/jpeg')).toBe('image');
    expect(sendTypeFor('image/png')).toBe('image');
    expect(sendTypeFor('video/mp4')).toBe('video');
    expect(sendTypeFor('audio/mpeg')).toBe('audio');
    expect(sendTypeFor('audio/ogg; codecs=opus')).toBe('voice');
    expect(sendTypeFor('audio/ogg')).toBe('voice');
    expect(sendTypeFor('application/pdf')).toBe('document');
    expect(sendTypeFor('image/gif')).toBe('document');
    expect(sendTypeFor('')).toBe('document');
    expect(sendTypeFor(undefined)).toBe('document');
  });
});

describe('media of a message', () => {
  it('knows the kind of file by type', () => {
    expect(mediaKindOf(msg({ type: 'ptt' }))).toBe('voice');
    expect(mediaKindOf(msg({ type: 'image' }))).toBe('image');
    expect(mediaKindOf(msg({ type: 'document' }))).toBe('document');
    expect(mediaKindOf(msg({ type: 'text' }))).toBeNull();
  });
  it('says downloading while pending and why a file is missing', () => {
    expect(mediaNote(msg({ media: stored({ state: 'pending', path: null }) }))).toBe('downloading…');
    expect(mediaNote(msg({ media: stored({ state: 'failed', error: 'HTTP 410', path: null }) }))).toBe('File could not be downloaded: HTTP 410');
    expect(mediaNote(msg({ media: stored({ state: 'too_large', size: 3 * 1024 * 1024, path: null }) }))).toBe('File too large to keep (3.0 MB)');
    expect(mediaNote(msg({ media: stored() }))).toBeNull();
    expect(mediaNote(msg({}))).toBeNull();
  });
  it('applies a message.media event to its message only', () => {
    const list = [msg({ message_id: 'a', type: 'image', media: stored({ state: 'pending', path: null }) }), msg({ message_id: 'b' })];
    const next = applyMedia(list, { connection_id: 'c1', message_id: 'a', chat_jid: list[0].chat_jid, state: 'stored', error: null,
      mime_type: 'image/png', file_name: null, size: 99, sha256: 'ff', duration: null, width: 1, height: 1, path: '/p' });
    expect(next[0].media).toMatchObject({ state: 'stored', size: 99, path: '/p' });
    expect(next[1]).toBe(list[1]);
    expect(applyMedia(list, { ...next[0].media!, connection_id: 'c1', message_id: 'zzz', chat_jid: 'x' })).toBe(list);
  });
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
    expect(formatBytes(null)).toBeNull();
  });
});

describe('locations, contacts, polls', () => {
  it('reads a location with an OpenStreetMap link', () => {
    const l = locationOf(msg({ type: 'location', details: { latitude: 24.8607, longitude: 67.0011, name: 'Office' } as never }));
    expect(l).toMatchObject({ lat: 24.8607, lng: 67.0011, name: 'Office', live: false });
    expect(l!.mapUrl).toBe('https://www.openstreetmap.org/?mlat=24.8607&mlon=67.0011#map=16/24.8607/67.0011');
    expect(locationOf(msg({ type: 'location', details: null }))).toBeNull();
  });
  it('reads contact cards from details, from vCards, or from the body', () => {
    expect(contactsOf(msg({ type: 'contact', details: { contacts: [{ name: 'Sara', phones: ['923001234567'] }] } as never })))
      .toEqual([{ name: 'Sara', phones: ['+923001234567'] }]);
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Ali\\, Khan\nTEL;type=CELL;waid=923004445566:+92 300 4445566\nEND:VCARD';
    expect(parseVcards(vcard)).toEqual([{ name: 'Ali, Khan', phones: ['+923004445566'] }]);
    expect(contactsOf(msg({ type: 'contactsArray', details: { vcards: [vcard] } as never }))).toEqual([{ name: 'Ali, Khan', phones: ['+923004445566'] }]);
    expect(contactsOf(msg({ type: 'contact', body: '[contact Bilal]' }))).toEqual([{ name: 'Bilal', phones: [] }]);
    expect(contactsOf(msg({ type: 'text', body: '[contact Bilal]' }))).toEqual([]);
  });
  it('counts poll votes per option from each voter\'s current choice', () => {
    const p = pollOf(msg({ type: 'pollCreation', details: { name: 'When?', options: ['Morning', 'Evening'], selectable_count: 1,
      votes: { '923001': ['Evening'], '923002': ['Evening'], '923003': [] } } as never }));
    expect(p).toEqual({ name: 'When?', options: [{ name: 'Morning', votes: 0 }, { name: 'Evening', votes: 2 }], voters: 2, selectable: 1 });
    expect(pollOf(msg({ type: 'pollCreation', details: null }))).toBeNull();
  });
});

describe('withReactions', () => {
  const target = msg({ message_id: 't', provider_message_id: '3EB0T', body: 'hello', timestamp: '2026-11-21T05:40:00Z' });
  const react = (id: string, from: string, emoji: string | null, at: string, extra: object = {}) => msg({
    message_id: id, from, type: 'reaction', timestamp: at, created_at: at,
    details: { emoji: emoji ?? undefined, removed: emoji === null, target: { id: '3EB0T', from_me: true, message_id: 't' }, ...extra } as never,
  });

  it('shows reactions under their target, not as bubbles; a sender keeps only the latest', () => {
    const list = [react('r3', '111', '❤️', '2026-11-21T05:43:00Z'), react('r2', '222', '👍', '2026-11-21T05:42:00Z'),
      react('r1', '111', '👍', '2026-11-21T05:41:00Z'), target];
    const { shown, reactions } = withReactions(list);
    expect(shown.map((m) => m.message_id)).toEqual(['t']);
    expect(reactions.get('t')!.map((r) => `${r.from}:${r.emoji}`).sort()).toEqual(['111:❤️', '222:👍']);
  });
  it('a removed reaction takes the sender\'s emoji away', () => {
    const { reactions } = withReactions([react('r2', '111', null, '2026-11-21T05:42:00Z'), react('r1', '111', '👍', '2026-11-21T05:41:00Z'), target]);
    expect(reactions.has('t')).toBe(false);
  });
  it('finds an outbound reaction\'s target by target_message_id and keeps a reaction to an unseen message as a bubble', () => {
    const ours = msg({ message_id: 'o', direction: 'outbound', type: 'reaction', details: { emoji: '🙏', target_message_id: 't', target_provider_message_id: '3EB0T' } as never });
    const lost = msg({ message_id: 'x', type: 'reaction', details: { emoji: '😀', target: { id: 'GONE', message_id: null } } as never });
    const { shown, reactions } = withReactions([ours, lost, target]);
    expect(shown.map((m) => m.message_id)).toEqual(['x', 't']);
    expect(reactions.get('t')).toEqual([{ emoji: '🙏', from: 'me', direction: 'outbound' }]);
  });
});
