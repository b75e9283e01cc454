// The bubble's content rendered to HTML (react-dom/server, no browser needed): what a person sees
// for each kind of message.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Message } from '../api/types';
import { EMPTY_MESSAGE } from '../lib/messages';
import { MessageContent, Reactions } from './MessageContent';

const html = (over: Partial<Message>) => renderToStaticMarkup(createElement(MessageContent, {
  m: { ...EMPTY_MESSAGE, message_id: 'm1', connection_id: 'c1', direction: 'inbound', chat_jid: 'x@s.whatsapp.net', status: 'received', ...over },
}));
const media = (over: Partial<NonNullable<Message['media']>> = {}): NonNullable<Message['media']> => ({
  state: 'stored', error: null, mime_type: null, file_name: null, size: null, sha256: null, duration: null, width: null, height: null,
  path: '/api/connections/c1/messages/m1/media', ...over,
});

describe('MessageContent', () => {
  it('shows a stored image as a thumbnail that opens, with its caption', () => {
    const h = html({ type: 'image', caption: 'the parcel', body: 'the parcel', media: media({ mime_type: 'image/png' }) });
    expect(h).toContain('<img src="/api/connections/c1/messages/m1/media"');
    expect(h).toContain('aria-label="Open the photo"');
    expect(h).toContain('the parcel');
  });
  it('plays video, audio and voice notes with the browser\'s players', () => {
    expect(html({ type: 'video', media: media() })).toMatch(/<video[^>]*src="\/api\/connections\/c1\/messages\/m1\/media"[^>]*controls/);
    expect(html({ type: 'audio', body: '[audio]', media: media() })).toMatch(/<audio[^>]*controls/);
    const voice = html({ type: 'ptt', body: '[voice message]', media: media({ duration: 7 }) });
    expect(voice).toMatch(/<audio[^>]*controls/);
    expect(voice).toContain('Voice message · 7 s');
    expect(voice).not.toContain('[voice message]');
  });
  it('shows a document with its name, size and a download link', () => {
    const h = html({ type: 'document', body: '[document invoice.pdf]', media: media({ file_name: 'invoice.pdf', size: 2048, mime_type: 'application/pdf' }) });
    expect(h).toContain('href="/api/connections/c1/messages/m1/media"');
    expect(h).toContain('download="invoice.pdf"');
    expect(h).toContain('2.0 KB · application/pdf · download');
  });
  it('shows a sticker as a small picture', () => {
    expect(html({ type: 'sticker', media: media() })).toMatch(/<img[^>]*alt="sticker"[^>]*class="h-32 w-32/);
  });
  it('says downloading while pending, and why a file is missing', () => {
    expect(html({ type: 'image', media: media({ state: 'pending', path: null }) })).toContain('downloading…');
    expect(html({ type: 'image', media: media({ state: 'failed', error: 'HTTP 404', path: null }) })).toContain('File could not be downloaded: HTTP 404');
    expect(html({ type: 'video', media: media({ state: 'too_large', path: null }) })).toContain('File too large to keep');
    expect(html({ type: 'image', media: media({ state: 'pending', path: null }) })).not.toContain('<img');
  });
  it('shows a location with a map link, a contact card, a poll with vote counts', () => {
    const loc = html({ type: 'location', body: '[location 24.86,67.00]', details: { latitude: 24.86, longitude: 67.0, name: 'Office' } as never });
    expect(loc).toContain('📍 Office');
    expect(loc).toContain('href="https://www.openstreetmap.org/?mlat=24.86&amp;mlon=67#map=16/24.86/67"');
    expect(loc).not.toContain('[location');
    const card = html({ type: 'contact', body: '[contact Sara]', details: { contacts: [{ name: 'Sara', phones: ['923001234567'] }] } as never });
    expect(card).toContain('Sara');
    expect(card).toContain('+923001234567');
    const poll = html({ type: 'pollCreation', body: '[poll When?]', details: { name: 'When?', options: ['Morning', 'Evening'], votes: { a: ['Evening'] } } as never });
    expect(poll).toContain('📊 When?');
    expect(poll).toContain('aria-label="1 votes"');
    expect(poll).toContain('1 voter');
  });
  it('marks edited and deleted messages', () => {
    expect(html({ body: 'fixed text', edited: true })).toContain('data-testid="edited"');
    const gone = html({ body: 'secret', deleted: true });
    expect(gone).toContain('This message was deleted');
    expect(gone).not.toContain('secret');
  });
  it('keeps plain text and shows the type of a message without text', () => {
    expect(html({ body: 'hello' })).toContain('hello');
    expect(html({ type: 'groupNotification', body: null })).toContain('[groupNotification]');
  });
});

describe('Reactions', () => {
  it('groups emoji with their counts', () => {
    const h = renderToStaticMarkup(createElement(Reactions, { list: [
      { emoji: '👍', from: 'a', direction: 'inbound' }, { emoji: '👍', from: 'me', direction: 'outbound' }, { emoji: '❤️', from: 'b', direction: 'inbound' }] }));
    expect(h).toContain('👍 2');
    expect(h).toContain('❤️');
  });
});
