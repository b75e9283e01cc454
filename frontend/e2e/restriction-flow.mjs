// The account-restriction banner in a real browser (Debian chromium through playwright-core),
// against a running gateway in sandbox mode (run by RestrictionDashboardE2EIntegrationTest):
// a linked connection's page shows no banner; WhatsApp (the emulator) restricts the account and
// the banner appears live with the reason and the end time; the lift removes it.
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_API_KEY, SCREENSHOT_DIR, CHROMIUM, CONN_ID, PHONE.
import { assert, call, check, env, finish, openPage, signIn, waitFor } from './lib.mjs';

const BASE = env('BASE_URL');
const KEY = env('ADMIN_API_KEY');
const CONN = env('CONN_ID', 'e2e_restricted');
const PHONE = env('PHONE', '923007771111');

const { browser, page, shot, consoleErrors } = await openPage({ prefix: 'restriction', viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 });

try {
  await check('a linked connection shows no restriction banner', async () => {
    await call(BASE, KEY, 'GET', `/api/get-qr/${CONN}`);
    await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/scan`, { phone: PHONE });
    await waitFor('ready', async () => (await call(BASE, KEY, 'GET', `/api/whatsapp-web/status/${CONN}`)).status === 'ready', 40_000);
    await signIn(page, BASE, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
    await page.goto(`${BASE}/dashboard/connections/${CONN}`);
    await page.locator('[data-testid=connection-status] [data-status=ready]').waitFor();
    assert(await page.getByTestId('restriction-banner').count() === 0, 'no banner before any restriction');
  });

  await check('WhatsApp restricts the account: the banner appears with the reason and the end time', async () => {
    const until = new Date(Date.now() + 3 * 3600_000);
    until.setUTCMilliseconds(0);
    await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/restrict`, { kind: 'reachout_timelock', until: until.toISOString(), enforcement_type: 'BIZ_QUALITY' });
    const banner = page.getByTestId('restriction-banner');
    await banner.waitFor({ timeout: 30_000 });
    const text = (await banner.textContent()) ?? '';
    assert(text.includes('reach-out time lock'), `banner says why: ${text}`);
    assert(text.includes('BIZ_QUALITY'), `banner carries WhatsApp's enforcement type: ${text}`);
    assert(text.includes('new contacts are refused'), `banner says what still works: ${text}`);
    const shown = (await page.getByTestId('restriction-until').textContent()) ?? '';
    assert(shown.startsWith('Until ') && shown.includes(String(until.getFullYear())), `banner says until when: ${shown}`);
    await shot(page, 'restricted');
  });

  await check('the restriction is lifted: the banner goes away', async () => {
    await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/lift`, { kind: 'reachout_timelock' });
    await page.getByTestId('restriction-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await shot(page, 'lifted');
    assert(consoleErrors.filter((e) => !/4\d\d/.test(e)).length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  });
} finally {
  await browser.close();
}
finish();
