import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/admin.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

/** The seed's journey with the keyboard alone: Tab to move, Enter or Space to act, Escape to leave. */
describe.skipIf(!hasChromium)('portal with the keyboard only', () => {
  let keygate: TestKeygate;
  let browser: Browser;
  let page: Page;

  const focused = () =>
    page.evaluate(
      '(() => { const e = document.activeElement; return e ? (e.getAttribute("aria-label") || e.textContent || e.getAttribute("id") || e.tagName).trim() : ""; })()',
    ) as Promise<string>;
  /** Presses Tab until the focused element's name matches, failing after `limit` presses. */
  async function tabTo(name: RegExp, limit = 40): Promise<void> {
    for (let i = 0; i < limit; i++) {
      if (name.test(await focused())) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${name}; last focus: ${await focused()}`);
  }

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/portal/index.html', import.meta.url))) {
      throw new Error('dist/portal is missing: run `npm run build` (npm test does) before the portal tests');
    }
    keygate = await startTestKeygate();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await keygate?.stop();
  });

  it('logs in, creates credentials with two scopes, and dismisses the secret, all from the keyboard', async () => {
    await page.goto(`${keygate.url}/portal/`);
    await page.getByRole('heading', { name: 'Log in to Keygate' }).waitFor();
    await tabTo(/email/i);
    await page.keyboard.type(ADMIN_EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'API Credentials' }).waitFor();

    await tabTo(/^Create New$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Create API credential' }).waitFor();
    // Focus moved into the dialog, and Tab stays inside it.
    const dialog = page.getByRole('dialog');
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true);
    }
    await tabTo(/name/i);
    await page.keyboard.type('Keyboard app');
    await tabTo(/^stats$/);
    await page.keyboard.press('Enter');
    await tabTo(/^users:read$/);
    await page.keyboard.press('Space');
    await tabTo(/^Save API credential$/);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'API credential created' }).waitFor();
    const clientId = await page.getByLabel('Client ID', { exact: true }).inputValue();
    const clientSecret = await page.getByLabel('Client secret', { exact: true }).inputValue();
    // A one-time secret is not dismissed by a stray Escape.
    await page.keyboard.press('Escape');
    expect(await page.getByRole('heading', { name: 'API credential created' }).count()).toBe(1);
    await tabTo(/^OK$/);
    await page.keyboard.press('Enter');
    await page.getByRole('row', { name: /Keyboard app/ }).waitFor();

    const token = await requestToken(keygate, { clientId, clientSecret }, 'stats users:read');
    expect(token.status).toBe(200);
  });
});
