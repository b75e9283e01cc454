// Webhook of one connection: URL and events, secret shown once (on save and rotation), a test
// delivery, and the delivery log with redelivery; new deliveries appear live (webhook.delivery).
import { useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router';
import { ApiError, errorText } from '../api/client';
import { apiDelete, apiGet, apiPost, apiPut } from '../api/typed';
import type { WebhookLogPage } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import ConnectionPicker from '../components/ConnectionPicker';
import { Button, Card, Empty, ErrorBox, Field, inputClass, Loading, Notice, PageTitle } from '../components/ui';
import { useApi } from '../hooks/useApi';
import { formatDateTime } from '../lib/format';
import { LOG_STATES, logAfterDelivery, logKey, type WebhookLogRow } from '../lib/webhookLog';
import { useConnectionSubscription, useRealtimeEvent } from '../realtime/RealtimeProvider';

function notAvailable(e: unknown) {
  return e instanceof ApiError && e.status === 404 && e.code !== 'connection_not_found';
}

export default function WebhooksPage() {
  const { id } = useParams();
  return (
    <div className="space-y-4">
      <PageTitle right={<ConnectionPicker base="/webhooks" current={id} />}>Webhooks</PageTitle>
      {id ? <WebhookOf key={id} connectionId={id} /> : <Card><Empty>Choose a connection to manage its webhook.</Empty></Card>}
    </div>
  );
}

function WebhookOf({ connectionId }: { connectionId: string }) {
  const { me } = useAuth();
  const where = { path: { id: connectionId } };
  const loaded = useApi('/api/connections/{id}/webhook', where);
  const hook = loaded.data;
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useConnectionSubscription(connectionId, me?.role === 'admin');

  // the form shows each webhook loaded or saved; without a filter the gateway lists every type,
  // and saving that list back would turn it into a filter, so the field stays empty then
  useEffect(() => {
    if (!hook) return;
    setUrl(hook.url ?? '');
    setEvents(hook.filtered ? hook.events.join(', ') : '');
  }, [hook]);

  async function run(fn: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  function save(e: FormEvent) {
    e.preventDefault();
    const list = events.split(',').map((s) => s.trim()).filter(Boolean);
    void run(async () => {
      const h = await apiPut('/api/connections/{id}/webhook', { ...where, body: list.length ? { url: url.trim(), events: list } : { url: url.trim() } });
      loaded.setData(() => h);
      if (h.secret) setSecret(h.secret);
      setMessage('Webhook saved.');
    });
  }

  if (loaded.loading && !hook) return <Loading what="Loading webhook" />;
  if (notAvailable(loaded.errorObj)) return <Notice>Webhooks are not available on this gateway yet (the webhooks feature is not installed).</Notice>;
  if (loaded.error) return <ErrorBox error={loaded.error} onRetry={() => void loaded.reload()} />;

  return (
    <>
      <Card title="Webhook">
        <form onSubmit={save} className="space-y-3" aria-label="Webhook settings">
          <Field label="URL" hint="Incoming messages and events are POSTed here, signed with the secret (X-Webhook-Signature)">
            <input className={inputClass} type="url" name="webhook_url" value={url} onChange={(e) => setUrl(e.target.value)} required placeholder="https://example.com/hook" />
          </Field>
          <Field label="Events" hint="Comma-separated (message.received, message.sent, message.status, connection.status); empty = every event">
            <input className={inputClass} name="webhook_events" value={events} onChange={(e) => setEvents(e.target.value)} />
          </Field>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" variant="primary" disabled={busy}>Save</Button>
            {hook?.url && <Button disabled={busy} onClick={() => void run(async () => {
              const r = await apiPost('/api/connections/{id}/webhook/rotate-secret', where);
              if (r.secret) setSecret(r.secret);
              setMessage('Secret rotated.');
            })}>Rotate secret</Button>}
            {hook?.url && <Button disabled={busy} onClick={() => void run(async () => {
              const r = await apiPost('/api/connections/{id}/webhook/test', where);
              if (!r.delivered) throw new Error(`Test not delivered: ${r.response_status != null ? `HTTP ${r.response_status}` : r.error ?? 'no answer'}`);
              setMessage(`Test delivered: HTTP ${r.response_status} in ${r.latency_ms} ms.`);
            })}>Send test</Button>}
            {hook?.url && <Button variant="danger" disabled={busy} onClick={() => {
              if (window.confirm('Remove this webhook?')) {
                void run(async () => {
                  await apiDelete('/api/connections/{id}/webhook', where);
                  loaded.setData((old) => old && { ...old, url: null, events: [], filtered: false, secret_set: false });
                  setUrl('');
                  setMessage('Webhook removed.');
                });
              }
            }}>Remove</Button>}
          </div>
        </form>
        {secret && (
          <div className="mt-3 space-y-2">
            <Notice>Signing secret — shown <strong>once</strong>; store it with your receiver.</Notice>
            <div className="flex flex-wrap items-center gap-2">
              <code className="min-w-0 flex-1 break-all rounded bg-slate-100 px-2 py-1 text-sm" data-testid="webhook-secret">{secret}</code>
              <Button onClick={() => void navigator.clipboard?.writeText(secret)}>Copy</Button>
              <Button onClick={() => setSecret(null)}>Done</Button>
            </div>
          </div>
        )}
        <div className="mt-3 space-y-2" aria-live="polite">
          {message && <Notice>{message}</Notice>}
          {error && <ErrorBox error={error} />}
        </div>
      </Card>
      <DeliveryLog connectionId={connectionId} />
    </>
  );
}

/** A page of the log as shown: server rows plus attempts seen live (webhook.delivery). */
type ShownLog = Omit<WebhookLogPage, 'logs'> & { logs: WebhookLogRow[] };

function DeliveryLog({ connectionId }: { connectionId: string }) {
  const [filter, setFilter] = useState('');
  const [olderError, setOlderError] = useState<unknown>(null);
  const query = { status: filter || undefined };
  const log = useApi<'/api/connections/{id}/webhook-logs', ShownLog>('/api/connections/{id}/webhook-logs',
    { path: { id: connectionId }, query });
  const rows = log.data?.logs ?? null;
  const next = log.data?.next_before ?? null;
  const error = olderError ?? log.errorObj;

  useRealtimeEvent('webhook.delivery', connectionId, (row) => {
    log.setData((old) => old && { ...old, logs: logAfterDelivery(old.logs, row, filter) });
  });

  /** The next, older page, appended below what is shown. */
  async function older(before: string) {
    try {
      const page = await apiGet('/api/connections/{id}/webhook-logs', { path: { id: connectionId }, query: { ...query, before } });
      log.setData((old) => old && { ...old, logs: [...old.logs, ...page.logs], next_before: page.next_before });
      setOlderError(null);
    } catch (e) {
      setOlderError(e);
    }
  }

  async function redeliver(eventId: string) {
    try {
      await apiPost('/api/webhook-logs/{event_id}/redeliver', { path: { event_id: eventId } });
      await log.reload();
    } catch (e) {
      setOlderError(e);
    }
  }

  return (
    <Card title="Delivery log" actions={
      <label className="flex items-center gap-2 text-sm">
        <span>State</span>
        <select className={`${inputClass} w-auto`} value={filter} onChange={(e) => setFilter(e.target.value)} name="log_state">
          <option value="">all</option>
          {LOG_STATES.map((st) => <option key={st} value={st}>{st}</option>)}
        </select>
      </label>
    }>
      {notAvailable(error) ? <Notice>The delivery log is not available on this gateway yet.</Notice> : error !== null && <ErrorBox error={errorText(error)} onRetry={() => { setOlderError(null); void log.reload(); }} />}
      {rows === null && error === null && <Loading what="Loading deliveries" />}
      {rows && rows.length === 0 && <Empty>No deliveries yet.</Empty>}
      {rows && rows.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr><th className="py-2 pr-3">Time</th><th className="pr-3">Event</th><th className="pr-3">State</th><th className="pr-3">Attempt</th><th className="pr-3">HTTP</th><th className="pr-3">Latency</th><th className="pr-3">Error</th><th><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r) => (
                <tr key={logKey(r)} data-testid="delivery" data-event-type={r.event_type} data-state={r.state}>
                  <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(r.created_at)}</td>
                  <td className="pr-3">{r.event_type}</td>
                  <td className="pr-3">{r.state}</td>
                  <td className="pr-3" data-testid="delivery-attempt">{r.attempt}</td>
                  <td className="pr-3" data-testid="delivery-http">{r.response_status ?? '—'}</td>
                  <td className="pr-3" data-testid="delivery-latency">{r.latency_ms != null ? `${r.latency_ms} ms` : '—'}</td>
                  <td className="pr-3 max-w-48 truncate" title={r.error ?? ''}>{r.error ?? ''}</td>
                  <td className="text-right"><Button onClick={() => void redeliver(r.event_id)} aria-label={`Redeliver ${r.event_type} ${r.event_id}`}>Redeliver</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && <Button className="mt-2" onClick={() => void older(next)}>Load older</Button>}
    </Card>
  );
}
