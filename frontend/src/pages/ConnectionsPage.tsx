// "WhatsApp Web": the caller's connections with live status dots, and a form to create one.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { errorText } from '../api/client';
import { apiPost } from '../api/typed';
import { Button, Card, Empty, ErrorBox, Field, inputClass, Loading, Notice, PageTitle, StatusDot } from '../components/ui';
import { useApi } from '../hooks/useApi';
import { formatDateTime, formatPhone } from '../lib/format';
import { useRealtimeEvent } from '../realtime/RealtimeProvider';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export default function ConnectionsPage() {
  const list = useApi('/api/connections', {}, { everyMs: 10_000 });
  useRealtimeEvent('connection.status', null, (c) =>
    list.setData((old) => {
      if (!old) return old;
      const i = old.findIndex((x) => x.connection_id === c.connection_id);
      if (i < 0) return [...old, c];
      const next = [...old];
      next[i] = c;
      return next;
    }));

  return (
    <div className="space-y-4">
      <PageTitle>WhatsApp Web</PageTitle>
      <CreateConnection onCreated={() => void list.reload()} />
      <Card title="Connections">
        {list.loading && !list.data && <Loading what="Loading connections" />}
        {list.error && <ErrorBox error={list.error} onRetry={() => void list.reload()} />}
        {list.data && list.data.length === 0 && <Empty>No connections yet. Create one above to link a WhatsApp account.</Empty>}
        {list.data && list.data.length > 0 && (
          <ul className="divide-y divide-slate-100" aria-label="Connections">
            {list.data.map((c) => (
              <li key={c.connection_id} data-testid={`connection-${c.connection_id}`}>
                <Link to={`/connections/${encodeURIComponent(c.connection_id)}`} className="flex flex-wrap items-center justify-between gap-2 rounded-lg px-2 py-3 hover:bg-slate-50">
                  <span className="min-w-0">
                    <span className="block truncate font-medium">{c.connection_id}</span>
                    <span className="block text-xs text-slate-500">{formatPhone(c.phone)} · since {formatDateTime(c.connected_at ?? c.created_at)}</span>
                  </span>
                  <span className="text-sm"><StatusDot status={c.status} reason={c.reason} /></span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

/**
 * The create form. With a webhook URL the connection and its webhook are made in one request (a
 * bad URL creates nothing) and the signing secret, answered this once, is shown before moving on.
 */
function CreateConnection({ onCreated }: { onCreated: () => void }) {
  const nav = useNavigate();
  const [id, setId] = useState('');
  const [webhook, setWebhook] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<{ id: string; secret: string } | null>(null);
  const valid = ID_PATTERN.test(id);
  const open = (cid: string) => nav(`/connections/${encodeURIComponent(cid)}`);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!valid) {
      setError('Use 1 to 64 letters, digits, _ or -.');
      return;
    }
    setBusy(true);
    setError(null);
    setMade(null);
    try {
      const url = webhook.trim();
      const res = await apiPost('/api/connections', { body: url ? { connection_id: id, webhook_url: url } : { connection_id: id } });
      onCreated();
      if (res.webhook_secret) {
        setMade({ id, secret: res.webhook_secret });
        setId('');
        setWebhook('');
      } else {
        open(id);
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="New connection">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end" aria-label="New connection">
        <Field label="Connection ID" hint="Letters, digits, _ and -, up to 64">
          <input className={inputClass} name="connection_id" value={id} onChange={(e) => setId(e.target.value)} required maxLength={64}
            aria-invalid={id !== '' && !valid} pattern="[A-Za-z0-9_\-]{1,64}" placeholder="sales_team" />
        </Field>
        <Field label="Webhook URL (optional)" hint="Incoming messages are POSTed here">
          <input className={inputClass} name="webhook_url" type="url" value={webhook} onChange={(e) => setWebhook(e.target.value)} placeholder="https://example.com/hook" />
        </Field>
        <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Creating…' : 'Create'}</Button>
      </form>
      {error && <div className="mt-3"><ErrorBox error={error} /></div>}
      {made && (
        <div className="mt-3 space-y-2" data-testid="created-webhook">
          <Notice>Connection <strong>{made.id}</strong> created with its webhook. Signing secret — shown <strong>once</strong>; store it with your receiver.</Notice>
          <div className="flex flex-wrap items-center gap-2">
            <code className="min-w-0 flex-1 break-all rounded bg-slate-100 px-2 py-1 text-sm" data-testid="created-webhook-secret">{made.secret}</code>
            <Button onClick={() => void navigator.clipboard?.writeText(made.secret)}>Copy</Button>
            <Button variant="primary" onClick={() => open(made.id)}>Open connection</Button>
          </div>
        </div>
      )}
    </Card>
  );
}
