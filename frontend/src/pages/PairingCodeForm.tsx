// "Link with phone number instead": asks the gateway for a pairing code for a phone number and
// shows it to type on the phone (WhatsApp → Linked devices → Link a device → Link with phone
// number instead). The connection then goes through the same states as with a QR.
import { useState, type FormEvent } from 'react';
import { errorText } from '../api/client';
import { apiPost } from '../api/typed';
import { Button, ErrorBox, Field, inputClass } from '../components/ui';
import { formatDateTime } from '../lib/format';

export interface IssuedCode {
  code: string;
  phone: string;
  expires_at: string;
}

export default function PairingCodeForm({ connectionId, onIssued }: { connectionId: string; onIssued?: (c: IssuedCode) => void }) {
  const [phone, setPhone] = useState('');
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function ask(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await apiPost('/api/connections/{id}/pairing-code', { path: { id: connectionId }, body: { phone } });
      const next = { code: String(r.code ?? ''), phone: String(r.phone ?? ''), expires_at: String(r.expires_at ?? '') };
      setIssued(next);
      onIssued?.(next);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="w-full space-y-3 text-left" data-testid="pairing-code-form">
      <form onSubmit={ask} className="space-y-2" aria-label="Link with phone number">
        <Field label="Phone number (with country code)" hint="e.g. 923001234567 or +92 300 1234567">
          <input className={inputClass} name="pairing_phone" inputMode="tel" value={phone} onChange={(e) => setPhone(e.target.value)} required />
        </Field>
        <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Asking WhatsApp…' : issued ? 'Get a new code' : 'Get pairing code'}</Button>
      </form>
      {error && <ErrorBox error={error} />}
      {issued && (
        <div className="rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-center">
          <p className="text-sm text-slate-600">Type this code on the phone {issued.phone}:</p>
          <p className="my-2 font-mono text-3xl font-semibold tracking-widest" data-testid="pairing-code">{issued.code}</p>
          <ol className="list-decimal space-y-1 pl-5 text-left text-sm text-slate-600">
            <li>Open WhatsApp → <strong>Settings → Linked Devices → Link a Device</strong></li>
            <li>Tap <strong>Link with phone number instead</strong> and type the code</li>
          </ol>
          <p className="mt-2 text-xs text-slate-500">Valid until {formatDateTime(issued.expires_at)}.</p>
        </div>
      )}
    </div>
  );
}
