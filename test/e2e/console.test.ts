/**
 * The console in a real browser, against a real gateway and the provider emulator: sign up, create
 * a key, make traffic with it through the API, see it on the overview and in the logs with its
 * attempts, stream in the playground, read the session, revoke the key, the Spanish interface, the
 * operator's providers page, phone width and dark mode, and axe-core on every page.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chatBody } from '../helpers/api.js';
import { failInCi, needs } from '../helpers/requirements.js';
import { startStack, TEST_TOKEN, type Stack } from '../helpers/stack.js';
import { ensureConsoleBuilt, launchBrowser, missingChromium, screenshotDir, seriousAxeViolations } from './browser.js';

const EMAIL = 'lucia@example.com';
const PASSWORD = 'Console-Pass-42';

describe('the web console, in a browser', needs(missingChromium), () => {
  failInCi(missingChromium);
  let s: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shots: string;
  const scratch = mkdtempSync(join(tmpdir(), 'cerebro-e2e-'));
  const cspErrors: string[] = [];
  let gatewayKey = '';

  before(async () => {
    ensureConsoleBuilt();
    s = await startStack({ USERS_MAY_USE_OPERATOR_KEYS: 'true', MASTER_ENCRYPTION_KEY: 'e2e-console-master-key-0123456789abcdef' });
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    shots = screenshotDir(scratch);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const go = async (hash: string) => {
    await page.goto(`${s.url}/${hash}`);
    await page.locator('main h1').first().waitFor();
  };
  const noSeriousAxe = async (where: string) => {
    const violations = await seriousAxeViolations(page);
    assert.deepEqual(
      violations.map((v) => `${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
      `axe on ${where}`,
    );
  };

  it('signs up from the sign-in page', async () => {
    await page.goto(s.url);
    await page.getByRole('heading', { name: 'Sign in to Cerebro' }).waitFor();
    await noSeriousAxe('sign-in');
    await page.screenshot({ path: join(shots, 'sign-in.png') });
    await page.getByRole('button', { name: 'Create one' }).click();
    await page.getByLabel('E-mail').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).waitFor();
    assert.match(await page.locator('header').innerText(), /lucia@example\.com/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'cerebro_console');
    assert.ok(session?.httpOnly, 'the session cookie is httpOnly');
    assert.equal(session?.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'page scripts see no cookie');
    assert.equal(await page.evaluate('JSON.stringify(localStorage)').then((v) => /eyJ/.test(String(v))), false, 'no token in localStorage');
  });

  it('creates a gateway key, shown once, and makes traffic with it through the API', async () => {
    await go('#/keys');
    await page.getByLabel('Name').fill('e2e app');
    await page.getByLabel('Requests per minute').fill('30');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.locator('#new-key');
    await shown.waitFor();
    gatewayKey = await shown.inputValue();
    assert.match(gatewayKey, /^gw_/);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await noSeriousAxe('keys');
    await page.screenshot({ path: join(shots, 'keys.png'), fullPage: true });
    const send = (content: string) =>
      fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(chatBody(content, { session_id: 'trip' })),
      });
    assert.equal((await send('Plan a weekend in Lisbon')).status, 200);
    assert.equal((await send('And in Porto?')).status, 200);
    // The free tier refuses the next one (402): the cascade goes on to the next target.
    s.emulator.script.add('openrouter', [{ behavior: { type: 'error', status: 402, message: 'insufficient credits' }, times: 1 }]);
    assert.equal((await send('Which is cheaper?')).status, 200);
    await s.gateway.logs.flush();
  });

  it('shows the traffic on the overview', async () => {
    await go('#/overview');
    const requests = page.locator('.stat', { hasText: 'Requests' }).locator('dd');
    // Polled through locators: the page's CSP forbids the eval that string predicates need.
    await requests.filter({ hasText: /^3$/ }).waitFor();
    await page.getByText('Cost per day (USD)').waitFor();
    await page.getByRole('heading', { name: 'Model mix' }).waitFor();
    await page.getByRole('heading', { name: 'Daily token limit' }).waitFor();
    await noSeriousAxe('overview');
    await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
  });

  it('lists the requests in the logs, and a row opens its attempts cascade', async () => {
    await go('#/logs');
    const rows = page.locator('table.logs tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    assert.match(await rows.first().innerText(), /e2e app/);
    await noSeriousAxe('logs');
    await page.screenshot({ path: join(shots, 'logs.png'), fullPage: true });
    await rows.first().getByRole('link').click();
    const cascade = page.getByTestId('cascade').locator('li');
    await cascade.first().waitFor();
    assert.ok((await cascade.count()) >= 2, 'a failed attempt, then the one that answered');
    assert.match(await cascade.first().innerText(), /openrouter\/.*402/s);
    assert.match(await cascade.last().innerText(), /OK/);
    await noSeriousAxe('log detail');
    await page.screenshot({ path: join(shots, 'log-detail.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('cascade').waitFor({ state: 'detached' });
    assert.ok(!page.url().includes('/logs/'), 'closing the detail returns to the list');
  });

  it("shows what the providers' prompt caches saved, on the overview and in a request's detail", async () => {
    // A long, marked system prompt sent twice to Claude: written to its cache, then read back.
    const system = [{ type: 'text', text: `You review code. ${'Keep to the style guide. '.repeat(400)}`, cache_control: { type: 'ephemeral' } }];
    for (const question of ['Review a.ts', 'Review b.ts']) {
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'claude-sonnet-4-5',
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: question },
          ],
        }),
      });
      assert.equal(res.status, 200);
    }
    await s.gateway.logs.flush();
    await go('#/overview');
    const savings = page.locator('.stat', { hasText: 'Prompt-cache savings' }).locator('dd');
    await savings.filter({ hasText: /\$0\.00[1-9]/ }).waitFor();
    assert.match(await savings.innerText(), /[1-9][0-9.]*% of input read from cache/);
    await go('#/logs');
    // The list may first show what it fetched before (the earlier requests): wait for Claude's, the newest.
    await page.locator('table.logs tbody tr', { hasText: 'claude-sonnet-4-5' }).first().getByRole('link').click();
    const cached = page.locator('dt', { hasText: 'Prompt cache' }).locator('xpath=following-sibling::dd[1]');
    await cached.filter({ hasText: /read/ }).waitFor();
    assert.match(await cached.innerText(), /^[1-9][0-9,]* read · 0 written · \$0\.00[0-9]+ saved$/);
    await page.keyboard.press('Escape');
    await page.getByTestId('cascade').waitFor({ state: 'detached' });
  });

  it('streams an answer in the playground, with who answered and what it cost', async () => {
    await go('#/playground');
    await page.getByLabel('Session id (optional)').fill('playground-1');
    await page.getByLabel('Message').fill('Tell me a short story about a lighthouse.');
    await page.getByRole('button', { name: 'Send' }).click();
    const meta = page.getByTestId('answer-meta');
    await meta.waitFor();
    assert.ok((await page.getByTestId('answer').innerText()).length > 10);
    assert.match(await meta.innerText(), /openrouter\//);
    await noSeriousAxe('playground');
    await page.screenshot({ path: join(shots, 'playground.png'), fullPage: true });
  });

  it('lists the sessions and reads one', async () => {
    await go('#/sessions');
    await page.getByRole('link', { name: 'trip' }).click();
    await page.getByRole('heading', { name: 'Conversation trip' }).waitFor();
    // Waited for, not read at once: the conversation loads after its heading shows.
    await page.locator('.turns').getByText('Plan a weekend in Lisbon', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'playground-1' }).waitFor();
    await noSeriousAxe('sessions');
  });

  it('saves settings', async () => {
    await go('#/settings');
    await page.getByLabel('Daily token limit').fill('50000');
    await page.getByLabel('Budget (USD)').fill('5');
    await page.locator('select[name=budget_period]').selectOption('weekly');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    // The budget and what this week's traffic (the prompt-cache requests to Claude) spent of it.
    await page.getByText(/^Yours: \$0\.0[0-9]+ of \$5\.00 a week$/).waitFor();
    await noSeriousAxe('settings');
    await page.getByLabel('Current password').fill('wrong-password-0');
    await page.getByLabel('New password').fill('Console-Pass-43');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is not right.').waitFor();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText(/Password changed/).waitFor();
    await go('#/overview');
    await page.getByText(/of 50,000 tokens used today/).waitFor();
  });

  it('revokes the key after a confirmation, and the key stops working', async () => {
    await go('#/keys');
    await page.getByRole('button', { name: 'Revoke e2e app' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Revoke the key “e2e app”?').waitFor();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.locator('table tbody tr', { hasText: 'e2e app' }).getByText('Revoked').waitFor();
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(chatBody('still there?')),
    });
    assert.equal(res.status, 401);
  });

  it('speaks Spanish, and remembers it', async () => {
    await go('#/overview');
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Registros' }).waitFor();
    await page.getByRole('heading', { name: 'Resumen' }).waitFor();
    assert.equal(await page.evaluate('document.documentElement.lang'), 'es');
    await noSeriousAxe('overview (es)');
    await page.screenshot({ path: join(shots, 'overview-es.png'), fullPage: true });
    await page.reload();
    await page.getByRole('heading', { name: 'Resumen' }).waitFor();
    await page.getByLabel('Idioma').selectOption('en');
  });

  it('follows a Spanish browser on first visit', async () => {
    const spanish = await browser.newContext({ locale: 'es-ES' });
    const p = await spanish.newPage();
    await p.goto(s.url);
    await p.getByRole('heading', { name: 'Inicia sesión en Cerebro' }).waitFor();
    await spanish.close();
  });

  it('works at phone width and in dark mode', async () => {
    const phone = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, colorScheme: 'dark', storageState: await context.storageState() });
    const p = await phone.newPage();
    await p.goto(`${s.url}/#/overview`);
    await p.getByRole('heading', { name: 'Overview' }).waitFor();
    const overflow = Number(await p.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
    await p.getByRole('button', { name: 'Menu' }).click();
    await p.getByRole('link', { name: 'Logs' }).click();
    await p.getByRole('heading', { name: 'Logs' }).waitFor();
    await p.goto(`${s.url}/#/overview`);
    await p.getByRole('heading', { name: 'Overview' }).waitFor();
    const violations = await seriousAxeViolations(p);
    assert.deepEqual(
      violations.map((v) => v.id),
      [],
      'axe in dark mode at phone width',
    );
    await p.screenshot({ path: join(shots, 'overview-phone-dark.png'), fullPage: true });
    await phone.close();
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Cerebro' }).waitFor();
    assert.equal(
      (await context.cookies()).some((c) => c.name === 'cerebro_console'),
      false,
    );
  });

  it('signs the operator in with the operator token, to the providers page', async () => {
    const operator = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } });
    const p = await operator.newPage();
    await p.goto(s.url);
    await p.getByRole('button', { name: 'Operator' }).click();
    await p.getByLabel('Operator token (CEREBRO_API_TOKEN)').fill('not-the-operator-token');
    await p.getByRole('button', { name: 'Sign in as operator' }).click();
    await p.getByText(/not this gateway’s operator token/).waitFor();
    await p.getByLabel('Operator token (CEREBRO_API_TOKEN)').fill(TEST_TOKEN);
    await p.getByRole('button', { name: 'Sign in as operator' }).click();
    await p.getByRole('link', { name: 'Providers' }).click();
    await p.getByRole('heading', { name: 'Targets' }).waitFor();
    await p.locator('table').first().getByText('openrouter', { exact: true }).first().waitFor();
    await p.getByRole('heading', { name: 'OpenRouter free tier' }).waitFor();
    await p.getByRole('cell', { name: 'lucia@example.com' }).waitFor();
    const violations = await seriousAxeViolations(p);
    assert.deepEqual(
      violations.map((v) => v.id),
      [],
      'axe on providers',
    );
    await p.screenshot({ path: join(shots, 'providers.png'), fullPage: true });
    await operator.close();
  });

  it('ran with no Content-Security-Policy violation', () => {
    assert.deepEqual(cspErrors, []);
  });
});
