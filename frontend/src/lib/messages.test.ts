import { describe, expect, it } from 'vitest';
import type { Chat, Message } from '../api/types';
import { applyStatus, chatJidFor, chatsAfterMessage, EMPTY_MESSAGE, emptyChat, mergeOlder, mergeStatus, optimisticMessage, senderLabel, ticks, upsertMessage } from './messages';

function msg(over: Partial<Message>): Message {
  return {
    ...EMPTY_MESSAGE,
    message_id: 'm1', connection_id: 'c1', direction: 'outbound', chat_jid: '923001112233@s.whatsapp.net',
    from: null, to: '923001112233', body: 'hi', type: 'text', push_name: null, client_message_id: null,
    provider_message_id: null, in_reply_to: null, status: 'sent', error: null,
    timestamp: '2026-11-21T05:40:00Z', created_at: '2026-11-21T05:40:00Z', ...over,
  };
}

describe('mergeStatus', () => {
  it('moves forward along queued < sent < delivered < read < played', () => {
    expect(mergeStatus('queued', 'sent')).toBe('sent');
    expect(mergeStatus('sent', 'delivered')).toBe('delivered');
    expect(mergeStatus('delivered', 'read')).toBe('read');
    expect(mergeStatus('read', 'played')).toBe('played');
  });
  it('never moves backwards', () => {
    expect(mergeStatus('read', 'delivered')).toBe('read');
    expect(mergeStatus('delivered', 'sent')).toBe('delivered');
    expect(mergeStatus('sent', 'queued')).toBe('sent');
  });
  it('lets failed beat queued and sent, but not a receipt', () => {
    expect(mergeStatus('queued', 'failed')).toBe('failed');
    expect(mergeStatus('sent', 'failed')).toBe('failed');
    expect(mergeStatus('delivered', 'failed')).toBe('delivered');
    expect(mergeStatus('failed', 'queued')).toBe('failed');
    expect(mergeStatus('failed', 'read')).toBe('read');
  });
});

describe('upsertMessage', () => {
  it('dedupes by message_id and keeps newest first', () => {
    let list = upsertMessage([], msg({ message_id: 'a', timestamp: '2026-11-21T05:40:00Z' }));
    list = upsertMessage(list, msg({ message_id: 'b', timestamp: '2026-11-21T05:41:00Z' }));
    list = upsertMessage(list, msg({ message_id: 'a', body: 'edited?' }));
    expect(list.map((m) => m.message_id)).toEqual(['b', 'a']);
    expect(list[1].body).toBe('edited?');
  });

  it('replaces the optimistic entry when the server message arrives first or second', () => {
    const local = optimisticMessage('c1', '923001112233@s.whatsapp.net', 'hello', 'cid-1', new Date('2026-11-21T05:40:00Z'));
    expect(local.status).toBe('queued');
    const list = upsertMessage([local], msg({ message_id: 'srv-1', client_message_id: 'cid-1', status: 'sent' }));
    expect(list).toHaveLength(1);
    expect(list[0].message_id).toBe('srv-1');
    expect(list[0].status).toBe('sent');
  });

  it('does not let a late copy downgrade the status', () => {
    let list = upsertMessage([], msg({ message_id: 'a', status: 'read' }));
    list = upsertMessage(list, msg({ message_id: 'a', status: 'sent' }));
    expect(list[0].status).toBe('read');
  });
});

describe('applyStatus', () => {
  const base = [msg({ message_id: 'a', client_message_id: 'cid', provider_message_id: 'WA1', status: 'sent' })];
  it('applies by message_id, client_message_id or provider_message_id', () => {
    // a message_id this list does not know yet (e.g. the tab's own message, still under its local id)
    const u = { connection_id: 'c1', message_id: 'not-listed', client_message_id: null, provider_message_id: 'WA1', error: null };
    expect(applyStatus(base, { ...u, status: 'delivered' })[0].status).toBe('delivered');
    expect(applyStatus(base, { ...u, provider_message_id: null, client_message_id: 'cid', status: 'read' })[0].status).toBe('read');
    expect(applyStatus(base, { ...u, provider_message_id: null, message_id: 'a', status: 'played' })[0].status).toBe('played');
  });
  it('ignores backwards updates and unknown messages (same array back)', () => {
    const read = applyStatus(base, { connection_id: 'c1', message_id: 'a', client_message_id: null, provider_message_id: null, status: 'read', error: null });
    expect(applyStatus(read, { connection_id: 'c1', message_id: 'a', client_message_id: null, provider_message_id: null, status: 'delivered', error: null })).toBe(read);
    expect(applyStatus(base, { connection_id: 'c1', message_id: 'zzz', client_message_id: null, provider_message_id: null, status: 'read', error: null })).toBe(base);
  });
  it('keeps the error of a failed message', () => {
    const q = [msg({ message_id: 'q', status: 'queued' })];
    const f = applyStatus(q, { connection_id: 'c1', message_id: 'q', client_message_id: null, provider_message_id: null, status: 'failed', error: 'not_on_whatsapp' });
    expect(f[0]).toMatchObject({ status: 'failed', error: 'not_on_whatsapp' });
  });
});

describe('mergeOlder', () => {
  it('adds an older page without duplicates', () => {
    const live = [msg({ message_id: 'b', timestamp: '2026-11-21T06:00:00Z' }), msg({ message_id: 'a', timestamp: '2026-11-21T05:00:00Z' })];
    const older = [msg({ message_id: 'a', timestamp: '2026-11-21T05:00:00Z' }), msg({ message_id: 'z', timestamp: '2026-11-20T05:00:00Z' })];
    expect(mergeOlder(live, older).map((m) => m.message_id)).toEqual(['b', 'a', 'z']);
  });
});

describe('chat list', () => {
  const chats: Chat[] = [
    { ...emptyChat('x@s.whatsapp.net', 'X', '1'), last_message_body: 'old' },
    { ...emptyChat('923001112233@s.whatsapp.net', 'Ali', '923001112233'), last_message_body: 'old', unread_count: 2 },
  ];
  it('moves the chat to the top and counts unread inbound messages of other chats', () => {
    const after = chatsAfterMessage(chats, msg({ direction: 'inbound', body: 'new!' }), 'x@s.whatsapp.net');
    expect(after[0]).toMatchObject({ chat_jid: '923001112233@s.whatsapp.net', last_message_body: 'new!', unread_count: 3 });
    expect(after).toHaveLength(2);
  });
  it('does not count the open chat or outbound messages', () => {
    expect(chatsAfterMessage(chats, msg({ direction: 'inbound' }), '923001112233@s.whatsapp.net')[0].unread_count).toBe(2);
    expect(chatsAfterMessage(chats, msg({ direction: 'outbound' }), null)[0].unread_count).toBe(2);
  });
  it('adds an unknown chat', () => {
    const after = chatsAfterMessage([], msg({ chat_jid: 'new@s.whatsapp.net', direction: 'inbound', push_name: 'New', from: '4917' }), null);
    expect(after[0]).toMatchObject({ chat_jid: 'new@s.whatsapp.net', name: 'New', unread_count: 1 });
  });
});

describe('groups', () => {
  const group = '120363041234567890@g.us';
  it('names each inbound group message by its sender: push name, else the phone number', () => {
    expect(senderLabel(msg({ direction: 'inbound', chat_jid: group, push_name: 'Sara', from: '923001112233' }))).toBe('Sara');
    expect(senderLabel(msg({ direction: 'inbound', chat_jid: group, push_name: null, from: '923001112233' }))).toBe('+923001112233');
    expect(senderLabel(msg({ direction: 'outbound', chat_jid: group }))).toBeNull();
    // a 1:1 chat shows only a push name (the chat names the contact)
    expect(senderLabel(msg({ direction: 'inbound', push_name: null, from: '923001112233' }))).toBeNull();
  });
  it('a new group chat is not named after its first sender', () => {
    const after = chatsAfterMessage([], msg({ chat_jid: group, direction: 'inbound', push_name: 'Sara', from: '923001112233' }), null);
    expect(after[0]).toMatchObject({ chat_jid: group, name: null, phone: null, is_group: true, unread_count: 1 });
  });
});

describe('helpers', () => {
  it('draws the ticks', () => {
    expect(ticks('sent').text).toBe('✓');
    expect(ticks('delivered')).toMatchObject({ text: '✓✓', blue: false });
    expect(ticks('read')).toMatchObject({ text: '✓✓', blue: true });
    expect(ticks('failed').label).toBe('Failed');
  });
  it('turns typed numbers into chat ids', () => {
    expect(chatJidFor('+92 300 1112233')).toBe('923001112233@s.whatsapp.net');
    expect(chatJidFor('123@g.us')).toBe('123@g.us');
    expect(chatJidFor('abc')).toBeNull();
  });
});
