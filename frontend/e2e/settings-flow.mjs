// A connection's settings in a real browser (Debian chromium through playwright-core), against a
// running gateway (run by SettingsDashboardE2EIntegrationTest): toggle settings and set a pace,
// save, see a bad value refused with its field and nothing changed, reload and see what was saved,
// and the API agrees. Screenshots go to SCREENSHOT_DIR.
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_API_KEY, SCREENSHOT_DIR, CHROMIUM, CONN_ID.
import { assert, call, check, env, finish, openPage, signIn } from './lib.mjs';

const BASE = env('BASE_URL');
const KEY = env('ADMIN_API_KEY');
const CONN = env('CONN_ID', 'e2e_settings');

const { browser, page, shot, consoleErrors } = await openPage({ prefix: 'settings', viewport: { width: 1280, height: 1000 }, timeoutMs: 15_000 });
const settings = () => call(BASE, KEY, 'GET', `/api/connections/${CONN}/settings`);

try {
  await call(BASE, KEY, 'POST', '/api/connections', { connection_id: CONN });

  await check('the admin opens the connection and sees its default settings', async () => {
    await signIn(page, BASE, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
    await page.goto(`${BASE}/dashboard/connections/${CONN}`);
    await page.getByTestId('settings-form').waitFor();
    assert(!(await page.getByTestId('setting-reject_calls').isChecked()), 'reject_calls starts off');
    assert(await page.getByTestId('setting-sync_history').isChecked(), 'sync_history starts on');
    await shot(page, 'defaults');
  });

  await check('toggling settings and a pace, then saving, is stored', async () => {
    await page.getByTestId('setting-reject_calls').check();
    await page.getByTestId('setting-ignore_groups').check();
    await page.getByTestId('setting-sync_history').uncheck();
    await page.getByTestId('setting-call_reply_text').fill('Please send a message instead');
    await page.getByTestId('setting-send_rate_per_minute').fill('20');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    const s = await settings();
    assert(s.reject_calls === true && s.ignore_groups === true && s.sync_history === false, `saved: ${JSON.stringify(s)}`);
    assert(s.call_reply_text === 'Please send a message instead' && s.send_rate_per_minute === 20 && s.send_burst === null, `saved: ${JSON.stringify(s)}`);
    await shot(page, 'saved');
  });

  await check('a value out of range is refused on the page, naming the field, and nothing changes', async () => {
    await page.getByTestId('setting-send_burst').fill('5000');
    await page.getByTestId('setting-always_online').check();
    await page.getByTestId('settings-save').click();
    await page.getByRole('alert').filter({ hasText: 'send_burst' }).waitFor();
    const s = await settings();
    assert(s.send_burst === null && s.always_online === false, `unchanged: ${JSON.stringify(s)}`);
    await shot(page, 'refused');
  });

  await check('after a reload the page shows what was saved, as the API does', async () => {
    await page.reload();
    await page.getByTestId('settings-form').waitFor();
    assert(await page.getByTestId('setting-reject_calls').isChecked(), 'reject_calls kept');
    assert(await page.getByTestId('setting-ignore_groups').isChecked(), 'ignore_groups kept');
    assert(!(await page.getByTestId('setting-sync_history').isChecked()), 'sync_history kept off');
    assert(!(await page.getByTestId('setting-always_online').isChecked()), 'the refused change was not saved');
    assert((await page.getByTestId('setting-send_rate_per_minute').inputValue()) === '20', 'pace kept');
    assert((await page.getByTestId('setting-send_burst').inputValue()) === '', 'burst still the global one');
    await shot(page, 'reloaded');
    assert(consoleErrors.filter((e) => !/4\d\d/.test(e)).length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  });
} finally {
  await browser.close();
}
finish();
