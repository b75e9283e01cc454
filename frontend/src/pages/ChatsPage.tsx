// Chats of one connection: chat list, message bubbles with ticks, infinite scroll back, a composer
// whose message goes queued → sent → delivered → read live, incoming messages live, and a notice
// when a message arrives in another chat. Merging rules live in lib/messages.ts (unit-tested).
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { ApiError, errorText } from '../api/client';
import { apiGet, apiPost } from '../api/typed';
import type { Chat, Message } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import Composer from '../components/Composer';
import ConnectionPicker from '../components/ConnectionPicker';
import { MessageContent, Reactions } from '../components/MessageContent';
import { Button, Card, Empty, ErrorBox, inputClass, Loading, Notice, PageTitle } from '../components/ui';
import { useApi } from '../hooks/useApi';
import { formatPhone, formatTime, randomId } from '../lib/format';
import { applyStatus, chatJidFor, chatsAfterMessage, emptyChat, mergeOlder, optimisticMessage, senderLabel, ticks, upsertMessage } from '../lib/messages';
import { applyMedia, withReactions, type Reaction } from '../lib/rich';
import { useConnectionSubscription, useRealtimeEvent } from '../realtime/RealtimeProvider';

function notAvailable(e: unknown) {
  return e instanceof ApiError && e.status === 404 && e.code !== 'connection_not_found';
}

export default function ChatsPage() {
  const { id } = useParams();
  return (
    <div className="space-y-4">
      <PageTitle right={<ConnectionPicker base="/chats" current={id} />}>Chats</PageTitle>
      {id ? <ChatsOf key={id} connectionId={id} /> : <Card><Empty>Choose a connection to see its chats.</Empty></Card>}
    </div>
  );
}

function chatTitle(c: Pick<Chat, 'name' | 'phone' | 'chat_jid'>) {
  return c.name || formatPhone(c.phone) || c.chat_jid;
}

function ChatsOf({ connectionId }: { connectionId: string }) {
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const open = params.get('chat');
  const where = { path: { connection_id: connectionId } };
  const page = useApi('/api/connections/{connection_id}/chats', { ...where, query: { limit: 50 } });
  const chats = page.data?.chats ?? null;
  const cursor = page.data?.next_cursor ?? null;
  const [moreError, setMoreError] = useState<unknown>(null);
  const error = moreError ?? page.errorObj;
  const [notice, setNotice] = useState<{ jid: string; text: string } | null>(null);
  const [newTo, setNewTo] = useState('');
  const openRef = useRef(open);
  openRef.current = open;

  useConnectionSubscription(connectionId, me?.role === 'admin');

  const setChats = (fn: (old: Chat[]) => Chat[]) =>
    page.setData((old) => (old ? { ...old, chats: fn(old.chats) } : { chats: fn([]), next_cursor: null }));

  /** The next page of chats, appended (a chat already listed, e.g. moved up live, is not repeated). */
  async function more(before: string) {
    try {
      const next = await apiGet('/api/connections/{connection_id}/chats', { ...where, query: { limit: 50, before } });
      page.setData((old) => {
        const known = new Set((old?.chats ?? []).map((c) => c.chat_jid));
        return { chats: [...(old?.chats ?? []), ...next.chats.filter((c) => !known.has(c.chat_jid))], next_cursor: next.next_cursor };
      });
      setMoreError(null);
    } catch (e) {
      setMoreError(e);
    }
  }

  useRealtimeEvent('message.new', connectionId, (m) => {
    setChats((old) => chatsAfterMessage(old, m, openRef.current));
    if (m.direction === 'inbound' && m.chat_jid !== openRef.current) {
      setNotice({ jid: m.chat_jid, text: `New message from ${m.push_name || formatPhone(m.from) || m.chat_jid}: ${m.body ?? `[${m.type}]`}` });
    }
  });

  function openChat(jid: string) {
    setParams({ chat: jid });
    page.setData((old) => old && { ...old, chats: old.chats.map((c) => (c.chat_jid === jid ? { ...c, unread_count: 0 } : c)) });
    if (notice?.jid === jid) setNotice(null);
  }

  function startChat(e: FormEvent) {
    e.preventDefault();
    const jid = chatJidFor(newTo);
    if (jid) {
      openChat(jid);
      setNewTo('');
    }
  }

  if (notAvailable(error)) {
    return <Notice>Chats are not available on this gateway yet (the messaging feature is not installed).</Notice>;
  }

  const current = chats?.find((c) => c.chat_jid === open) ?? (open ? emptyChat(open, null, open.split('@')[0]) : null);

  return (
    <div className="space-y-3">
      {notice && (
        <div role="status" className="flex flex-wrap items-center justify-between gap-2 rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm" data-testid="other-chat-notice">
          <span className="min-w-0 truncate">{notice.text}</span>
          <span className="flex gap-2">
            <Button onClick={() => openChat(notice.jid)}>Open</Button>
            <Button onClick={() => setNotice(null)} aria-label="Dismiss">×</Button>
          </span>
        </div>
      )}
      <div className="grid gap-4 md:grid-cols-[18rem_1fr]">
        <Card title="Conversations" className={open ? 'hidden md:block' : ''}>
          <form onSubmit={startChat} className="mb-3 flex gap-2" aria-label="New chat">
            <input className={inputClass} name="new_chat" placeholder="New chat: phone number" value={newTo} onChange={(e) => setNewTo(e.target.value)} />
            <Button type="submit" disabled={!chatJidFor(newTo)}>Open</Button>
          </form>
          {error !== null && <ErrorBox error={errorText(error)} onRetry={() => { setMoreError(null); void page.reload(); }} />}
          {!chats && error === null && <Loading what="Loading chats" />}
          {chats && chats.length === 0 && <Empty>No chats yet.</Empty>}
          {chats && chats.length > 0 && (
            <ul className="max-h-[70vh] divide-y divide-slate-100 overflow-y-auto" aria-label="Chats">
              {chats.map((c) => (
                <li key={c.chat_jid} data-testid="chat" data-chat-jid={c.chat_jid}>
                  <button type="button" onClick={() => openChat(c.chat_jid)} aria-current={c.chat_jid === open}
                    className={`flex w-full items-start gap-2 px-2 py-2 text-left hover:bg-slate-50 ${c.chat_jid === open ? 'bg-emerald-50' : ''}`}>
                    <span className="min-w-0 flex-1">
                      <span className="block truncate text-sm font-medium">{chatTitle(c)}</span>
                      <span className="block truncate text-xs text-slate-500">{c.last_message_body ?? ''}</span>
                    </span>
                    <span className="flex shrink-0 flex-col items-end gap-1">
                      <span className="text-xs text-slate-400">{formatTime(c.last_message_at)}</span>
                      {c.unread_count > 0 && <span className="rounded-full bg-emerald-600 px-1.5 text-xs text-white" aria-label={`${c.unread_count} unread`}>{c.unread_count}</span>}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {cursor && <Button className="mt-2 w-full" onClick={() => void more(cursor)}>Load more chats</Button>}
        </Card>
        {current ? (
          <Conversation key={current.chat_jid} connectionId={connectionId} chat={current} onBack={() => setParams({})} />
        ) : (
          <Card className="hidden md:block"><Empty>Choose a chat, or start a new one with a phone number.</Empty></Card>
        )}
      </div>
    </div>
  );
}

function Conversation({ connectionId, chat, onBack }: { connectionId: string; chat: Chat; onBack: () => void }) {
  const where = { path: { connection_id: connectionId, chat: chat.chat_jid } };
  const page = useApi('/api/connections/{connection_id}/chats/{chat}/messages', { ...where, query: { limit: 30 } });
  const messages = page.data?.messages ?? [];
  const cursor = page.data?.next_cursor ?? null;
  const loading = page.loading && !page.data;
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<unknown>(null);
  const error = olderError ?? page.errorObj;
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  const setMessages = useCallback((fn: (old: Message[]) => Message[]) =>
    page.setData((old) => (old ? { ...old, messages: fn(old.messages) } : { messages: fn([]), next_cursor: null })), [page.setData]);

  // the chat is on screen: its unread count goes back to zero on the server too (a chat that has
  // no message yet answers 404, which changes nothing)
  const markRead = useCallback(() => {
    apiPost('/api/connections/{connection_id}/chats/{chat}/read', { path: { connection_id: connectionId, chat: chat.chat_jid } })
      .catch(() => undefined);
  }, [connectionId, chat.chat_jid]);

  useEffect(markRead, [markRead]);

  useRealtimeEvent('message.new', connectionId, (m) => {
    if (m.chat_jid !== chat.chat_jid) return;
    setMessages((old) => upsertMessage(old, m));
    if (m.direction === 'inbound') markRead();
  });
  useRealtimeEvent('message.status', connectionId, (u) => setMessages((old) => applyStatus(old, u)));
  // a file finished downloading (or failed): the bubble shows it without a reload
  useRealtimeEvent('message.media', connectionId, (e) => {
    if (e.chat_jid === chat.chat_jid) setMessages((old) => applyMedia(old, e));
  });

  // keep the view at the newest message unless the person scrolled up to read history
  useEffect(() => {
    const el = scroller.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  async function older() {
    if (!cursor || loadingOlder) return;
    const el = scroller.current;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    setLoadingOlder(true);
    try {
      const olderPage = await apiGet('/api/connections/{connection_id}/chats/{chat}/messages', { ...where, query: { limit: 30, before: cursor } });
      page.setData((old) => ({ messages: mergeOlder(old?.messages ?? [], olderPage.messages), next_cursor: olderPage.next_cursor }));
      setOlderError(null);
      requestAnimationFrame(() => {
        if (el) el.scrollTop = el.scrollHeight - fromBottom;
      });
    } catch (e) {
      setOlderError(e);
    } finally {
      setLoadingOlder(false);
    }
  }

  function onScroll() {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 40) void older();
  }

  /**
   * Sends a text: shown at once as queued (optimistic), then merged with the server's answer and
   * its realtime events by client_message_id; a refused send stays on screen as failed and the
   * error is rethrown for the composer to show.
   */
  async function sendText(body: string) {
    const clientId = randomId();
    const local = optimisticMessage(connectionId, chat.chat_jid, body, clientId);
    stickToBottom.current = true;
    setMessages((old) => upsertMessage(old, local));
    try {
      const res = await apiPost('/api/send-message', {
        body: { connection_id: connectionId, to: chat.chat_jid, message: body, client_message_id: clientId },
      });
      setMessages((old) => upsertMessage(old, { ...local, message_id: res.message_id ?? local.message_id, status: res.status ?? 'queued', provider_message_id: res.provider_message_id ?? null }));
    } catch (err) {
      setMessages((old) => upsertMessage(old, { ...local, status: 'failed', error: errorText(err) }));
      throw err;
    }
  }

  const { shown: bubbles, reactions } = withReactions(messages);
  const shown = [...bubbles].reverse();
  return (
    <Card title={<span className="flex items-center gap-2"><button type="button" className="md:hidden" onClick={onBack} aria-label="Back to chats">←</button>{chatTitle(chat)}</span>}>
      {notAvailable(error) ? (
        <Notice>Messages are not available on this gateway yet (the messaging feature is not installed).</Notice>
      ) : (
        <>
          {error !== null && <ErrorBox error={errorText(error)} />}
          <div ref={scroller} onScroll={onScroll} className="h-[60vh] space-y-2 overflow-y-auto rounded-lg bg-slate-50 p-3" aria-label="Messages" role="log" tabIndex={0}>
            {cursor && <div className="text-center"><Button onClick={() => void older()} disabled={loadingOlder}>{loadingOlder ? 'Loading…' : 'Load older messages'}</Button></div>}
            {loading && <Loading what="Loading messages" />}
            {!loading && shown.length === 0 && <Empty>No messages yet. Say hello!</Empty>}
            {shown.map((m) => <Bubble key={m.message_id} m={m} reactions={reactions.get(m.message_id)} />)}
          </div>
          <Composer connectionId={connectionId} chatJid={chat.chat_jid} onText={sendText} onSent={() => { stickToBottom.current = true; }} />
        </>
      )}
    </Card>
  );
}

function Bubble({ m, reactions }: { m: Message; reactions?: Reaction[] }) {
  const out = m.direction === 'outbound';
  const t = ticks(m.status);
  const sender = senderLabel(m);
  return (
    <div className={`flex ${out ? 'justify-end' : 'justify-start'}`} data-testid="message" data-status={m.status} data-direction={m.direction} data-type={m.type} data-message-id={m.message_id} data-provider-message-id={m.provider_message_id ?? undefined}>
      <div className={`max-w-[80%] rounded-lg px-3 py-2 text-sm shadow-sm ${out ? 'bg-emerald-100' : 'bg-white'}`}>
        {sender && <div className="text-xs font-semibold text-emerald-700" data-testid="sender">{sender}</div>}
        <MessageContent m={m} />
        <div className="mt-1 flex items-center justify-end gap-1 text-[11px] text-slate-500">
          <span>{formatTime(m.timestamp ?? m.created_at)}</span>
          {out && t.text && (
            <span className={m.status === 'failed' ? 'font-bold text-red-600' : t.blue ? 'text-sky-500' : ''} title={m.error ? `${t.label}: ${m.error}` : t.label} aria-label={t.label} data-testid="ticks" data-status={m.status}>{t.text}</span>
          )}
        </div>
        {reactions && reactions.length > 0 && <Reactions list={reactions} />}
      </div>
    </div>
  );
}
