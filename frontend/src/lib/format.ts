// Display formats: dates as the seed shows them ("Nov 15, 2025 2:30 PM"), phones with a +.

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString('en-US', { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' })
    : d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
}

export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '—';
  return /^[0-9]+$/.test(phone) ? `+${phone}` : phone;
}

/** A random id for client_message_id (crypto when available). */
export function randomId(prefix = 'dash'): string {
  const c = globalThis.crypto;
  const part = c?.randomUUID ? c.randomUUID() : Math.random().toString(36).slice(2) + Date.now().toString(36);
  return `${prefix}-${part}`;
}
