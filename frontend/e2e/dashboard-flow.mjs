// The dashboard in a real browser (Debian chromium through playwright-core), against a running
// gateway in sandbox mode (run by DashboardE2EIntegrationTest). Screenshots of every step go to
// SCREENSHOT_DIR.
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, USER_EMAIL, USER_PASSWORD, SCREENSHOT_DIR, CHROMIUM.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { assert, check, env, finish } from './lib.mjs';

const BASE = env('BASE_URL');
const SHOTS = env('SCREENSHOT_DIR');
const CONN = env('CONN_ID', 'e2e_phone');
mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
let step = 0;
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });

async function login(page, email, password) {
  await page.goto(`${BASE}/dashboard/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'WhatsApp Web' }).waitFor();
}

const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
admin.setDefaultTimeout(10_000);
const page = await admin.newPage();
page.on('dialog', (d) => void d.accept());
const consoleErrors = [];
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

try {
  await check('the login page shows and a wrong password is refused', async () => {
    await page.goto(`${BASE}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in to WA Gateway' }).waitFor();
    await shot(page, 'login');
    await page.getByLabel('Email').fill(env('ADMIN_EMAIL'));
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
  });

  await check('the admin logs in and sees the sidebar like the seed', async () => {
    await login(page, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['WhatsApp Web', 'Chats', 'Webhooks', 'API keys', 'Users']) {
      await nav.getByRole('link', { name }).waitFor();
    }
    await page.locator('[data-testid=live-state][data-state=live]').waitFor({ timeout: 10_000 });
    await page.getByText('No connections yet').waitFor();
    await shot(page, 'connections-empty');
  });

  await check('creating a connection opens its WhatsApp Web tab, disconnected', async () => {
    await page.getByLabel('Connection ID').fill(CONN);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(`**/dashboard/connections/${CONN}`);
    await page.getByRole('heading', { name: 'Connection Status' }).waitFor();
    await page.locator('[data-testid=connection-status] [data-color=gray]').waitFor();
    await page.getByRole('heading', { name: 'Information' }).waitFor();
    await page.getByRole('heading', { name: 'Connection Details' }).waitFor();
    await shot(page, 'connection-created');
  });

  await check('Connect shows the QR with the scan steps', async () => {
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByTestId('qr-image').waitFor({ timeout: 15_000 });
    const src = await page.getByTestId('qr-image').getAttribute('src');
    assert(src?.startsWith('data:image/png;base64,'), `qr src ${src?.slice(0, 40)}`);
    await page.getByText('Scan this code with WhatsApp').waitFor();
    await page.getByText('Settings → Linked Devices').waitFor();
    await page.getByText('Waiting for QR Scan').waitFor();
    await page.locator('[data-testid=connection-status] [data-color=yellow]').waitFor();
    await shot(page, 'qr-showing');
  });

  await check('the QR rotates live', async () => {
    const first = await page.getByTestId('qr-image').getAttribute('data-qr');
    await page.waitForFunction((old) => {
      const img = document.querySelector('[data-testid=qr-image]');
      return img && img.getAttribute('data-qr') && img.getAttribute('data-qr') !== old;
    }, first, { timeout: 10_000 });
  });

  await check('the simulated phone scans: green "Connected & Ready" with the phone', async () => {
    await page.getByLabel('Phone number').fill('923001234567');
    await page.getByRole('button', { name: 'Scan QR with simulated phone' }).click();
    // well under the 10 s re-check: this is the live Socket.IO update
    await page.locator('[data-testid=connection-status] [data-color=green]').waitFor({ timeout: 8_000 });
    await page.getByTestId('connection-status').getByText('Connected & Ready').waitFor();
    await page.getByTestId('connection-phone').getByText('+923001234567').waitFor();
    await page.getByTestId('connection-details').getByText('ready', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disconnect' }).waitFor();
    await shot(page, 'connected-ready');
  });

  await check('the connections list shows a green dot', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'WhatsApp Web' }).click();
    await page.locator(`[data-testid=connection-${CONN}] [data-color=green]`).waitFor();
    await shot(page, 'connections-list');
  });

  await check('API keys: create (shown once), then revoke', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByText('No API keys yet.').waitFor();
    await page.getByLabel('Name').fill('e2e-key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByTestId('created-key-value').textContent();
    assert(key?.startsWith('wag_'), `key ${key}`);
    await page.getByTestId('key-e2e-key').getByTestId('key-state').getByText('Active').waitFor();
    await shot(page, 'api-key-created');
    const res = await fetch(`${BASE}/api/connections`, { headers: { Authorization: `Bearer ${key}` } });
    assert(res.status === 200, `new key works: ${res.status}`);
    await page.getByRole('button', { name: 'Revoke e2e-key' }).click();
    await page.getByTestId('key-e2e-key').getByTestId('key-state').getByText('Revoked').waitFor();
    const after = await fetch(`${BASE}/api/connections`, { headers: { Authorization: `Bearer ${key}` } });
    assert(after.status === 401, `revoked key: ${after.status}`);
    await shot(page, 'api-key-revoked');
  });

  await check('chats and webhooks pages load (or say the feature is not installed yet)', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chats' }).click();
    await page.getByText('Choose a connection to see its chats.').waitFor();
    await page.getByLabel('Connection').selectOption(CONN);
    await page.waitForURL(`**/dashboard/chats/${CONN}`);
    await page.locator('text=/Conversations|not available on this gateway yet/').first().waitFor();
    await shot(page, 'chats');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('Connection').selectOption(CONN);
    await page.locator('text=/Delivery log|not available on this gateway yet/').first().waitFor();
    await shot(page, 'webhooks');
  });

  await check('a client route survives a reload (SPA fallback)', async () => {
    await page.goto(`${BASE}/dashboard/connections/${CONN}`);
    await page.getByTestId('connection-status').getByText('Connected & Ready').waitFor();
  });

  await check('another user sees none of the admin\'s connections (phone width)', async () => {
    const other = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    other.setDefaultTimeout(10_000);
    const p2 = await other.newPage();
    try {
      await p2.goto(`${BASE}/dashboard/`);
      await p2.getByLabel('Email').fill(env('USER_EMAIL'));
      await p2.getByLabel('Password').fill(env('USER_PASSWORD'));
      await p2.getByRole('button', { name: 'Sign in' }).click();
      await p2.getByText('No connections yet').waitFor();
      assert(await p2.getByText(CONN).count() === 0, 'the other user sees the admin connection');
      await shot(p2, 'other-user-phone');
      await p2.getByRole('button', { name: 'Menu' }).click();
      const nav = p2.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'API keys' }).waitFor();
      assert(await nav.getByRole('link', { name: 'Users' }).count() === 0, 'a user sees the Users page link');
      await shot(p2, 'other-user-menu');
      await p2.goto(`${BASE}/dashboard/connections/${CONN}`);
      await p2.getByText(`There is no connection "${CONN}".`).waitFor();
      await shot(p2, 'other-user-foreign-connection');
    } finally {
      await other.close();
    }
  });

  await check('logout returns to the login page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to WA Gateway' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    assert(me === 401, `me after logout: ${me}`);
  });

  await check('nothing secret is kept in web storage', async () => {
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert(stored === '{}{}', `storage: ${stored}`);
    const unexpected = consoleErrors.filter((t) => !/401|404|403|Failed to load resource/.test(t));
    assert(unexpected.length === 0, `console errors: ${unexpected.join(' | ')}`);
  });
} finally {
  await browser.close();
}
finish();
