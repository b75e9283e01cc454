import { describe, expect, it } from 'vitest';
import { actionsFor, dotClass, humanReason, showsQr, statusLook } from './status';

describe('statusLook', () => {
  it('maps every status to the seed dot colours', () => {
    expect(statusLook('disconnected').color).toBe('gray');
    expect(statusLook('logged_out').color).toBe('gray');
    for (const s of ['qr_ready', 'initializing', 'authenticated', 'reconnecting']) {
      expect(statusLook(s).color).toBe('yellow');
    }
    expect(statusLook('ready')).toEqual({ color: 'green', label: 'Connected & Ready' });
    expect(statusLook('error').color).toBe('red');
  });

  it('labels the QR state as the seed does', () => {
    expect(statusLook('qr_ready').label).toBe('Waiting for QR Scan');
  });

  it('shows the reason of an error', () => {
    expect(statusLook('error', 'replaced')).toEqual({ color: 'red', label: 'Error: opened on another device or tab' });
    expect(statusLook('error', 'some_new_code').label).toBe('Error: some new code');
  });

  it('is gray and honest about unknown or missing statuses', () => {
    expect(statusLook(undefined)).toEqual({ color: 'gray', label: 'Checking…' });
    expect(statusLook('weird')).toEqual({ color: 'gray', label: 'weird' });
  });
});

describe('helpers', () => {
  it('gives a tailwind class per colour', () => {
    expect(dotClass('green')).toContain('emerald');
    expect(dotClass('red')).toContain('red');
    expect(dotClass('yellow')).toContain('amber');
    expect(dotClass('gray')).toContain('slate');
  });

  it('offers connect only when no socket is up', () => {
    expect(actionsFor('disconnected', false)).toEqual({ connect: true, disconnect: false, logout: false });
    expect(actionsFor('ready', true)).toEqual({ connect: false, disconnect: true, logout: true });
    expect(actionsFor('error', true)).toEqual({ connect: true, disconnect: false, logout: true });
    expect(actionsFor('qr_ready', false).disconnect).toBe(true);
  });

  it('shows the QR only while waiting for a scan', () => {
    expect(showsQr('qr_ready')).toBe(true);
    expect(showsQr('ready')).toBe(false);
  });

  it('explains reasons', () => {
    expect(humanReason('qr_timeout')).toMatch(/QR timed out/);
    expect(humanReason(null)).toBe('');
  });
});
