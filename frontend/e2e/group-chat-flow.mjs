// A group chat in a real browser (Debian chromium through playwright-core), against a running
// gateway in sandbox mode (run by GroupChatDashboardE2EIntegrationTest): the connection links, a
// group is created through the API, two members write in it, the group appears in Chats under its
// subject, and each message names its sender; a reply from the composer reaches both members. Screenshots go to SCREENSHOT_DIR.
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_API_KEY, SCREENSHOT_DIR, CHROMIUM, CONN_ID, PHONE.
import { assert, call, check, env, finish, openPage, signIn, waitFor } from './lib.mjs';

const BASE = env('BASE_URL');
const KEY = env('ADMIN_API_KEY');
const CONN = env('CONN_ID', 'e2e_group');
const PHONE = env('PHONE', '923007771000');
const SARA = '923007771001';
const OMAR = '923007771002';
const SUBJECT = 'Weekend team';

const { browser, page, shot, consoleErrors } = await openPage({ prefix: 'group', viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 });

try {
  let group = '';
  await check('the connection links and a group is created with two members', async () => {
    await call(BASE, KEY, 'POST', '/api/connections', { connection_id: CONN });
    await call(BASE, KEY, 'GET', `/api/get-qr/${CONN}`);
    await waitFor('a QR', async () => (await call(BASE, KEY, 'GET', `/api/whatsapp-web/qr/${CONN}`))?.qr, 30_000);
    await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/scan`, { phone: PHONE });
    await waitFor('ready', async () => (await call(BASE, KEY, 'GET', `/api/whatsapp-web/status/${CONN}`)).status === 'ready', 60_000);
    const created = await call(BASE, KEY, 'POST', `/api/connections/${CONN}/groups`, { subject: SUBJECT, participants: [SARA, OMAR] });
    group = created.group_jid;
    assert(/^[0-9]+@g\.us$/.test(group), `group jid: ${group}`);
    await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/groups/${group}/inbound`, { from: SARA, message: 'Who brings the ball?', push_name: 'Sara K' });
    await call(BASE, KEY, 'POST', `/api/sandbox/${CONN}/groups/${group}/inbound`, { from: OMAR, message: 'I do', push_name: 'Omar' });
    await waitFor('both messages stored', async () => {
      const page = await call(BASE, KEY, 'GET', `/api/connections/${CONN}/chats/${group}/messages`);
      return page.messages.filter((m) => m.direction === 'inbound').length >= 2;
    }, 30_000);
  });

  await check('the group chat appears in Chats under its subject', async () => {
    await signIn(page, BASE, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
    await page.goto(`${BASE}/dashboard/chats/${CONN}`);
    const chat = page.locator(`[data-testid=chat][data-chat-jid="${group}"]`);
    await chat.getByText(SUBJECT).waitFor();
    await shot(page, 'chat-list');
    await chat.getByRole('button').click();
  });

  // (a sender without a push name is shown by phone number: lib/messages.test.ts; the emulated phones always send one)
  await check('each message names its sender', async () => {
    const sara = page.locator('[data-testid=message][data-direction=inbound]').filter({ hasText: 'Who brings the ball?' });
    await sara.getByTestId('sender').filter({ hasText: 'Sara K' }).waitFor();
    const omar = page.locator('[data-testid=message][data-direction=inbound]').filter({ hasText: 'I do' });
    await omar.getByTestId('sender').filter({ hasText: 'Omar' }).waitFor();
    await shot(page, 'senders');
  });

  await check('a reply typed in the group chat reaches both members', async () => {
    await page.getByRole('form', { name: 'Send a message' }).locator('input[name=message]').fill('I bring drinks');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const mine = page.locator('[data-testid=message][data-direction=outbound]').filter({ hasText: 'I bring drinks' });
    await mine.waitFor();
    await waitFor('the members decrypted it', async () => {
      const msgs = (await call(BASE, KEY, 'GET', `/api/connections/${CONN}/chats/${group}/messages`)).messages;
      const sent = msgs.find((m) => m.direction === 'outbound' && m.body === 'I bring drinks' && m.provider_message_id);
      return sent && ['sent', 'delivered', 'read'].includes(sent.status);
    }, 30_000);
    assert(await mine.getByTestId('sender').count() === 0, 'our own message names no sender');
    await shot(page, 'reply');
    assert(consoleErrors.filter((e) => !/4\d\d/.test(e)).length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  });
} finally {
  await browser.close();
}
finish();
