// The connection's settings (issue 16 part 5): toggles and numbers, saved with
// PUT /api/connections/{id}/settings; the server applies them at once (no relinking) and refuses a
// bad value with the field named, which is shown here. Empty pace fields mean "the global pace".
import { useEffect, useState, type FormEvent } from 'react';
import { errorText } from '../api/client';
import { apiPut } from '../api/typed';
import { Button, Card, ErrorBox, Field, Loading, inputClass } from '../components/ui';
import { useApi } from '../hooks/useApi';

interface Form {
  reject_calls: boolean;
  call_reply_text: string;
  ignore_groups: boolean;
  ignore_broadcasts: boolean;
  send_read_receipts: boolean;
  always_online: boolean;
  sync_history: boolean;
  send_rate_per_minute: string;
  send_burst: string;
}

const TOGGLES: Array<{ key: keyof Form; label: string; hint: string }> = [
  { key: 'reject_calls', label: 'Reject calls', hint: 'Incoming calls are declined at once; each call is still reported (call webhook).' },
  { key: 'ignore_groups', label: 'Ignore groups', hint: 'Group messages are neither stored nor delivered.' },
  { key: 'ignore_broadcasts', label: 'Ignore broadcasts', hint: 'Broadcast lists and Status are neither stored nor delivered.' },
  { key: 'send_read_receipts', label: 'Send read receipts', hint: 'Opening a chat shows your contacts blue ticks.' },
  { key: 'always_online', label: 'Always online', hint: 'The account shows as online while connected.' },
  { key: 'sync_history', label: 'Sync history', hint: 'Store the chat history WhatsApp sends after linking.' },
];

/**
 * A number field's text → the API value: empty = null (the global setting), a whole number as a
 * number; anything else is sent as typed, so the server refuses it with the field named (never
 * silently turned into "the global setting").
 */
function numberOrNull(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  return /^-?[0-9]+$/.test(t) ? Number(t) : (t as unknown as number);
}

export default function SettingsPanel({ connectionId }: { connectionId: string }) {
  const loaded = useApi('/api/connections/{id}/settings', { path: { id: connectionId } });
  const [form, setForm] = useState<Form | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const s = loaded.data;
    if (!s) return;
    setForm({
      reject_calls: s.reject_calls,
      call_reply_text: s.call_reply_text ?? '',
      ignore_groups: s.ignore_groups,
      ignore_broadcasts: s.ignore_broadcasts,
      send_read_receipts: s.send_read_receipts,
      always_online: s.always_online,
      sync_history: s.sync_history,
      send_rate_per_minute: s.send_rate_per_minute == null ? '' : String(s.send_rate_per_minute),
      send_burst: s.send_burst == null ? '' : String(s.send_burst),
    });
  }, [loaded.data]);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const r = await apiPut('/api/connections/{id}/settings', {
        path: { id: connectionId },
        body: {
          reject_calls: form.reject_calls,
          call_reply_text: form.call_reply_text.trim() === '' ? null : form.call_reply_text,
          ignore_groups: form.ignore_groups,
          ignore_broadcasts: form.ignore_broadcasts,
          send_read_receipts: form.send_read_receipts,
          always_online: form.always_online,
          sync_history: form.sync_history,
          send_rate_per_minute: numberOrNull(form.send_rate_per_minute),
          send_burst: numberOrNull(form.send_burst),
        },
      });
      loaded.setData(() => r.settings ?? null);
      setSaved(r.presence_sent === 'no_name'
        ? 'Saved. Online status will apply once WhatsApp has sent this account its name.'
        : 'Saved.');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => (f ? { ...f, [key]: value } : f));

  return (
    <Card title="Settings">
      {loaded.error && !form && <ErrorBox error={loaded.error} onRetry={loaded.reload} />}
      {!form && !loaded.error && <Loading what="Loading settings" />}
      {form && (
        <form onSubmit={save} className="space-y-3" aria-label="Connection settings" data-testid="settings-form">
          <div className="grid gap-2 sm:grid-cols-2">
            {TOGGLES.map((t) => (
              <label key={t.key} className="flex items-start gap-2 text-sm" title={t.hint}>
                <input type="checkbox" className="mt-1" name={t.key} data-testid={`setting-${t.key}`}
                  checked={form[t.key] as boolean} onChange={(e) => set(t.key, e.target.checked as never)} />
                <span><span className="font-medium">{t.label}</span><br /><span className="text-xs text-slate-500">{t.hint}</span></span>
              </label>
            ))}
          </div>
          <Field label="Reply to a rejected call" hint="Sent to the caller when a call is rejected; empty = no reply">
            <input className={inputClass} name="call_reply_text" data-testid="setting-call_reply_text" value={form.call_reply_text}
              onChange={(e) => set('call_reply_text', e.target.value)} />
          </Field>
          <div className="grid gap-2 sm:grid-cols-2">
            <Field label="Sends per minute" hint="0 = no limit; empty = the gateway's setting">
              <input className={inputClass} name="send_rate_per_minute" data-testid="setting-send_rate_per_minute" inputMode="numeric"
                value={form.send_rate_per_minute} onChange={(e) => set('send_rate_per_minute', e.target.value)} />
            </Field>
            <Field label="Burst" hint="sends allowed at once; empty = the gateway's setting">
              <input className={inputClass} name="send_burst" data-testid="setting-send_burst" inputMode="numeric"
                value={form.send_burst} onChange={(e) => set('send_burst', e.target.value)} />
            </Field>
          </div>
          <Button type="submit" variant="primary" disabled={busy} data-testid="settings-save">{busy ? 'Saving…' : 'Save settings'}</Button>
          {error && <ErrorBox error={error} />}
          {saved && <p className="text-sm text-emerald-700" data-testid="settings-saved">{saved}</p>}
        </form>
      )}
    </Card>
  );
}
