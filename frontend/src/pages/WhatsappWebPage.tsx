// The WhatsApp Web tab of one connection, as the connection-flow seed draws it: Connection Status
// card with Connect / Disconnect / Refresh Status / Logout, the QR section while waiting for a
// scan, an Information card and Connection Details. Live through Socket.IO, re-checked every 10 s.
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, errorText } from '../api/client';
import { apiPost } from '../api/typed';
import type { Connection } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Button, Card, ErrorBox, Loading, PageTitle, StatusDot } from '../components/ui';
import { useApi } from '../hooks/useApi';
import { formatDateTime, formatPhone } from '../lib/format';
import { actionsFor, humanReason, showsQr } from '../lib/status';
import { useConnectionSubscription, useRealtimeEvent } from '../realtime/RealtimeProvider';
import RestrictionBanner from '../components/RestrictionBanner';
import PairingCodeForm from './PairingCodeForm';
import SandboxPanel from './SandboxPanel';
import SettingsPanel from './SettingsPanel';

export default function WhatsappWebPage() {
  const { id = '' } = useParams();
  const { me, info } = useAuth();
  const status = useApi('/api/whatsapp-web/status/{id}', { path: { id } }, { everyMs: 10_000 });
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [withPhone, setWithPhone] = useState(false);
  const c = status.data;

  useConnectionSubscription(id, me?.role === 'admin');
  useRealtimeEvent('connection.status', id, (next) => status.setData(() => next));

  // The QR comes with connection.qr events; it is fetched too while the status says a QR is
  // showing, again whenever the status names a new one (a missed event, or polling only).
  const qrLoad = useApi(showsQr(c?.status) ? '/api/whatsapp-web/qr/{id}' : null, { path: { id } }, { key: c?.qr_expires_at });
  const qr = qrLoad.data;
  useRealtimeEvent('connection.qr', id, (next) => qrLoad.setData(() => next));

  const act = useCallback(async (name: string, fn: () => Promise<Connection>) => {
    setBusy(name);
    setActionError(null);
    try {
      const next = await fn();
      status.setData(() => next);
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      setBusy(null);
    }
  }, [status]);

  if (status.loading && !c) return <Loading what="Checking status" />;
  if (!c) {
    const notFound = status.errorObj instanceof ApiError && status.errorObj.status === 404;
    return (
      <div className="space-y-4">
        <PageTitle>WhatsApp Web</PageTitle>
        <ErrorBox error={notFound ? `There is no connection "${id}".` : status.error ?? 'Could not load the status.'} onRetry={notFound ? undefined : () => void status.reload()} />
        <Link className="text-sm text-emerald-700 underline" to="/connections">Back to connections</Link>
      </div>
    );
  }

  const can = actionsFor(c.status, c.has_session);
  const qrShowing = showsQr(c.status) && qr?.qr_image;
  const linked = c.has_session || c.status === 'authenticated' || c.status === 'ready';

  return (
    <div className="space-y-4">
      <PageTitle right={<Link className="text-sm text-emerald-700 underline" to="/connections">All connections</Link>}>
        WhatsApp Web · {c.connection_id}
      </PageTitle>
      {status.error && <ErrorBox error={`Status check failed: ${status.error}`} />}
      <RestrictionBanner restricted={c.restricted} />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Connection Status">
          <div className="space-y-2" aria-live="polite">
            <div className="text-lg font-medium" data-testid="connection-status"><StatusDot status={c.status} reason={c.reason} /></div>
            {c.reason && c.status !== 'error' && c.status !== 'ready' && <p className="text-sm text-slate-600">{humanReason(c.reason)}</p>}
            {c.status === 'reconnecting' && (
              <p className="text-sm text-slate-600">Attempt {c.reconnect_attempt}{c.next_retry_at ? `, next try ${formatDateTime(c.next_retry_at)}` : ''}</p>
            )}
            <p className="text-sm" data-testid="connection-phone">Phone: {formatPhone(c.phone)}</p>
            <p className="text-sm">Connected: {formatDateTime(c.connected_at)}</p>
          </div>
          <div className="mt-4 flex flex-wrap gap-2">
            {can.connect && (
              <Button variant="primary" disabled={busy !== null} onClick={() => void act('connect', () => apiPost('/api/whatsapp-web/connect', { body: { connection_id: id } }))}>
                {busy === 'connect' ? 'Connecting…' : 'Connect'}
              </Button>
            )}
            {can.disconnect && (
              <Button disabled={busy !== null} onClick={() => void act('disconnect', () => apiPost('/api/whatsapp-web/disconnect', { body: { connection_id: id } }))}>
                {busy === 'disconnect' ? 'Disconnecting…' : 'Disconnect'}
              </Button>
            )}
            <Button disabled={busy !== null} onClick={() => void status.reload()}>Refresh Status</Button>
            {can.logout && (
              <Button variant="danger" disabled={busy !== null} onClick={() => {
                if (window.confirm('Log out unlinks this device from WhatsApp; you will need to scan a QR again. Continue?')) {
                  void act('logout', () => apiPost('/api/connections/{id}/logout', { path: { id } }));
                }
              }}>
                {busy === 'logout' ? 'Logging out…' : 'Logout'}
              </Button>
            )}
          </div>
          {actionError && <div className="mt-3"><ErrorBox error={actionError} /></div>}
        </Card>

        {withPhone && !linked ? (
          // one place for the form whatever the status, so the code stays shown while it links
          <Card title="Link with phone number">
            <div className="flex flex-col items-center gap-3">
              <PairingCodeForm connectionId={id} />
              <button type="button" className="text-sm text-emerald-700 underline" onClick={() => setWithPhone(false)}>Scan a QR code instead</button>
            </div>
          </Card>
        ) : showsQr(c.status) ? (
          <Card title="Scan QR Code">
            <div className="flex flex-col items-center gap-3 text-center" data-testid="qr-section">
              {qrShowing ? (
                <img src={qr!.qr_image!} alt="WhatsApp QR code to scan" className="h-64 w-64 rounded border border-slate-200 bg-white p-2" data-testid="qr-image" data-qr={qr!.qr ?? ''} />
              ) : (
                <Loading what="Waiting for the QR" />
              )}
              <p className="font-medium">Scan this code with WhatsApp</p>
              <ol className="list-decimal space-y-1 pl-5 text-left text-sm text-slate-600">
                <li>Open WhatsApp on your phone</li>
                <li>Go to <strong>Settings → Linked Devices</strong></li>
                <li>Tap <strong>Link a Device</strong> and point the camera at this code</li>
              </ol>
              {qr?.qr_expires_at && <p className="text-xs text-slate-500">The code refreshes by itself; this one expires {formatDateTime(qr.qr_expires_at)}.</p>}
              <button type="button" className="text-sm text-emerald-700 underline" data-testid="link-with-phone" onClick={() => setWithPhone(true)}>Link with phone number instead</button>
            </div>
          </Card>
        ) : (
          <Card title="Information">
            <ul className="list-disc space-y-1 pl-5 text-sm text-slate-600">
              <li>Click <strong>Connect</strong> to get a QR code, then scan it from WhatsApp → Settings → Linked Devices → Link a Device.</li>
              <li>The session is saved on the server: after a restart the connection comes back without a new scan.</li>
              <li><strong>Disconnect</strong> keeps the session; <strong>Logout</strong> unlinks the device.</li>
              <li>Status updates live; it is also re-checked every 10 seconds.</li>
            </ul>
            {can.connect && !c.has_session && (
              <button type="button" className="mt-3 text-sm text-emerald-700 underline" data-testid="link-with-phone" onClick={() => setWithPhone(true)}>Link with phone number instead</button>
            )}
          </Card>
        )}
      </div>

      <Card title="Connection Details">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="connection-details">
          <dt className="text-slate-500">Connection ID</dt><dd className="break-all">{c.connection_id}</dd>
          <dt className="text-slate-500">Phone</dt><dd>{formatPhone(c.phone)}</dd>
          <dt className="text-slate-500">Status</dt><dd>{c.status}</dd>
          <dt className="text-slate-500">Connected</dt><dd>{formatDateTime(c.connected_at)}</dd>
          {c.push_name && (<><dt className="text-slate-500">Name</dt><dd>{c.push_name}</dd></>)}
        </dl>
      </Card>

      <SettingsPanel connectionId={id} />

      {info?.engine_mode === 'sandbox' && <SandboxPanel connectionId={id} status={c.status} />}
    </div>
  );
}
