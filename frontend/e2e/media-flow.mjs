// Media in the dashboard's Chats in a real browser (Debian chromium through playwright-core),
// against a running gateway in sandbox mode with a linked connection (run by
// MediaDashboardE2EIntegrationTest): a contact's photo and voice note appear live and play, and
// a PDF, a location and a contact card sent from the composer reach the contact (the emulated
// contact's decrypted PDF has the file's SHA-256, printed as "pdf sha256 <hex>" for the caller).
// Waits are on positive signals with generous bounds (the machine may be loaded).
// Env: BASE_URL, CONN_ID, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_API_KEY (plays the contact through
// the sandbox API), CONTACT_PHONE, PNG_FILE, OGG_FILE (OGG/Opus), PDF_FILE, SCREENSHOT_DIR, CHROMIUM.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { assert, call, check, env, finish, signIn, waitFor } from './lib.mjs';

const BASE = env('BASE_URL');
const CONN = env('CONN_ID');
const ADMIN_KEY = env('ADMIN_API_KEY');
const CONTACT = env('CONTACT_PHONE');
const CONTACT_JID = `${CONTACT}@s.whatsapp.net`;
const SHOTS = env('SCREENSHOT_DIR');
const PNG = readFileSync(env('PNG_FILE'));
const OGG = readFileSync(env('OGG_FILE'));
const PDF_FILE = env('PDF_FILE');
const PDF = readFileSync(PDF_FILE);
const LONG = 60_000;
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
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/** The contact sends a message or a file through the emulator; returns WhatsApp's id of it. */
async function contactSends(fields) {
  const r = await call(BASE, ADMIN_KEY, 'POST', `/api/sandbox/${CONN}/inbound`, { from: CONTACT, push_name: 'Sana Malik', ...fields });
  return r.provider_message_id;
}

/** The chat's messages as the API shows them (newest first). */
async function chatMessages() {
  const r = await call(BASE, ADMIN_KEY, 'GET', `/api/connections/${CONN}/chats/${encodeURIComponent(CONTACT_JID)}/messages?limit=50`);
  return r.messages;
}

/** What the emulated contact decrypted of one of our messages, once it has ({provider_message_id, count, content}). */
async function contactGot(providerMessageId) {
  return waitFor(`the contact to decrypt ${providerMessageId}`, async () => {
    const r = await call(BASE, ADMIN_KEY, 'GET', `/api/sandbox/${CONN}/sent?provider_message_id=${encodeURIComponent(providerMessageId)}`);
    return r.messages.find((m) => m.provider_message_id === providerMessageId && m.count >= 1) ?? null;
  }, LONG);
}

/** Our newest outbound message of `type` that WhatsApp has an id for. */
async function sentOf(type, newerThan) {
  return waitFor(`our ${type} to be sent`, async () => (await chatMessages())
    .find((m) => m.direction === 'outbound' && m.type === type && m.provider_message_id && !newerThan.has(m.message_id)), LONG);
}

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
context.setDefaultTimeout(LONG);
const page = await context.newPage();
const consoleErrors = [];
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
const bubble = (pid) => page.locator(`[data-testid=message][data-provider-message-id="${pid}"]`);

try {
  await check('the admin signs in and opens the contact\'s chat', async () => {
    await contactSends({ message: 'Salaam, sending you the parcel photo' });
    await signIn(page, BASE, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
    await page.goto(`${BASE}/dashboard/chats/${CONN}?chat=${encodeURIComponent(CONTACT_JID)}`);
    await page.getByRole('log', { name: 'Messages' }).getByText('Salaam, sending you the parcel photo').waitFor();
    await page.locator('[data-testid=live-state][data-state=live]').waitFor();
    await page.evaluate(() => { window.__e2eMark = true; });
  });

  await check('a contact\'s photo appears live and loads (thumbnail, then the full view)', async () => {
    const pid = await contactSends({ type: 'image', media_base64: PNG.toString('base64'), mime_type: 'image/png', message: 'the damaged parcel' });
    const img = bubble(pid).locator('[data-testid=media][data-kind=image][data-state=stored] img');
    await img.waitFor();
    await waitFor('the photo to load', () => img.evaluate((el) => el.complete && el.naturalWidth > 0), LONG);
    assert(await img.evaluate((el) => el.naturalWidth) === 120, 'the picture is the contact\'s 120 px wide PNG');
    await bubble(pid).getByText('the damaged parcel').waitFor();
    assert(await page.evaluate(() => window.__e2eMark === true), 'the page was reloaded');
    await bubble(pid).getByRole('button', { name: 'Open the photo' }).click();
    const full = page.getByRole('dialog', { name: 'Photo' }).locator('img');
    await waitFor('the full view to load', () => full.evaluate((el) => el.complete && el.naturalWidth > 0), LONG);
    await shot(page, 'photo-full-view');
    await page.getByRole('dialog', { name: 'Photo' }).click();
    await page.getByRole('dialog', { name: 'Photo' }).waitFor({ state: 'detached' });
  });

  await check('a contact\'s voice note appears live and can play', async () => {
    const pid = await contactSends({ type: 'ptt', media_base64: OGG.toString('base64'), mime_type: 'audio/ogg; codecs=opus', seconds: 2 });
    const audio = bubble(pid).locator('[data-testid=media][data-kind=voice][data-state=stored] audio');
    await audio.waitFor();
    const ready = await waitFor('the voice note to be playable', () => audio.evaluate((el) => (el.error
      ? { error: el.error.code } : el.readyState >= 1 && el.duration > 0 ? { duration: el.duration } : null)), LONG);
    assert(!ready.error, `the browser could not decode the voice note (MediaError ${ready.error})`);
    assert(ready.duration > 1.5 && ready.duration < 2.5, `duration ${ready.duration} s, expected about 2 s`);
    await bubble(pid).getByText(/Voice message/).waitFor();
    await shot(page, 'photo-and-voice-note');
  });

  await check('a PDF attached in the composer uploads with progress and reaches the contact byte for byte', async () => {
    const before = new Set((await chatMessages()).map((m) => m.message_id));
    await page.getByTestId('file-input').setInputFiles(PDF_FILE);
    await page.getByTestId('attachment').getByText(basename(PDF_FILE)).waitFor();
    await page.getByTestId('attachment').getByText('sent as document').waitFor();
    // watch the progress bar appear (XHR upload progress) while the file goes out
    await page.evaluate(() => {
      window.__e2eProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid=upload-progress]')) window.__e2eProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByRole('form', { name: 'Send a message' }).locator('input[name=message]').fill('Your invoice');
    await page.getByRole('form', { name: 'Send a message' }).getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('attachment').waitFor({ state: 'detached' });
    assert(await page.evaluate(() => window.__e2eProgress === true), 'no upload progress was shown');
    const sent = await sentOf('document', before);
    const link = bubble(sent.provider_message_id).locator('a[data-kind=document]');
    await link.getByText(basename(PDF_FILE)).waitFor();
    const got = await contactGot(sent.provider_message_id);
    assert(got.content.sha256 === sha256(PDF), `the contact decrypted ${got.content.sha256}, the file is ${sha256(PDF)}`);
    assert(got.content.file_name === basename(PDF_FILE), `file name ${got.content.file_name}`);
    assert(got.content.caption === 'Your invoice', `caption ${got.content.caption}`);
    console.log(`pdf sha256 ${got.content.sha256}`);
    await shot(page, 'pdf-sent');
  });

  await check('a location and a contact card sent from the composer reach the contact', async () => {
    const before = new Set((await chatMessages()).map((m) => m.message_id));
    await page.getByRole('button', { name: '📍 Location' }).click();
    const loc = page.getByRole('form', { name: 'Send a location' });
    await loc.locator('input[name=latitude]').fill('24.8607');
    await loc.locator('input[name=longitude]').fill('67.0011');
    await loc.locator('input[name=location_name]').fill('Clifton office');
    await loc.getByRole('button', { name: 'Send location' }).click();
    await loc.waitFor({ state: 'detached' });
    const pin = await sentOf('location', before);
    await bubble(pin.provider_message_id).getByText('📍 Clifton office').waitFor();
    const href = await bubble(pin.provider_message_id).getByRole('link').getAttribute('href');
    assert(href.startsWith('https://www.openstreetmap.org/?mlat=24.8607&mlon=67.0011'), `map link ${href}`);
    const gotPin = await contactGot(pin.provider_message_id);
    assert(Math.abs(gotPin.content.latitude - 24.8607) < 1e-6, `latitude ${gotPin.content.latitude}`);

    await page.getByRole('button', { name: '👤 Contact' }).click();
    const card = page.getByRole('form', { name: 'Send a contact' });
    await card.locator('input[name=contact_name]').fill('Bilal Ahmed');
    await card.locator('input[name=contact_phones]').fill('923001234567');
    await card.getByRole('button', { name: 'Send contact' }).click();
    await card.waitFor({ state: 'detached' });
    const vcard = await sentOf('contact', before);
    await bubble(vcard.provider_message_id).getByText('Bilal Ahmed').waitFor();
    await bubble(vcard.provider_message_id).getByText('+923001234567').waitFor();
    const gotCard = await contactGot(vcard.provider_message_id);
    assert(JSON.stringify(gotCard.content).includes('Bilal Ahmed'), `the contact got ${JSON.stringify(gotCard.content)}`);
    await shot(page, 'location-and-contact');
  });

  await check('no errors in the browser console', async () => {
    // as in dashboard-flow.mjs: answers the page expects (401 before signing in, 404 of a chat
    // not read yet) are logged by the browser itself; anything else is a real error
    const unexpected = consoleErrors.filter((t) => !/401|404|403|Failed to load resource/.test(t));
    assert(unexpected.length === 0, `console errors: ${unexpected.join(' | ')}`);
  });
  await check('a refused send shows the API\'s error in the composer', async () => {
    await page.getByRole('button', { name: '📍 Location' }).click();
    const loc = page.getByRole('form', { name: 'Send a location' });
    await loc.locator('input[name=latitude]').fill('123');
    await loc.locator('input[name=longitude]').fill('67');
    await loc.getByRole('button', { name: 'Send location' }).click();
    await page.getByTestId('composer').getByText(/Location not sent: .*latitude/i).waitFor();
    await shot(page, 'composer-error');
  });

} finally {
  await browser.close();
}
finish();
