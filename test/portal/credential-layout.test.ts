import { existsSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/admin.js';
import { hasChromium, launchChromium, logInThroughThePortal } from '../helpers/browser.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The box of a label's own text, without the input inside it. */
const textBox = (label: Locator) =>
  label.evaluate((element): Box => {
    const range = element.ownerDocument.createRange();
    const text = [...element.childNodes].filter(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent?.trim(),
    );
    range.setStartBefore(text[0]!);
    range.setEndAfter(text[text.length - 1]!);
    const { top, bottom, left, right } = range.getBoundingClientRect();
    return { top, bottom, left, right };
  });

/** What draws a box's edge: width, style and colour of each side. */
const border = (locator: Locator) =>
  locator.evaluate((element) => {
    const style = getComputedStyle(element);
    return ['top', 'right', 'bottom', 'left'].map((side) =>
      ['width', 'style', 'color'].map((part) => style.getPropertyValue(`border-${side}-${part}`)).join(' '),
    );
  });

const box = (locator: Locator) =>
  locator.evaluate((element): Box => {
    const { top, bottom, left, right } = element.getBoundingClientRect();
    return { top, bottom, left, right };
  });

/** The credential page at a laptop's 1280×800: how it is laid out, not what it does (journey.test.ts). */
describe.skipIf(!hasChromium)('portal: the credential page’s layout', () => {
  let keygate: TestKeygate;
  let browser: Browser;
  let page: Page;
  let credentialPath = '';

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/portal/index.html', import.meta.url))) {
      throw new Error('dist/portal is missing: run `npm run build` (npm test does) before the portal tests');
    }
    keygate = await startTestKeygate();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(8000);
    await logInThroughThePortal(page, keygate.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    const credential = await keygate.createCredential(['stats'], 'Layout');
    credentialPath = `${keygate.url}/portal/credentials/${credential.id}`;
  });
  afterAll(async () => {
    await browser?.close();
    await keygate?.stop();
  });

  it('puts the DPoP checkbox on its label’s line, before the text', async () => {
    await page.goto(credentialPath);
    const label = page.locator('label', { hasText: 'Require DPoP-bound tokens' });
    const checkbox = await box(page.getByLabel('Require DPoP-bound tokens', { exact: true }));
    const text = await textBox(label);
    // On one line: the checkbox's middle lies within the text's line box, and the text follows it.
    const middle = (checkbox.top + checkbox.bottom) / 2;
    expect(middle).toBeGreaterThan(text.top);
    expect(middle).toBeLessThan(text.bottom);
    expect(checkbox.right).toBeLessThanOrEqual(text.left);
  });

  it('draws the token quota and call limit like the text field above them', async () => {
    // The scope picker is the one group that keeps a box: its own, not the browser's.
    await page.goto(credentialPath);
    expect(await border(page.getByRole('group', { name: 'Scopes' }))).toEqual(
      Array(4).fill('1px solid rgb(216, 220, 227)'),
    );
    const policies = page.getByRole('region', { name: 'Policies' });
    const textField = policies.getByLabel('Allowed address ranges');
    const textFieldEdge = await border(textField);
    const textFieldGroupEdge = await border(textField.locator('xpath=..'));
    for (const [legend, count] of [
      ['Token quota', 'Tokens at most'],
      ['API call limit', 'Calls at most'],
    ] as const) {
      expect(await border(policies.getByLabel(count))).toEqual(textFieldEdge);
      // The group holding the count draws no box of its own, as the text field's does not.
      expect(await border(policies.getByRole('group', { name: legend }))).toEqual(textFieldGroupEdge);
    }
  });
});
