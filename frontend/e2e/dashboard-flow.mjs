// The dashboard in a real browser (Debian chromium through playwright-core), against a running
// gateway in sandbox mode (run by DashboardE2EIntegrationTest). Screenshots of every step go to
// SCREENSHOT_DIR.
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_API_KEY (plays the contact through the
// sandbox API), USER_EMAIL, USER_PASSWORD, WEBHOOK_URL (a receiver the caller runs),
// WEBHOOK_SECRET_FILE (optional: the secret the page showed is written there, for the caller to
// check signatures), SCREENSHOT_DIR, CHROMIUM; optional CONTACT_PHONE, INBOUND_TEXT,
// INBOUND_TEXT_2, REPLY_TEXT (the caller checks its receiver got them).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { assert, call, check, env, finish, signIn, waitFor } from './lib.mjs';

const BASE = env('BASE_URL');
const SHOTS = env('SCREENSHOT_DIR');
const CONN = env('CONN_ID', 'e2e_phone');
const ADMIN_KEY = env('ADMIN_API_KEY');
const WEBHOOK_URL = env('WEBHOOK_URL');
const SECRET_FILE = env('WEBHOOK_SECRET_FILE', '');
const CONTACT = env('CONTACT_PHONE', '923451112233');
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`;
const INBOUND = env('INBOUND_TEXT', 'Salaam! Is my order ready?');
const INBOUND_2 = env('INBOUND_TEXT_2', 'Thanks, one more question');
const REPLY = env('REPLY_TEXT', 'Yes, it ships today.');
mkdirSync(SHOTS, { recursive: true });
// numbered shots of an earlier run would mix with this run's
for (const f of readdirSync(SHOTS)) if (/^\d\d-.*\.png$/.test(f)) rmSync(join(SHOTS, f));

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
let step = 0;
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });

/** The contact sends a message to the connection (sandbox engine only), as the admin's API key. */
const contactSays = (text) => call(BASE, ADMIN_KEY, 'POST', `/api/sandbox/${CONN}/inbound`, { from: CONTACT, message: text, push_name: 'Ali Khan' });

/** Marks the page; `stillSamePage` is then true only if the page was not reloaded meanwhile. */
const markPage = (page) => page.evaluate(() => { window.__e2eMark = true; });
const stillSamePage = (page) => page.evaluate(() => window.__e2eMark === true);

/**
 * Opens a page of the sidebar (`link`, at /dashboard/`path`) and picks the connection in its
 * select. The URL changes before the page renders (router transitions), so it waits for the new
 * page's own heading before it touches the select.
 */
async function openFor(page, link, path, connectionId) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.waitForURL(`**/dashboard/${path}`);
  await page.getByRole('heading', { level: 1, name: link, exact: true }).waitFor();
  await page.locator('select[name=connection]').selectOption(connectionId);
  await page.waitForURL(`**/dashboard/${path}/${connectionId}`);
}

const login = (page, email, password) => signIn(page, BASE, email, password);

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

  await check('creating a connection with a webhook shows the signing secret once, then opens its WhatsApp Web tab, disconnected', async () => {
    await page.getByLabel('Connection ID').fill(CONN);
    await page.getByLabel('Webhook URL').fill(WEBHOOK_URL);
    await page.getByRole('button', { name: 'Create' }).click();
    const secret = (await page.getByTestId('created-webhook-secret').textContent()) ?? '';
    assert(/^whsec_[A-Za-z0-9_-]{20,}$/.test(secret), `secret shown: ${secret.slice(0, 10)}…`);
    if (SECRET_FILE) writeFileSync(SECRET_FILE, secret);
    await shot(page, 'connection-created-webhook-secret');
    await page.getByRole('button', { name: 'Open connection' }).click();
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
    }, first, { timeout: 20_000 });
  });

  await check('the simulated phone scans: green "Connected & Ready" with the phone', async () => {
    await page.getByLabel('Phone number').fill('923001234567');
    // Until the page turns green, its 10 s status re-check answers what it answered before the
    // scan: the green can then only come from the live Socket.IO update (however long the real
    // pairing takes on a loaded machine).
    const statusRoute = '**/api/whatsapp-web/status/**';
    const before = await call(BASE, ADMIN_KEY, 'GET', `/api/whatsapp-web/status/${CONN}`);
    assert(before.status !== 'ready', `already ${before.status} before the scan`);
    await page.route(statusRoute, (route) => route.fulfill({ json: before }));
    await page.getByRole('button', { name: 'Scan QR with simulated phone' }).click();
    await page.locator('[data-testid=connection-status] [data-color=green]').waitFor({ timeout: 30_000 });
    await page.unroute(statusRoute);
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

  await check('the Webhooks page shows the URL set at creation (all events, no secret again); a test reaches the receiver', async () => {
    await openFor(page, 'Webhooks', 'webhooks', CONN);
    const url = page.locator('input[name=webhook_url]');
    await waitFor('the webhook URL', async () => (await url.inputValue()) === WEBHOOK_URL);
    const events = await page.locator('input[name=webhook_events]').inputValue();
    assert(events === '', `no event filter expected, the page shows "${events}"`);
    assert(await page.getByTestId('webhook-secret').count() === 0, 'the secret is shown again');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText(/^Test delivered: HTTP 200 in \d+ ms\.$/).waitFor();
    await page.locator('[data-testid=delivery][data-event-type="webhook.test"][data-state=delivered]').waitFor();
  });

  const chatItem = page.locator(`[data-testid=chat][data-chat-jid="${CONTACT_JID}"]`);

  await check('a contact\'s message appears live in Chats, without a reload', async () => {
    await openFor(page, 'Chats', 'chats', CONN);
    // the linked phone synced some history chats; the contact has none yet
    await page.getByRole('list', { name: 'Chats' }).or(page.getByText('No chats yet.')).waitFor();
    assert(await chatItem.count() === 0, 'the contact\'s chat is there before the message');
    await markPage(page);
    await contactSays(INBOUND);
    await chatItem.getByText(INBOUND).waitFor({ timeout: 5_000 });
    await chatItem.getByText('Ali Khan').waitFor();
    await chatItem.getByLabel('1 unread').waitFor();
    await page.getByTestId('other-chat-notice').getByText(`New message from Ali Khan: ${INBOUND}`).waitFor();
    assert(await stillSamePage(page), 'the page was reloaded');
    await shot(page, 'chat-inbound-live');
  });

  await check('opening the chat shows the message; a reply\'s ticks go to read live', async () => {
    await chatItem.getByRole('button').click();
    const log = page.getByRole('log', { name: 'Messages' });
    await log.locator('[data-testid=message][data-direction=inbound]').getByText(INBOUND).waitFor();
    await chatItem.getByLabel('1 unread').waitFor({ state: 'detached' });
    await waitFor('the chat marked read on the server', async () => {
      const { chats } = await call(BASE, ADMIN_KEY, 'GET', `/api/connections/${CONN}/chats`);
      return chats.find((c) => c.chat_jid === CONTACT_JID)?.unread_count === 0;
    });
    // record every status the reply's ticks show, to see them move on screen
    await page.evaluate(() => {
      const seen = (window.__e2eTicks = []);
      const note = () => {
        const s = document.querySelector('[role=log] [data-testid=ticks]')?.getAttribute('data-status');
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      };
      new MutationObserver(note).observe(document.querySelector('[role=log]'), { subtree: true, childList: true, attributes: true });
    });
    await page.getByPlaceholder('Type a message').fill(REPLY);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const mine = log.locator('[data-testid=message][data-direction=outbound]').filter({ hasText: REPLY });
    await mine.waitFor();
    await mine.locator('[data-testid=ticks][data-status=sent]').waitFor();
    // the contact's phone: delivered, and once the page shows it, read (the gateway runs with
    // automatic receipts off, so each tick below comes from exactly one receipt)
    const reply = await waitFor('the reply stored with its WhatsApp id', async () => {
      const { messages } = await call(BASE, ADMIN_KEY, 'GET', `/api/connections/${CONN}/chats/${CONTACT_JID}/messages`);
      return messages.find((m) => m.direction === 'outbound' && m.body === REPLY && m.provider_message_id);
    });
    // a phone sends receipts only for what it has: wait until the contact decrypted the reply
    await waitFor('the contact decrypted the reply', async () => {
      const got = await call(BASE, ADMIN_KEY, 'GET', `/api/sandbox/${CONN}/sent?provider_message_id=${reply.provider_message_id}`);
      return got.messages.length > 0;
    }, 20_000);
    const contactReceipt = (status) => call(BASE, ADMIN_KEY, 'POST', `/api/sandbox/${CONN}/receipt`, { provider_message_id: reply.provider_message_id, status });
    await contactReceipt('delivered');
    await mine.locator('[data-testid=ticks][data-status=delivered]').waitFor();
    await contactReceipt('read');
    await mine.locator('[data-testid=ticks][data-status=read]').waitFor();
    await mine.getByLabel('Read').waitFor();
    assert(await mine.count() === 1, `the reply shows ${await mine.count()} times`);
    assert(await page.getByPlaceholder('Type a message').inputValue() === '', 'the composer was not cleared');
    const seen = await page.evaluate(() => window.__e2eTicks);
    const rank = ['queued', 'sent', 'delivered', 'read'];
    assert(seen.includes('delivered') && seen.at(-1) === 'read', `ticks went ${seen.join(' → ')}`);
    assert(seen.every((st, i) => i === 0 || rank.indexOf(st) > rank.indexOf(seen[i - 1])), `ticks went back: ${seen.join(' → ')}`);
    assert(await stillSamePage(page), 'the page was reloaded');
    const { messages } = await call(BASE, ADMIN_KEY, 'GET', `/api/connections/${CONN}/chats/${CONTACT_JID}/messages`);
    const stored = messages.filter((m) => m.direction === 'outbound' && m.body === REPLY);
    assert(stored.length === 1 && stored[0].status === 'read', `stored reply: ${JSON.stringify(stored)}`);
    await shot(page, 'chat-reply-read');
  });

  await check('the Webhooks delivery log lists the message deliveries with HTTP 200, attempt and latency, live', async () => {
    await openFor(page, 'Webhooks', 'webhooks', CONN);
    const row = (type) => page.locator(`[data-testid=delivery][data-event-type="${type}"]`);
    await row('message.received').first().waitFor();
    // message.status: one for delivered, one for read; the last may still be on its way
    await waitFor('two message.status deliveries', async () => (await row('message.status').count()) >= 2);
    for (const type of ['message.received', 'message.sent', 'message.status']) {
      const r = row(type).first();
      await r.waitFor();
      const [state, http, attempt, latency] = await Promise.all([r.getAttribute('data-state'), r.getByTestId('delivery-http').textContent(),
        r.getByTestId('delivery-attempt').textContent(), r.getByTestId('delivery-latency').textContent()]);
      assert(state === 'delivered' && http === '200' && attempt === '1' && /^\d+ ms$/.test(latency ?? ''),
        `${type}: state ${state}, HTTP ${http}, attempt ${attempt}, latency ${latency}`);
    }
    const before = await row('message.received').count();
    assert(before === 1, `message.received rows: ${before}`);
    await markPage(page);
    await contactSays(INBOUND_2);
    await waitFor('a live message.received row', async () => (await row('message.received').count()) === 2, 5_000);
    assert(await row('message.received').first().getByTestId('delivery-http').textContent() === '200', 'live row HTTP');
    assert(await stillSamePage(page), 'the page was reloaded');
    await shot(page, 'webhook-deliveries');
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
    await page.waitForURL('**/dashboard/webhooks');
    // the URL changes before the page renders: else the select may still be the Chats page's
    await page.getByRole('heading', { level: 1, name: 'Webhooks', exact: true }).waitFor();
    await page.getByLabel('Connection').selectOption(CONN);
    await page.waitForURL(`**/dashboard/webhooks/${CONN}`);
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

  await check('another user sees none of the admin\'s chats, messages or deliveries', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    other.setDefaultTimeout(10_000);
    const p3 = await other.newPage();
    try {
      await login(p3, env('USER_EMAIL'), env('USER_PASSWORD'));
      await p3.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chats' }).click();
      await p3.locator('select[name=connection] option', { hasText: 'No connections yet' }).waitFor({ state: 'attached' });
      assert(await p3.locator(`select[name=connection] option[value="${CONN}"]`).count() === 0, 'the admin connection is offered');
      await p3.goto(`${BASE}/dashboard/chats/${CONN}`);
      await p3.getByRole('alert').waitFor();
      assert(await p3.getByTestId('chat').count() === 0, 'chats listed');
      assert(await p3.getByText(INBOUND).count() === 0, 'the admin\'s message shows');
      await shot(p3, 'other-user-chats');
      const statuses = await p3.evaluate(async (paths) => Promise.all(paths.map(async (u) => (await fetch(u)).status)), [
        `/api/connections/${CONN}/chats`,
        `/api/connections/${CONN}/chats/${CONTACT_JID}/messages`,
        `/api/connections/${CONN}/webhook-logs`,
      ]);
      assert(statuses.every((st) => st === 404), `the other user's API answers: ${statuses}`);
      await p3.goto(`${BASE}/dashboard/webhooks/${CONN}`);
      await p3.getByRole('alert').waitFor();
      assert(await p3.getByTestId('delivery').count() === 0, 'deliveries listed');
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
