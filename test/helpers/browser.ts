import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether Debian's Chromium is here; CI installs it (.ci/run), elsewhere the browser tests say how. */
export const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  console.warn(
    `Portal browser tests skipped: ${CHROMIUM} is missing; install Debian's chromium package (CI does).`,
  );
}

/** Headless Chromium as this machine runs it: no sandbox (root), no background network calls. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a screenshot for the docs when KEYGATE_SCREENSHOTS is set (`npm run screenshots`). */
export const screenshotsWanted = process.env.KEYGATE_SCREENSHOTS === '1';

/** Logs `page` in to the portal at `origin` as a person would, and waits for API Credentials. */
export async function logInThroughThePortal(page: Page, origin: string, email: string, password: string) {
  await page.goto(`${origin}/portal/`);
  await page.getByRole('heading', { name: 'Log in to Keygate' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'API Credentials' }).waitFor();
}
