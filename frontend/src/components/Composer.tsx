// The composer of a chat: a text line, a file (picker button or dropped on the composer) sent via
// send-media with upload progress and an optional caption, and small forms to send a location or
// a contact card. Every send carries a fresh client_message_id (a retry of the same click cannot
// double it) and every API error is shown here, in the composer.
import { useRef, useState, type DragEvent, type FormEvent } from 'react';
import { errorText } from '../api/client';
import { apiPost } from '../api/typed';
import { randomId } from '../lib/format';
import { formatBytes, sendTypeFor } from '../lib/rich';
import { fileToBase64, postWithProgress } from '../lib/upload';
import { Button, ErrorBox, inputClass } from './ui';

type Sent = { message_id?: string | null; status?: string | null; provider_message_id?: string | null };

type Props = {
  connectionId: string;
  chatJid: string;
  /** Sends a text (the page shows it at once and tracks it). */
  onText: (text: string) => Promise<void>;
  /** A message was accepted by the API (the page may reload or wait for its realtime event). */
  onSent: () => void;
};

export default function Composer({ connectionId, chatJid, onText, onSent }: Props) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [panel, setPanel] = useState<'none' | 'location' | 'contact'>('none');
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const busy = progress !== null;

  /** Sends the attached file with the typed text as its caption; progress shows while uploading. */
  async function sendFile(f: File, caption: string) {
    setError(null);
    setProgress(0);
    try {
      const media = await fileToBase64(f);
      const mime = f.type || 'application/octet-stream';
      await postWithProgress<Sent>('/api/send-media', {
        connection_id: connectionId, to: chatJid, type: sendTypeFor(mime), media_base64: media, mime_type: mime,
        file_name: f.name, caption: caption || undefined, client_message_id: randomId(),
      }, setProgress);
      setFile(null);
      setText('');
      if (picker.current) picker.current.value = '';
      onSent();
    } catch (e) {
      setError(`Not sent: ${errorText(e)}`);
    } finally {
      setProgress(null);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (file) {
      await sendFile(file, text.trim());
      return;
    }
    const body = text.trim();
    if (!body) return;
    setText('');
    setError(null);
    try {
      await onText(body);
    } catch (err) {
      setError(`Not sent: ${errorText(err)}`);
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files?.[0];
    if (f) setFile(f);
  }

  return (
    <div className={`mt-3 space-y-2 rounded-lg ${dragging ? 'ring-2 ring-emerald-500' : ''}`} data-testid="composer"
      onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)} onDrop={onDrop}>
      {file && (
        <div className="flex items-center justify-between gap-2 rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 text-sm" data-testid="attachment">
          <span className="min-w-0 truncate">📎 {file.name} <span className="text-xs text-slate-500">({formatBytes(file.size)}, sent as {sendTypeFor(file.type)})</span></span>
          {!busy && <Button onClick={() => { setFile(null); if (picker.current) picker.current.value = ''; }} aria-label="Remove the file">×</Button>}
        </div>
      )}
      {progress !== null && (
        <div className="space-y-1" data-testid="upload-progress">
          <div className="h-2 overflow-hidden rounded bg-slate-200">
            <div className="h-2 bg-emerald-600 transition-all" style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
          <div className="text-xs text-slate-500" role="status">Uploading… {Math.round(progress * 100)}%</div>
        </div>
      )}
      <form onSubmit={submit} className="flex gap-2" aria-label="Send a message">
        <input ref={picker} type="file" name="file" className="hidden" aria-label="File to send" data-testid="file-input"
          onChange={(e) => { setFile(e.target.files?.[0] ?? null); setError(null); }} />
        <Button onClick={() => picker.current?.click()} aria-label="Attach a file" title="Attach a file (or drop it here)" disabled={busy}>📎</Button>
        <input className={inputClass} name="message" placeholder={file ? 'Caption (optional)' : 'Type a message'} value={text} onChange={(e) => setText(e.target.value)} maxLength={4096} />
        <Button type="submit" variant="primary" disabled={busy || (!file && !text.trim())}>Send</Button>
      </form>
      <div className="flex gap-2 text-xs">
        <Button onClick={() => setPanel(panel === 'location' ? 'none' : 'location')} aria-expanded={panel === 'location'}>📍 Location</Button>
        <Button onClick={() => setPanel(panel === 'contact' ? 'none' : 'contact')} aria-expanded={panel === 'contact'}>👤 Contact</Button>
      </div>
      {panel === 'location' && <LocationForm connectionId={connectionId} chatJid={chatJid} onDone={() => { setPanel('none'); onSent(); }} onError={setError} />}
      {panel === 'contact' && <ContactForm connectionId={connectionId} chatJid={chatJid} onDone={() => { setPanel('none'); onSent(); }} onError={setError} />}
      {error && <ErrorBox error={error} />}
    </div>
  );
}

type FormProps = { connectionId: string; chatJid: string; onDone: () => void; onError: (e: string | null) => void };

/** Latitude, longitude and an optional name → send-location (the API checks the ranges). */
function LocationForm({ connectionId, chatJid, onDone, onError }: FormProps) {
  const [lat, setLat] = useState('');
  const [lng, setLng] = useState('');
  const [name, setName] = useState('');
  const [sending, setSending] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    onError(null);
    setSending(true);
    try {
      await apiPost('/api/send-location', {
        body: { connection_id: connectionId, to: chatJid, latitude: Number(lat), longitude: Number(lng), name: name.trim() || undefined, client_message_id: randomId() },
      });
      onDone();
    } catch (err) {
      onError(`Location not sent: ${errorText(err)}`);
    } finally {
      setSending(false);
    }
  }
  return (
    <form onSubmit={submit} aria-label="Send a location" className="grid gap-2 rounded-lg border border-slate-200 p-2 sm:grid-cols-[1fr_1fr_2fr_auto]">
      <input className={inputClass} name="latitude" placeholder="Latitude" inputMode="decimal" value={lat} onChange={(e) => setLat(e.target.value)} required />
      <input className={inputClass} name="longitude" placeholder="Longitude" inputMode="decimal" value={lng} onChange={(e) => setLng(e.target.value)} required />
      <input className={inputClass} name="location_name" placeholder="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} />
      <Button type="submit" variant="primary" disabled={sending || !lat.trim() || !lng.trim()}>Send location</Button>
    </form>
  );
}

/** A name and phone numbers (comma or newline separated) → send-contact as one vCard. */
function ContactForm({ connectionId, chatJid, onDone, onError }: FormProps) {
  const [name, setName] = useState('');
  const [phones, setPhones] = useState('');
  const [sending, setSending] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    onError(null);
    setSending(true);
    try {
      const list = phones.split(/[,\n]/).map((p) => p.trim()).filter(Boolean);
      await apiPost('/api/send-contact', {
        body: { connection_id: connectionId, to: chatJid, contacts: [{ name: name.trim(), phones: list }], client_message_id: randomId() },
      });
      onDone();
    } catch (err) {
      onError(`Contact not sent: ${errorText(err)}`);
    } finally {
      setSending(false);
    }
  }
  return (
    <form onSubmit={submit} aria-label="Send a contact" className="grid gap-2 rounded-lg border border-slate-200 p-2 sm:grid-cols-[1fr_2fr_auto]">
      <input className={inputClass} name="contact_name" placeholder="Name" value={name} onChange={(e) => setName(e.target.value)} required />
      <input className={inputClass} name="contact_phones" placeholder="Phones, e.g. 923001234567, 923007654321" value={phones} onChange={(e) => setPhones(e.target.value)} required />
      <Button type="submit" variant="primary" disabled={sending || !name.trim() || !phones.trim()}>Send contact</Button>
    </form>
  );
}
