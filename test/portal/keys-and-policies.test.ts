import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/admin.js';
import { hasChromium, launchChromium, logInThroughThePortal } from '../helpers/browser.js';
import { requestToken, startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

/**
 * Credentials without shared secrets and with policies, from the portal: paste a public key, require
 * DPoP, manage keys; limit where a credential may be used from, its token quota and its metadata.
 */
describe.skipIf(!hasChromium)('portal: public keys, DPoP and policies', () => {
  let keygate: TestKeygate;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/portal/index.html', import.meta.url))) {
      throw new Error('dist/portal is missing: run `npm run build` (npm test does) before the portal tests');
    }
    keygate = await startTestKeygate();
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    // Fail at the step that does not happen, with its locator, well inside the test's own timeout.
    page.setDefaultTimeout(8000);
    await logInThroughThePortal(page, keygate.url, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await keygate?.stop();
  });

  const publicPem = () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();

  it('creates a credential from a pasted public key: a client ID, no secret, DPoP required', async () => {
    await page.getByRole('button', { name: 'Create New' }).click();
    await page.getByLabel('Name').fill('Payments');
    await page.getByRole('button', { name: 'stats', exact: true }).click();
    await page.getByLabel(/Public key, no secret/).check();
    await page.getByLabel('Public key (PEM, JWK or X.509 certificate)').fill(publicPem());
    await page.getByLabel(/Require DPoP-bound tokens/).check();
    await page.getByRole('button', { name: 'Save API credential' }).click();

    await page.getByRole('heading', { name: 'API credential created' }).waitFor();
    const clientId = await page.getByLabel('Client ID', { exact: true }).inputValue();
    expect(await page.getByLabel('Client secret', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'OK' }).click();

    const stored = (await keygate.store.credentials.findForAuthentication(clientId))!;
    expect(stored.secrets).toEqual([]);
    expect(stored.keys).toHaveLength(1);
    expect(stored.credential.requireDpop).toBe(true);

    await page.getByRole('link', { name: 'Payments' }).click();
    await page.getByRole('tab', { name: 'Keys and DPoP' }).click();
    await page.getByRole('heading', { name: 'Keys and DPoP' }).waitFor();
    await page.getByText(stored.keys[0]!.thumbprint).waitFor();
    expect(await page.getByLabel('Require DPoP-bound tokens', { exact: true }).isChecked()).toBe(true);
  });

  it('adds a key, refuses a private one with the reason, removes one', async () => {
    const keys = page.getByRole('region', { name: 'Keys and DPoP' });
    const field = keys.getByLabel('Public key (PEM, JWK or X.509 certificate)');
    const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await field.fill(privatePem);
    await keys.getByRole('button', { name: 'Add public key' }).click();
    await keys.getByText(/private key; give its public key/).waitFor();

    await field.fill(publicPem());
    await keys.getByRole('button', { name: 'Add public key' }).click();
    await expect.poll(() => keys.getByRole('button', { name: /^Remove key / }).count()).toBe(2);

    await keys
      .getByRole('button', { name: /^Remove key / })
      .first()
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => keys.getByRole('button', { name: /^Remove key / }).count()).toBe(1);
  });

  it('sets an address range, a token quota, a call limit and metadata; a token request from elsewhere is refused', async () => {
    const client = await keygate.createCredential(['stats'], 'Branch office');
    await page.goto(`${keygate.url}/portal/credentials/${client.id}`);
    await page.getByRole('tab', { name: 'Policies' }).click();
    const policies = page.getByRole('region', { name: 'Policies' });
    await policies.getByLabel('Allowed address ranges').fill('127.0.0.9/32');
    await policies.getByLabel('Tokens at most').fill('5');
    await policies.getByLabel('Tokens per').selectOption('day');
    await policies.getByLabel('Calls at most').fill('100');
    await policies.getByLabel('Calls per').selectOption('minute');
    await policies.getByLabel(/Metadata/).fill('team=payments\nsite=lyon');
    await policies.getByRole('button', { name: 'Save policies' }).click();
    await policies.getByText('Saved').waitFor();
    await policies.getByText(/never put secrets here/).waitFor();

    const stored = (await keygate.store.credentials.findByClientId(client.clientId))!;
    expect(stored.allowedCidrs).toEqual(['127.0.0.9/32']);
    expect(stored.tokenQuota).toEqual({ limit: 5, period: 'day' });
    expect(stored.callLimit).toEqual({ limit: 100, windowSeconds: 60 });
    expect(stored.metadata).toEqual({ team: 'payments', site: 'lyon' });
    await keygate.syncChanges();
    expect((await requestToken(keygate, client, 'stats')).status).toBe(401);

    await policies.getByLabel('Allowed address ranges').fill('10.0.0.0/33');
    await policies.getByRole('button', { name: 'Save policies' }).click();
    await policies.getByText(/is not an IPv4 or IPv6 address or CIDR range/).waitFor();
  });
});
