// What a chat bubble shows of one message: text, or its picture / player / document / location /
// contact cards / poll, plus the edited/deleted markers and the reactions under it. Reading the
// message is lib/rich.ts (unit-tested); this file only lays it out. The file itself comes from
// the media endpoint (`media.path`) with the page's own session cookie.
import { useState } from 'react';
import type { Message } from '../api/types';
import { contactsOf, formatBytes, locationOf, mediaKindOf, mediaNote, pollOf, type Reaction } from '../lib/rich';

/** The body of a bubble (everything but the sender line and the time/ticks row). */
export function MessageContent({ m }: { m: Message }) {
  if (m.deleted) {
    return <div className="italic text-slate-500" data-testid="deleted">🚫 This message was deleted</div>;
  }
  const kind = mediaKindOf(m);
  const location = locationOf(m);
  const contacts = contactsOf(m);
  const poll = pollOf(m);
  // the caption (media) or the text; placeholders such as "[image]" are left out when the
  // content itself is shown
  const text = m.caption ?? (kind || location || contacts.length || poll ? null : m.body);
  return (
    <>
      {kind && <MediaPart m={m} kind={kind} />}
      {location && (
        <div data-testid="location" className="space-y-0.5">
          <div>📍 {location.name ?? (location.live ? 'Live location' : 'Location')}</div>
          {location.address && <div className="text-xs text-slate-600">{location.address}</div>}
          <a className="text-xs text-sky-700 underline" href={location.mapUrl} target="_blank" rel="noreferrer noopener">
            {location.lat.toFixed(5)}, {location.lng.toFixed(5)} · open map
          </a>
        </div>
      )}
      {contacts.length > 0 && (
        <ul data-testid="contacts" className="space-y-1">
          {contacts.map((c, i) => (
            <li key={i} className="rounded border border-slate-200 bg-white/60 px-2 py-1">
              <div className="font-medium">👤 {c.name || 'Contact'}</div>
              {c.phones.map((p) => <div key={p} className="text-xs text-slate-600">{p}</div>)}
            </li>
          ))}
        </ul>
      )}
      {poll && (
        <div data-testid="poll" className="space-y-1">
          <div className="font-medium">📊 {poll.name}</div>
          <ul className="space-y-0.5">
            {poll.options.map((o) => (
              <li key={o.name} className="flex justify-between gap-3 text-xs" data-testid="poll-option">
                <span>{o.name}</span>
                <span className="text-slate-500" aria-label={`${o.votes} votes`}>{o.votes}</span>
              </li>
            ))}
          </ul>
          <div className="text-[11px] text-slate-500">{poll.voters} {poll.voters === 1 ? 'voter' : 'voters'}{poll.selectable === 0 ? ' · any number of choices' : ''}</div>
        </div>
      )}
      {text !== null && text !== undefined && <div className="whitespace-pre-wrap break-words">{text}</div>}
      {!kind && !location && !contacts.length && !poll && (text === null || text === undefined) && <em className="text-slate-500">[{m.type}]</em>}
      {m.edited && <div className="text-[11px] italic text-slate-500" data-testid="edited">edited</div>}
    </>
  );
}

/** The file part: picture, player, document link, or a note while it is not stored. */
function MediaPart({ m, kind }: { m: Message; kind: NonNullable<ReturnType<typeof mediaKindOf>> }) {
  const [full, setFull] = useState(false);
  const media = m.media;
  const note = mediaNote(m);
  const src = media?.state === 'stored' ? media.path ?? null : null;
  const name = media?.file_name ?? m.file_name;
  const size = formatBytes(media?.size ?? m.file_length);
  if (!src) {
    const label = { image: '🖼 Photo', video: '🎬 Video', audio: '🎵 Audio', voice: '🎤 Voice message', sticker: 'Sticker', document: `📄 ${name ?? 'Document'}` }[kind];
    return (
      <div data-testid="media" data-kind={kind} data-state={media?.state ?? 'none'} className="text-slate-600">
        {label}{note ? <span className="text-xs"> · {note}</span> : null}
      </div>
    );
  }
  const box = 'block max-w-full rounded';
  switch (kind) {
    case 'image':
      return (
        <div data-testid="media" data-kind={kind} data-state="stored">
          <button type="button" onClick={() => setFull(true)} aria-label="Open the photo" className="block">
            <img src={src} alt={m.caption ?? 'photo'} loading="lazy" className={`${box} max-h-60 object-cover`} width={media?.width ?? undefined} height={media?.height ?? undefined} />
          </button>
          {full && (
            <div role="dialog" aria-label="Photo" className="fixed inset-0 z-50 flex items-center justify-center bg-black/80 p-4" onClick={() => setFull(false)}>
              <img src={src} alt={m.caption ?? 'photo'} className="max-h-full max-w-full" />
              <button type="button" className="absolute right-4 top-4 text-2xl text-white" aria-label="Close">×</button>
            </div>
          )}
        </div>
      );
    case 'sticker':
      return <img data-testid="media" data-kind={kind} data-state="stored" src={src} alt="sticker" loading="lazy" className="h-32 w-32 object-contain" />;
    case 'video':
      return <video data-testid="media" data-kind={kind} data-state="stored" src={src} controls preload="metadata" className={`${box} max-h-72`} />;
    case 'audio':
    case 'voice':
      return (
        <div data-testid="media" data-kind={kind} data-state="stored" className="space-y-1">
          {kind === 'voice' && <div className="text-xs text-slate-500">🎤 Voice message{media?.duration ? ` · ${media.duration} s` : ''}</div>}
          <audio src={src} controls preload="metadata" className="w-64 max-w-full" />
        </div>
      );
    case 'document':
      return (
        <a data-testid="media" data-kind={kind} data-state="stored" href={src} download={name ?? true}
          className="flex items-center gap-2 rounded border border-slate-200 bg-white/60 px-2 py-1 text-sky-800 hover:underline">
          <span>📄</span>
          <span className="min-w-0">
            <span className="block truncate font-medium">{name ?? 'Document'}</span>
            <span className="block text-xs text-slate-500">{[size, media?.mime_type].filter(Boolean).join(' · ')} · download</span>
          </span>
        </a>
      );
  }
}

/** The reactions under a message: each emoji with how many people chose it. */
export function Reactions({ list }: { list: Reaction[] }) {
  const counts = new Map<string, number>();
  for (const r of list) counts.set(r.emoji, (counts.get(r.emoji) ?? 0) + 1);
  return (
    <div className="mt-1 flex flex-wrap gap-1" data-testid="reactions">
      {[...counts].map(([emoji, n]) => (
        <span key={emoji} className="rounded-full border border-slate-200 bg-white px-1.5 text-xs" data-testid="reaction" title={list.filter((r) => r.emoji === emoji).map((r) => r.from).join(', ')}>
          {emoji}{n > 1 ? ` ${n}` : ''}
        </span>
      ))}
    </div>
  );
}
