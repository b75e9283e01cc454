// How a connection status is shown: dot colour, label, and which buttons make sense.
// Pure, so it is unit-tested (status.test.ts).
import type { ConnectionStatus } from '../api/types';

export type DotColor = 'gray' | 'yellow' | 'green' | 'red';

export interface StatusLook {
  color: DotColor;
  label: string;
}

const LOOKS: Record<ConnectionStatus, StatusLook> = {
  disconnected: { color: 'gray', label: 'Disconnected' },
  logged_out: { color: 'gray', label: 'Logged out' },
  initializing: { color: 'yellow', label: 'Initializing…' },
  qr_ready: { color: 'yellow', label: 'Waiting for QR Scan' },
  authenticated: { color: 'yellow', label: 'Authenticated, loading…' },
  reconnecting: { color: 'yellow', label: 'Reconnecting…' },
  ready: { color: 'green', label: 'Connected & Ready' },
  error: { color: 'red', label: 'Error' },
};

/** The seed's dots: gray stopped, yellow on its way, green ready, red error (with the reason). */
export function statusLook(status: string | null | undefined, reason?: string | null): StatusLook {
  const look = LOOKS[status as ConnectionStatus];
  if (!look) {
    return { color: 'gray', label: status ? String(status) : 'Checking…' };
  }
  if (status === 'error' && reason) {
    return { color: 'red', label: `Error: ${humanReason(reason)}` };
  }
  return look;
}

/** Readable text for a stored reason code (`qr_timeout` → `QR timed out`). */
export function humanReason(reason: string | null | undefined): string {
  if (!reason) return '';
  const known: Record<string, string> = {
    qr_timeout: 'QR timed out — click Connect to get a new one',
    user_disconnect: 'disconnected by you',
    user_logout: 'logged out by you',
    replaced: 'opened on another device or tab',
    forbidden: 'WhatsApp refused this account',
    logged_out: 'logged out from the phone',
    server_restart: 'server restarted before the QR was scanned',
    engine_restart: 'engine restarting',
    engine_unavailable: 'engine unavailable',
    restart_required: 'restarting after pairing',
  };
  return known[reason] ?? reason.replace(/_/g, ' ');
}

/** Tailwind classes of a dot colour. */
export function dotClass(color: DotColor): string {
  switch (color) {
    case 'green':
      return 'bg-emerald-500';
    case 'yellow':
      return 'bg-amber-400';
    case 'red':
      return 'bg-red-500';
    default:
      return 'bg-slate-400';
  }
}

/** Which of Connect / Disconnect / Logout apply to a status. */
export function actionsFor(status: ConnectionStatus | undefined, hasSession: boolean) {
  const active = status === 'initializing' || status === 'qr_ready' || status === 'authenticated'
    || status === 'ready' || status === 'reconnecting';
  return {
    connect: !active,
    disconnect: active,
    logout: active || hasSession,
  };
}

/** True when a QR should be on screen. */
export function showsQr(status: ConnectionStatus | undefined): boolean {
  return status === 'qr_ready';
}
