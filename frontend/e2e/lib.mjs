// Shared helpers of the end-to-end scripts: a tiny test runner with readable output, HTTP calls
// with an API key, and waiting for conditions. Every script exits non-zero when a check failed.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`missing env ${name}`);
  return v;
};

let passed = 0;
let failed = 0;

/** Runs one named check; failures are printed with their cause and counted. */
export async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}

/** Prints the summary and exits 1 if anything failed. */
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function waitFor(what, fn, ms = 10_000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** JSON request to the gateway with an API key; throws on a non-2xx answer. */
export async function call(base, key, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return json;
}

/**
 * Debian's Chromium (through playwright-core) with one page of `viewport`: console errors are
 * collected in `consoleErrors`, and `shot(page, name)` writes numbered full-page screenshots
 * `<prefix>-NN-<name>.png` under SCREENSHOT_DIR. Env: CHROMIUM, SCREENSHOT_DIR.
 */
export async function openPage({ prefix, viewport = { width: 1280, height: 900 }, timeoutMs = 15_000 }) {
  const shots = env('SCREENSHOT_DIR');
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  let step = 0;
  const shot = (page, name) => page.screenshot({ path: join(shots, `${prefix}-${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(timeoutMs);
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  return { browser, context, page, shot, consoleErrors };
}

/**
 * Signs in on the dashboard's login page and waits until the main navigation shows (the
 * "WhatsApp Web" link every role has), so the next step starts on a loaded, signed-in page.
 */
export async function signIn(page, base, email, password) {
  await page.goto(`${base}/dashboard/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'WhatsApp Web' }).waitFor();
}
