// Linking with a pairing code in a real browser (Debian chromium through playwright-core),
// against a running gateway in sandbox mode (run by PairingCodeDashboardE2EIntegrationTest):
// "Link with phone number instead", the code shown, the simulated phone typing it (a wrong code
// first, refused on the page), the connection reaching ready. Screenshots go to SCREENSHOT_DIR.
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_API_KEY, SCREENSHOT_DIR, CHROMIUM, CONN_ID, PHONE.
import { assert, call, check, env, finish, openPage, signIn } from './lib.mjs';

const BASE = env('BASE_URL');
const CONN = env('CONN_ID', 'e2e_code');
const PHONE = env('PHONE', '923007770000');

const { browser, page, shot, consoleErrors } = await openPage({ prefix: 'pairing', viewport: { width: 1280, height: 900 }, timeoutMs: 15_000 });

try {
  await call(BASE, env('ADMIN_API_KEY'), 'POST', '/api/connections', { connection_id: CONN });

  await check('the admin opens the connection and chooses "Link with phone number instead"', async () => {
    await signIn(page, BASE, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
    await page.goto(`${BASE}/dashboard/connections/${CONN}`);
    await page.locator('[data-testid=connection-status] [data-status=disconnected]').waitFor();
    await page.getByTestId('link-with-phone').click();
    await page.getByTestId('pairing-code-form').waitFor();
    await shot(page, 'form');
  });

  await check('a number that is not a phone number is refused on the page', async () => {
    await page.getByLabel('Phone number (with country code)').fill('0300');
    await page.getByRole('button', { name: 'Get pairing code' }).click();
    await page.getByRole('alert').filter({ hasText: 'international format' }).waitFor();
  });

  let code = '';
  await check('the pairing code appears for the phone number, and the connection waits for it', async () => {
    await page.getByLabel('Phone number (with country code)').fill(`+${PHONE}`);
    await page.getByRole('button', { name: 'Get pairing code' }).click();
    const shown = page.getByTestId('pairing-code');
    await shown.waitFor({ timeout: 40_000 });
    code = (await shown.textContent())?.trim() ?? '';
    assert(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(code), `code shown: ${code}`);
    await page.locator('[data-testid=connection-status] [data-status=qr_ready]').waitFor();
    await shot(page, 'code');
  });

  await check('the simulated phone types a wrong code: refused, visible on the page', async () => {
    const wrong = (code[0] === 'A' ? 'B' : 'A') + code.slice(1);
    await page.locator('input[name=sandbox_code]').fill(wrong);
    await page.getByRole('button', { name: 'Enter code on simulated phone' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused the code' }).waitFor();
    await shot(page, 'wrong-code');
  });

  await check('the simulated phone types the right code: the connection links and is ready', async () => {
    await page.locator('input[name=sandbox_code]').fill(code);
    await page.getByRole('button', { name: 'Enter code on simulated phone' }).click();
    await page.locator('[data-testid=connection-phone]').getByText(PHONE.slice(-4), { exact: false }).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=connection-status] [data-status=ready]').waitFor({ timeout: 30_000 });
    await shot(page, 'ready');
    assert(consoleErrors.filter((e) => !/4\d\d/.test(e)).length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  });
} finally {
  await browser.close();
}
finish();
