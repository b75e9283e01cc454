// Words for an account restriction WhatsApp signalled (the status' `restricted`): what it is,
// until when, and what still works, for the banner on a connection (RestrictionBanner).
import type { Connection } from '../api/types';
import { formatDateTime } from './format';

export type Restriction = NonNullable<Connection['restricted']>;

const REASONS: Record<string, string> = {
  reachout_timelock: 'WhatsApp has temporarily restricted this account from starting new chats (reach-out time lock).',
  message_capping: 'This account has reached WhatsApp\'s limit of new chats for now (message capping).',
};

/** The banner's headline for a restriction reason (an unknown reason is named as it is). */
export function restrictionTitle(reason: string): string {
  return REASONS[reason] ?? `WhatsApp has restricted this account (${reason}).`;
}

/** When it ends, as a person reads it. */
export function restrictionUntil(r: Restriction): string {
  return r.until ? `Until ${formatDateTime(r.until)}.` : 'WhatsApp gave no end time.';
}

/** What the gateway does meanwhile (matches the send API: 409 restricted_new_contact). */
export const RESTRICTION_EFFECT =
  'Messages to contacts this account already chatted with still go; messages to new contacts are refused instead of retried.';
