import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, addUser, logIn } from '../helpers/admin.js';
import { hasChromium, launchChromium, logInThroughThePortal } from '../helpers/browser.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

const ORDERS = fileURLToPath(new URL('../../examples/orders-api/orders.openapi.json', import.meta.url));

/** The operator's own scopes in the portal: offered with their descriptions, by licence, and marked when gone. */
describe.skipIf(!hasChromium)('portal: scopes from the operator’s API documents', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-portal-scopes-'));
  const withOrders = { apiDocuments: [{ file: ORDERS, upstream: 'http://127.0.0.1:9' }] };
  let keygate: TestKeygate;
  let browser: Browser;

  async function logInAs(at: TestKeygate, email: string, password: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(8000);
    await logInThroughThePortal(page, at.url, email, password);
    return page;
  }

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/portal/index.html', import.meta.url))) {
      throw new Error('dist/portal is missing: run `npm run build` (npm test does) before the portal tests');
    }
    keygate = await startTestKeygate(withOrders, dataDir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await keygate?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an admin picks orders:read, shown with its description, and the credential holds it', async () => {
    const page = await logInAs(keygate, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Create New' }).click();
    await page.getByLabel('Name').fill('Order reader');
    const option = page.getByRole('button', { name: 'orders:read', exact: true });
    expect(await option.textContent()).toContain('Read orders');
    await option.click();
    await page.getByRole('button', { name: 'Save API credential' }).click();
    await page.getByRole('heading', { name: 'API credential created' }).waitFor();
    const clientId = await page.getByLabel('Client ID', { exact: true }).inputValue();
    expect((await keygate.store.credentials.findByClientId(clientId))?.scopes).toEqual(['orders:read']);
  });

  it('a supervisor is offered orders:read, which the document lets supervisors grant, not orders:write', async () => {
    const supervisor = await addUser(await logIn(keygate), 'orders-sup@keygate.local', 'supervisor');
    const page = await logInAs(keygate, supervisor.email, supervisor.password);
    await page.getByRole('button', { name: 'Create New' }).click();
    await page.getByRole('button', { name: 'orders:read', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'orders:write', exact: true }).count()).toBe(0);
  });

  it('after the document is removed, the credential’s scope is marked unavailable', async () => {
    await keygate.stop();
    keygate = await startTestKeygate({}, dataDir);
    const page = await logInAs(keygate, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Order reader' }).click();
    const chip = page.getByRole('listitem').filter({ hasText: 'orders:read' });
    await chip.getByText('unavailable').waitFor();
    expect(await chip.getAttribute('title')).toMatch(
      /^Unavailable: no configured API document declares this scope/,
    );
  });
});
