import { describe, expect, it } from 'vitest';
import { RESTRICTION_EFFECT, restrictionTitle, restrictionUntil } from './restriction';

describe('restriction words', () => {
  it('names each reason WhatsApp signals, and an unknown one as it is', () => {
    expect(restrictionTitle('reachout_timelock')).toContain('reach-out time lock');
    expect(restrictionTitle('message_capping')).toContain('message capping');
    expect(restrictionTitle('something_new')).toContain('something_new');
  });

  it('says until when, or that no end was given', () => {
    const base = { reason: 'reachout_timelock', since: '2026-12-01T10:00:00Z', detail: null };
    expect(restrictionUntil({ ...base, until: null })).toBe('WhatsApp gave no end time.');
    expect(restrictionUntil({ ...base, until: '2026-12-01T18:00:00Z' })).toMatch(/^Until .+\.$/);
    expect(RESTRICTION_EFFECT).toContain('new contacts are refused');
  });
});
