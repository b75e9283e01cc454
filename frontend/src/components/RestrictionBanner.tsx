// A banner on a connection while WhatsApp restricts its account (the status' `restricted`):
// the reason, until when, and what still works. Renders nothing when the account is free.
import type { Connection } from '../api/types';
import { RESTRICTION_EFFECT, restrictionTitle, restrictionUntil } from '../lib/restriction';

export default function RestrictionBanner({ restricted }: { restricted: Connection['restricted'] | undefined }) {
  if (!restricted) return null;
  return (
    <div role="alert" data-testid="restriction-banner" className="rounded-lg border border-orange-300 bg-orange-50 p-3 text-sm text-orange-900">
      <p className="font-semibold">{restrictionTitle(restricted.reason)}</p>
      <p data-testid="restriction-until">{restrictionUntil(restricted)}{restricted.detail ? ` (${restricted.detail})` : ''}</p>
      <p>{RESTRICTION_EFFECT}</p>
    </div>
  );
}
