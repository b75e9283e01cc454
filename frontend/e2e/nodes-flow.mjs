// The Nodes page in a real browser (Debian chromium through playwright-core), against a running
// gateway (run by NodesDashboardE2EIntegrationTest, issue 17): an admin sees this node alive with
// its connection count, and the connection's lease with its node and epoch; a user has no Nodes link.
// Env: BASE_URL, ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_API_KEY, SCREENSHOT_DIR, CHROMIUM, CONN_ID, NODE_ID.
import { assert, call, check, env, finish, openPage, signIn, waitFor } from './lib.mjs';

const BASE = env('BASE_URL');
const KEY = env('ADMIN_API_KEY');
const CONN = env('CONN_ID', 'e2e_nodes');
const NODE = env('NODE_ID');

const { browser, page, shot, consoleErrors } = await openPage({ prefix: 'nodes', viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 });

try {
  await check('an admin sees this node and the lease of a running connection', async () => {
    await call(BASE, KEY, 'GET', `/api/get-qr/${CONN}`);
    await waitFor('the lease', async () => (await call(BASE, KEY, 'GET', '/api/cluster')).leases
      .some((l) => l.connection_id === CONN && l.live), 30_000);
    await signIn(page, BASE, env('ADMIN_EMAIL'), env('ADMIN_PASSWORD'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Nodes' }).click();
    const row = page.locator(`[data-node="${NODE}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert(text.includes('Alive') && text.includes('this one'), `node row: ${text}`);
    assert((await page.getByTestId('answering-node').textContent()) === NODE, 'answering node');
    const lease = page.locator(`[data-lease="${CONN}"]`);
    await lease.waitFor();
    const leaseText = (await lease.textContent()) ?? '';
    assert(leaseText.includes(NODE), `lease row names the node: ${leaseText}`);
    await shot(page, 'nodes');
    assert(consoleErrors.filter((e) => !/4\d\d/.test(e)).length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  });
} finally {
  await browser.close();
}
finish();
