import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, addUser, logIn } from '../helpers/admin.js';
import { hasChromium, launchChromium, logInThroughThePortal, screenshotsWanted } from '../helpers/browser.js';
import {
  basic,
  postForm,
  requestToken,
  startTestKeygate,
  type TestKeygate,
  TOKEN_PATH,
} from '../helpers/keygate.js';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/**
 * The seed's journey in a real browser: log in, API Credentials, Create New, pick scopes, save,
 * copy the one-time secret, use it at the token endpoint; edit, rotate, delete.
 */
describe.skipIf(!hasChromium)('portal in headless Chromium', () => {
  let keygate: TestKeygate;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  /** Screenshots for the docs; `mask` paints over one-time secrets, so no image holds one. */
  const shoot = async (name: string, target: Page = page, mask: Locator[] = []) => {
    if (!screenshotsWanted) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await target.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true, mask });
  };

  const logInThroughThePage = (target: Page, email: string, password: string) =>
    logInThroughThePortal(target, keygate.url, email, password);

  const fieldValue = (label: string) => page.getByLabel(label, { exact: true }).inputValue();

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/portal/index.html', import.meta.url))) {
      throw new Error('dist/portal is missing: run `npm run build` (npm test does) before the portal tests');
    }
    keygate = await startTestKeygate();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: keygate.url });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await keygate?.stop();
  });

  it('refuses a wrong password with a clear message, then logs in', async () => {
    await page.goto(`${keygate.url}/portal/`);
    await page.getByRole('heading', { name: 'Log in to Keygate' }).waitFor();
    await shoot('login');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('Email or password is incorrect');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'API Credentials' }).waitFor();
    await page.getByText('No API credentials yet').waitFor();
  });

  let clientId = '';
  let clientSecret = '';

  it('creates credentials: name, scopes picked and removed, one-time secret copied', async () => {
    await page.getByRole('button', { name: 'Create New' }).click();
    await page.getByRole('heading', { name: 'Create API credential' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Wallboard');
    await page.getByRole('button', { name: 'stats', exact: true }).click();
    await page.getByRole('button', { name: 'users:read', exact: true }).click();
    await page.getByRole('button', { name: 'agents-availability:read', exact: true }).click();
    await page.getByRole('button', { name: 'Remove users:read' }).click();
    await shoot('create');
    await page.getByRole('button', { name: 'Save API credential' }).click();

    await page.getByRole('heading', { name: 'API credential created' }).waitFor();
    await page.getByText('you cannot retrieve it later').waitFor();
    clientId = await fieldValue('Client ID');
    clientSecret = await fieldValue('Client secret');
    expect(clientId).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(clientSecret).toMatch(/^kgs_/);
    await page.getByRole('button', { name: 'Copy client secret' }).click();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(clientSecret);
    await shoot('created', page, [page.getByLabel('Client secret', { exact: true })]);
    await page.getByRole('button', { name: 'OK' }).click();

    const row = page.getByRole('row', { name: /Wallboard/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(clientId);
    expect(await page.content()).not.toContain(clientSecret);
    await shoot('credentials');

    // The copied secret is real.
    const token = await requestToken(keygate, { clientId, clientSecret }, 'stats agents-availability:read');
    expect(token.status).toBe(200);
    expect((await requestToken(keygate, { clientId, clientSecret }, 'users:read')).body).toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('edits a credential: rename and add a scope', async () => {
    await page.getByRole('link', { name: 'Wallboard' }).click();
    await page.getByRole('heading', { name: 'Wallboard', level: 1 }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Wallboard floor 2');
    await page.getByRole('button', { name: 'users:read', exact: true }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();
    const stored = await keygate.store.credentials.findByClientId(clientId);
    expect(stored).toMatchObject({ name: 'Wallboard floor 2' });
    expect([...stored!.scopes].sort()).toEqual(['agents-availability:read', 'stats', 'users:read']);
    expect((await requestToken(keygate, { clientId, clientSecret }, 'users:read')).status).toBe(200);
  });

  it('rotates the secret: both work, then the old one is refused after revoke', async () => {
    await page.getByRole('tab', { name: 'Secrets' }).click();
    await page.getByRole('button', { name: 'Add secret' }).click();
    await page.getByRole('heading', { name: 'New secret created' }).waitFor();
    const newSecret = await fieldValue('Client secret');
    expect(newSecret).not.toBe(clientSecret);
    await page.getByRole('button', { name: 'OK' }).click();
    expect((await requestToken(keygate, { clientId, clientSecret }, 'stats')).status).toBe(200);
    expect((await requestToken(keygate, { clientId, clientSecret: newSecret }, 'stats')).status).toBe(200);
    await keygate.flushUsage();
    await page.reload();
    await page.getByRole('heading', { name: 'Secrets' }).waitFor();
    await shoot('credential-detail');

    await page.getByRole('button', { name: `Revoke secret ${clientSecret.slice(0, 8)}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect
      .poll(async () => (await requestToken(keygate, { clientId, clientSecret }, 'stats')).body?.error)
      .toBe('invalid_client');
    expect((await requestToken(keygate, { clientId, clientSecret: newSecret }, 'stats')).status).toBe(200);
    clientSecret = newSecret;
  });

  it('revokes all of a credential’s tokens: a live token is refused, a new one works', async () => {
    const live = await requestToken(keygate, { clientId, clientSecret }, 'stats');
    const call = async (accessToken: unknown) =>
      (
        await fetch(
          `${keygate.gatewayUrl}/stats/interactions?start=${new Date(Date.now() - 3_600_000).toISOString()}`,
          {
            headers: { authorization: `Bearer ${String(accessToken)}` },
          },
        )
      ).status;
    expect(await call(live.body?.access_token)).toBe(200);
    await page.getByRole('button', { name: 'Revoke all tokens' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('the client ID and secrets keep working');
    await dialog.getByRole('button', { name: 'Revoke all tokens' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => call(live.body?.access_token)).toBe(401);
    const fresh = await requestToken(keygate, { clientId, clientSecret }, 'stats');
    expect(await call(fresh.body?.access_token)).toBe(200);
    expect(await page.getByText('Tokens revoked').count()).toBe(1);
  });

  it('deletes a credential after confirmation; Escape cancels; its secret stops working', async () => {
    await page.getByRole('link', { name: 'API Credentials' }).click();
    const deleteButton = page.getByRole('button', { name: 'Delete Wallboard floor 2' });
    await deleteButton.click();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await keygate.store.credentials.findByClientId(clientId)).toBeDefined();

    await deleteButton.click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Programs using this client ID will stop working');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No API credentials yet').waitFor();
    expect((await requestToken(keygate, { clientId, clientSecret }, 'stats')).body).toMatchObject({
      error: 'invalid_client',
    });
  });

  it('holds a supervisor to the two scopes and their own credentials', async () => {
    const admin = await logIn(keygate);
    const adminApp = await admin.call('POST', '/credentials', {
      name: 'Admin integration',
      scopes: ['stats'],
    });
    expect(adminApp.status).toBe(201);
    const supervisor = await addUser(admin, 'supervisor@keygate.local', 'supervisor');
    const supervisorContext = await browser.newContext();
    const supervisorPage = await supervisorContext.newPage();
    await logInThroughThePage(supervisorPage, supervisor.email, supervisor.password);
    await supervisorPage.getByText('No API credentials yet').waitFor();
    expect(await supervisorPage.getByText('Admin integration').count()).toBe(0);
    expect(await supervisorPage.getByRole('button', { name: 'My', exact: true }).count()).toBe(0);
    expect(await supervisorPage.getByRole('link', { name: 'Audit log' }).count()).toBe(0);

    await supervisorPage.getByRole('button', { name: 'Create New' }).click();
    await supervisorPage.getByRole('heading', { name: 'Create API credential' }).waitFor();
    const offered = await supervisorPage.locator('.scope-options button').allTextContents();
    expect(offered.join(' ')).toContain('users:read');
    expect(offered.join(' ')).toContain('interaction-content:read');
    expect(await supervisorPage.getByRole('button', { name: 'stats', exact: true }).count()).toBe(0);
    await supervisorPage.getByLabel('Name', { exact: true }).fill('QA exports');
    await supervisorPage.getByRole('button', { name: 'interaction-content:read', exact: true }).click();
    await supervisorPage.getByRole('button', { name: 'Save API credential' }).click();
    await supervisorPage.getByRole('heading', { name: 'API credential created' }).waitFor();
    await supervisorPage.getByRole('button', { name: 'OK' }).click();
    await supervisorPage.getByRole('row', { name: /QA exports/ }).waitFor();
    await supervisorContext.close();
  });

  it('fits a 375 px wide phone without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const phonePage = await phone.newPage();
    await logInThroughThePage(phonePage, ADMIN_EMAIL, ADMIN_PASSWORD);
    await phonePage.getByRole('row', { name: /Admin integration/ }).waitFor();
    const overflow = await phonePage.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot('mobile', phonePage);
    await phone.close();
  });

  it('shows the audit log of everything done above', async () => {
    // A client refused at the token endpoint: its entry says why without opening its details.
    const refused = {
      ...(await keygate.createCredential(['stats'], 'Refused client')),
      accountId: (await keygate.store.accounts.list())[0]!.id,
    };
    await postForm(
      keygate.url + TOKEN_PATH,
      { grant_type: 'client_credentials', scope: 'stats' },
      { authorization: basic(refused.clientId, 'kgs_guess') },
    );
    await expect
      .poll(async () =>
        (await keygate.store.audit.list(refused.accountId, { limit: 50 })).some(
          (e) => e.action === 'client_authentication.failed' && e.targetId === refused.id,
        ),
      )
      .toBe(true);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const text = await page.locator('table').textContent();
    for (const action of [
      'credential.created',
      'credential.updated',
      'credential.secret_revoked',
      'credential.deleted',
    ]) {
      expect(text).toContain(action);
    }
    expect(await page.getByText('reason: malformed_secret').isVisible()).toBe(true);
    expect(await page.content()).not.toMatch(/kgs_[0-9A-Za-z]{20,}/);
    await shoot('audit-log');
  });
});
