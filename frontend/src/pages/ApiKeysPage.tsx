// API keys of the logged-in user: create (the key is shown once, with a copy button), list, revoke.
import { useState, type FormEvent } from 'react';
import { errorText } from '../api/client';
import { apiDelete, apiPost } from '../api/typed';
import type { ApiKey, CreatedKey } from '../api/types';
import { Button, Card, Empty, ErrorBox, Field, inputClass, Loading, Notice, PageTitle } from '../components/ui';
import { useApi } from '../hooks/useApi';
import { formatDateTime } from '../lib/format';

export default function ApiKeysPage() {
  const keys = useApi('/api/api-keys', {});
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      setCreated(await apiPost('/api/api-keys', { body: { name: name.trim() } }));
      setName('');
      await keys.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(k: ApiKey) {
    if (!window.confirm(`Revoke "${k.name}"? Programs using it stop working at once.`)) return;
    setError(null);
    try {
      await apiDelete('/api/api-keys/{id}', { path: { id: k.id } });
      if (created?.id === k.id) setCreated(null);
      await keys.reload();
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      setCopied(false);
      setError('Copy failed; select the key and copy it by hand.');
    }
  }

  return (
    <div className="space-y-4">
      <PageTitle>API keys</PageTitle>
      <Card title="New key">
        <form onSubmit={create} className="flex flex-wrap items-end gap-3" aria-label="New API key">
          <div className="min-w-48 flex-1">
            <Field label="Name"><input className={inputClass} name="key_name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="crm" /></Field>
          </div>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Creating…' : 'Create key'}</Button>
        </form>
        {created && (
          <div className="mt-4 space-y-2" data-testid="created-key">
            <Notice>Copy this key now: it is shown <strong>once</strong> and cannot be recovered.</Notice>
            <div className="flex flex-wrap items-center gap-2">
              <code className="min-w-0 flex-1 break-all rounded bg-slate-100 px-2 py-1 text-sm" data-testid="created-key-value">{created.key}</code>
              <Button onClick={() => void copy()}>{copied ? 'Copied' : 'Copy'}</Button>
              <Button onClick={() => setCreated(null)}>Done</Button>
            </div>
          </div>
        )}
      </Card>
      {error && <ErrorBox error={error} />}
      <Card title="Your keys">
        {keys.loading && !keys.data && <Loading what="Loading keys" />}
        {keys.error && <ErrorBox error={keys.error} onRetry={() => void keys.reload()} />}
        {keys.data && keys.data.length === 0 && <Empty>No API keys yet.</Empty>}
        {keys.data && keys.data.length > 0 && (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase text-slate-500">
                <tr><th className="py-2 pr-3">Name</th><th className="pr-3">Prefix</th><th className="pr-3">Created</th><th className="pr-3">Last used</th><th className="pr-3">State</th><th><span className="sr-only">Actions</span></th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {keys.data.map((k) => (
                  <tr key={k.id} data-testid={`key-${k.name}`}>
                    <td className="py-2 pr-3 font-medium">{k.name}</td>
                    <td className="pr-3"><code>{k.prefix}…</code></td>
                    <td className="pr-3">{formatDateTime(k.created_at)}</td>
                    <td className="pr-3">{formatDateTime(k.last_used_at)}</td>
                    <td className="pr-3" data-testid="key-state">{k.revoked_at ? 'Revoked' : 'Active'}</td>
                    <td className="text-right">{!k.revoked_at && <Button variant="danger" onClick={() => void revoke(k)} aria-label={`Revoke ${k.name}`}>Revoke</Button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
