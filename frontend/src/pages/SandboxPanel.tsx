// Sandbox only: a simulated phone that scans the QR and sends messages as a contact.
import { useState, type FormEvent } from 'react';
import { errorText, isMissingEndpoint } from '../api/client';
import { apiPost } from '../api/typed';
import type { ConnectionStatus } from '../api/types';
import { Button, Card, ErrorBox, Field, inputClass, Notice } from '../components/ui';

export default function SandboxPanel({ connectionId, status }: { connectionId: string; status: ConnectionStatus }) {
  const [phone, setPhone] = useState('923001234567');
  const [name, setName] = useState('Sandbox Phone');
  const [from, setFrom] = useState('923001112233');
  const [text, setText] = useState('hi');
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState('');

  async function run(fn: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    setMsg(null);
    try {
      await fn();
      setMsg(done);
    } catch (e) {
      setError(isMissingEndpoint(e) ? 'This gateway does not have that sandbox action yet.' : errorText(e));
    } finally {
      setBusy(false);
    }
  }

  function scan(e: FormEvent) {
    e.preventDefault();
    void run(() => apiPost('/api/sandbox/{connection_id}/scan', { path: { connection_id: connectionId }, body: { phone, name: name || null } }), 'QR scanned by the simulated phone.');
  }

  function pair(e: FormEvent) {
    e.preventDefault();
    void run(() => apiPost('/api/sandbox/{connection_id}/pair', { path: { connection_id: connectionId }, body: { code } }), 'The simulated phone entered the pairing code.');
  }

  function inbound(e: FormEvent) {
    e.preventDefault();
    void run(() => apiPost('/api/sandbox/{connection_id}/inbound', { path: { connection_id: connectionId }, body: { from, message: text, reply_to_provider_message_id: null, type: 'text' } }),
      'Message sent from the simulated contact.');
  }

  return (
    <Card title="Simulated phone (sandbox)">
      <div className="grid gap-6 md:grid-cols-2">
        <form onSubmit={scan} className="space-y-3" aria-label="Scan the QR with the simulated phone">
          <h3 className="text-sm font-semibold">Scan the QR</h3>
          <Field label="Phone number"><input className={inputClass} name="sandbox_phone" value={phone} onChange={(e) => setPhone(e.target.value)} required /></Field>
          <Field label="Name"><input className={inputClass} name="sandbox_name" value={name} onChange={(e) => setName(e.target.value)} /></Field>
          <Button type="submit" variant="primary" disabled={busy || status !== 'qr_ready'}>Scan QR with simulated phone</Button>
          {status !== 'qr_ready' && <p className="text-xs text-slate-500">Available while a QR is showing (click Connect).</p>}
        </form>
        <form onSubmit={pair} className="space-y-3" aria-label="Enter the pairing code on the simulated phone">
          <h3 className="text-sm font-semibold">Or type a pairing code</h3>
          <Field label="Pairing code" hint="the phone it was asked for types it"><input className={inputClass} name="sandbox_code" value={code} onChange={(e) => setCode(e.target.value)} required /></Field>
          <Button type="submit" disabled={busy || status !== 'qr_ready'}>Enter code on simulated phone</Button>
        </form>
        <form onSubmit={inbound} className="space-y-3" aria-label="Send a message as a contact">
          <h3 className="text-sm font-semibold">Send a message as a contact</h3>
          <Field label="From (contact number)"><input className={inputClass} name="sandbox_from" value={from} onChange={(e) => setFrom(e.target.value)} required /></Field>
          <Field label="Message"><input className={inputClass} name="sandbox_message" value={text} onChange={(e) => setText(e.target.value)} required /></Field>
          <Button type="submit" disabled={busy || status !== 'ready'}>Send to this connection</Button>
        </form>
      </div>
      <div className="mt-3 space-y-2" aria-live="polite">
        {msg && <Notice>{msg}</Notice>}
        {error && <ErrorBox error={error} />}
      </div>
    </Card>
  );
}
