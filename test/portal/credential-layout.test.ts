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
      (node) => node.nodeType === 3 /* text */ && node.textContent?.trim(),
    );
    range.setStartBefore(text[0]!);
    range.setEndAfter(text[text.length - 1]!);
    const { top, bottom, left, right } = range.getBoundingClientRect();
    return { top, bottom, left, right };
  });

/** What draws a box's edge: width, style and colour of each side. */
const border = (locator: Locator) =>
  locator.evaluate((element) => {
    const style = element.ownerDocument.defaultView!.getComputedStyle(element);
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

  const tab = (name: string) => page.getByRole('tab', { name, exact: true });
  /** The focused element's role and text, e.g. "tab Secrets". */
  const focused = () =>
    page.evaluate(
      '(() => { const e = document.activeElement; return ((e?.getAttribute("role") ?? e?.tagName) + " " + e?.textContent?.trim()).trim(); })()',
    ) as Promise<string>;

  it('shows one part at a time, each starting on the first screen', async () => {
    await page.goto(credentialPath);
    // allTextContents does not wait: the page has rendered its tabs once the first is there.
    await tab('Settings').waitFor();
    const names = await tab('Settings').locator('xpath=..').getByRole('tab').allTextContents();
    expect(names).toEqual(['Settings', 'Secrets', 'Keys and DPoP', 'Policies', 'Usage']);
    // What each part shows once loaded: the longest it gets for this credential.
    const loaded: Record<string, string> = {
      Settings: 'users:read',
      Secrets: 'Add secret',
      'Keys and DPoP': 'Add public key',
      Policies: 'Save policies',
      Usage: 'No usage yet.',
    };
    for (const name of names) {
      await tab(name).click();
      const panel = page.getByRole('tabpanel');
      await panel.getByText(loaded[name]!, { exact: true }).waitFor();
      expect(await panel.count()).toBe(1);
      expect(await panel.getAttribute('aria-labelledby')).toBe(await tab(name).getAttribute('id'));
      const layout = await panel.evaluate((element) => {
        const { top, bottom } = element.getBoundingClientRect();
        const { scrollY } = element.ownerDocument.defaultView!;
        return {
          top: top + scrollY,
          bottom: bottom + scrollY,
          page: element.ownerDocument.documentElement.scrollHeight,
        };
      });
      // The part starts with at least 200 px of it on the first screen of 800...
      expect(layout.top).toBeLessThanOrEqual(600);
      // ...and nothing follows it but the page's bottom padding (4rem) and the panel's margin, unless
      // the page is merely as tall as the window.
      expect(layout.page).toBeLessThanOrEqual(Math.max(layout.bottom + 100, 800));
      // The overview (~515 px) and the tallest part (Settings with 10 scopes, ~710 px) and that
      // padding make ~1,300 px; every part in one column made 3,090 px for this credential.
      expect(layout.page).toBeLessThanOrEqual(1400);
    }
  });

  it('moves between the tabs with the arrow keys, Home and End, and is one Tab stop', async () => {
    await page.goto(credentialPath);
    await page.getByRole('button', { name: 'Copy client ID' }).focus();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('tab Settings');
    for (const [key, name] of [
      ['ArrowRight', 'Secrets'],
      ['End', 'Usage'],
      ['ArrowRight', 'Settings'],
      ['ArrowLeft', 'Usage'],
      ['Home', 'Settings'],
      ['ArrowRight', 'Secrets'],
    ] as const) {
      await page.keyboard.press(key);
      expect(await focused()).toBe(`tab ${name}`);
      expect(await tab(name).getAttribute('aria-selected')).toBe('true');
      expect(await page.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(
        await tab(name).getAttribute('id'),
      );
    }
    expect(new URL(page.url()).search).toBe('?tab=secrets');
    // Tab leaves the tab list for the open panel, Shift+Tab comes back to the selected tab.
    await page.keyboard.press('Tab');
    expect(await focused()).toMatch(/^tabpanel Secrets/);
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('tab Secrets');
  });

  it('opens the tab a link names, and keeps it across a reload', async () => {
    await page.goto(`${credentialPath}?tab=policies`);
    await page.getByRole('region', { name: 'Policies' }).waitFor();
    expect(await tab('Policies').getAttribute('aria-selected')).toBe('true');
    await tab('Usage').click();
    expect(new URL(page.url()).search).toBe('?tab=usage');
    await page.reload();
    await page.getByRole('region', { name: 'Usage (last 30 days)' }).waitFor();
    expect(await tab('Usage').getAttribute('aria-selected')).toBe('true');
    await tab('Settings').click();
    expect(new URL(page.url()).search).toBe('');
    await page.goto(`${credentialPath}?tab=nonsense`);
    await page.getByRole('region', { name: 'Settings' }).waitFor();
  });

  it('keeps a half-typed name while another tab is looked at', async () => {
    await page.goto(credentialPath);
    await page.getByLabel('Name', { exact: true }).fill('Layout, renamed');
    await tab('Usage').click();
    await tab('Settings').click();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Layout, renamed');
  });

  it('fits a 375 px phone without sideways scrolling, every tab in sight', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const phonePage = await phone.newPage();
    await logInThroughThePortal(phonePage, keygate.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await phonePage.goto(credentialPath);
    const tabs = phonePage.getByRole('tab');
    await tabs.first().waitFor();
    for (const one of await tabs.all()) {
      const { left, right } = await box(one);
      expect(left).toBeGreaterThanOrEqual(0);
      expect(right).toBeLessThanOrEqual(375);
    }
    expect(
      await phonePage.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    ).toBeLessThanOrEqual(0);
    await phone.close();
  });

  it('puts the DPoP checkbox on its label’s line, before the text', async () => {
    await page.goto(`${credentialPath}?tab=keys`);
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
    await page.goto(`${credentialPath}?tab=policies`);
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
